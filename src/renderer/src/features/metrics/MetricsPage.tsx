import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Metrics } from '../../../../shared/channels/metrics';
import { api } from '../../api';
import { PressureTimeline } from '../scheduler/PressureTimeline';
import { EvalRuns } from './EvalRuns';

const HOUR = 3_600_000;
const WINDOWS = [
  { label: 'Last 24 hours', ms: 24 * HOUR },
  { label: 'Last 7 days', ms: 7 * 24 * HOUR },
  { label: 'Last 30 days', ms: 30 * 24 * HOUR },
];
/** The scheduler keeps at most a week of pressure history. */
const MAX_PRESSURE_WINDOW = 7 * 24 * HOUR;
const REFRESH_MS = 15_000;
// Mid-tone colours that read on both the light and the dark background.
const COLOURS = { completed: '#2e9e4f', failed: '#d64545', cancelled: '#8e8e93', p50: '#3b82f6', p95: '#a855f7', rate: '#0ea5e9', queue: '#f59e0b' };
const AXIS = { fill: 'currentColor', fontSize: 11 };

function tickFormatter(bucketMs: number) {
  return (t: number) =>
    bucketMs >= 24 * HOUR
      ? new Date(t).toLocaleDateString([], { month: 'short', day: 'numeric' })
      : new Date(t).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** Charts of what the agents did, computed by the core from the journal. */
export function MetricsPage() {
  const [windowMs, setWindowMs] = useState(WINDOWS[1]!.ms);
  const [metrics, setMetrics] = useState<Metrics | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    void api.getMetrics({ windowMs }).then((r) => {
      if (r.ok) {
        setMetrics(r.value);
        setError(null);
      } else {
        setError(r.error.message);
      }
    });
  }, [windowMs]);

  useEffect(() => {
    load();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') load();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const fmt = tickFormatter(metrics?.bucketMs ?? HOUR);
  return (
    <>
      <section className="card" aria-labelledby="page-title">
        <div className="list-header">
          <h2 id="page-title">Metrics</h2>
          <label>
            <span className="visually-hidden">Time window</span>
            <select aria-label="Time window" value={windowMs} onChange={(e) => setWindowMs(Number(e.target.value))}>
              {WINDOWS.map((w) => (
                <option key={w.ms} value={w.ms}>
                  {w.label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="secondary" onClick={load}>
            Refresh
          </button>
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {!metrics && !error && <p role="status">Loading metrics…</p>}
        {metrics && (
          <dl className="totals" aria-label="Totals in this window">
            <Total label="Submitted" value={metrics.totals.submitted} />
            <Total label="Completed" value={metrics.totals.completed} />
            <Total label="Failed" value={metrics.totals.failed} />
            <Total label="Cancelled" value={metrics.totals.cancelled} />
            <Total label="Queued now" value={metrics.totals.queuedNow} />
            <Total label="Running now" value={metrics.totals.activeNow} />
          </dl>
        )}
      </section>
      {metrics && (
        <div className="chart-grid">
          <ChartCard
            id="outcomes"
            title="Tasks completed and failed"
            empty={metrics.outcomes.every((o) => o.completed + o.failed + o.cancelled === 0) ? 'No task finished in this window.' : null}
            table={{
              head: ['Period', 'Completed', 'Failed', 'Cancelled'],
              rows: metrics.outcomes.filter((o) => o.completed + o.failed + o.cancelled > 0).map((o) => [fmt(o.t), o.completed, o.failed, o.cancelled]),
            }}
          >
            <BarChart data={metrics.outcomes} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
              <XAxis dataKey="t" tickFormatter={fmt} tick={AXIS} minTickGap={24} />
              <YAxis allowDecimals={false} tick={AXIS} />
              <Tooltip labelFormatter={(t) => fmt(Number(t))} />
              <Legend />
              <Bar dataKey="completed" name="completed" stackId="o" fill={COLOURS.completed} isAnimationActive={false} />
              <Bar dataKey="failed" name="failed" stackId="o" fill={COLOURS.failed} isAnimationActive={false} />
              <Bar dataKey="cancelled" name="cancelled" stackId="o" fill={COLOURS.cancelled} isAnimationActive={false} />
            </BarChart>
          </ChartCard>
          <ChartCard
            id="phases"
            title="Phase durations"
            empty={metrics.phaseDurations.length === 0 ? 'No phase finished in this window.' : null}
            table={{
              head: ['Phase', 'Count', 'Median', '95th percentile', 'Longest'],
              rows: metrics.phaseDurations.map((p) => [p.phase.replace(/_/g, ' '), p.count, seconds(p.p50Ms), seconds(p.p95Ms), seconds(p.maxMs)]),
            }}
          >
            <BarChart data={metrics.phaseDurations.map((p) => ({ ...p, phase: p.phase.replace(/_/g, ' '), p50: p.p50Ms / 1000, p95: p.p95Ms / 1000 }))} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
              <XAxis dataKey="phase" tick={AXIS} />
              <YAxis tick={AXIS} unit=" s" />
              <Tooltip formatter={(v) => `${Number(v).toFixed(1)} s`} />
              <Legend />
              <Bar dataKey="p50" name="median" fill={COLOURS.p50} isAnimationActive={false} />
              <Bar dataKey="p95" name="95th percentile" fill={COLOURS.p95} isAnimationActive={false} />
            </BarChart>
          </ChartCard>
          <ChartCard
            id="throughput"
            title="Tokens per second by model"
            empty={metrics.throughput.length === 0 ? 'No model generated text in this window.' : null}
            table={{
              head: ['Model', 'Tokens', 'Seconds', 'Tokens per second'],
              rows: metrics.throughput.map((m) => [m.model, m.tokens, m.seconds.toFixed(1), m.tokensPerSecond.toFixed(1)]),
            }}
          >
            <BarChart data={metrics.throughput} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
              <XAxis type="number" tick={AXIS} />
              <YAxis type="category" dataKey="model" tick={AXIS} width={120} />
              <Tooltip formatter={(v) => `${Number(v).toFixed(1)} tokens/s`} />
              <Bar dataKey="tokensPerSecond" name="tokens per second" fill={COLOURS.rate} isAnimationActive={false} />
            </BarChart>
          </ChartCard>
          <ChartCard
            id="council"
            title="Council outcomes"
            empty={metrics.council.every((c) => c.count === 0) ? 'The council reached no verdict in this window.' : null}
            table={{ head: ['Decision', 'Verdicts'], rows: metrics.council.map((c) => [c.decision, c.count]) }}
          >
            <BarChart data={metrics.council} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
              <XAxis dataKey="decision" tick={AXIS} />
              <YAxis allowDecimals={false} tick={AXIS} />
              <Tooltip />
              <Bar dataKey="count" name="verdicts" fill={COLOURS.p50} isAnimationActive={false} />
            </BarChart>
          </ChartCard>
          <ChartCard
            id="queue"
            title="Queue length"
            empty={metrics.queue.every((q) => q.length === 0) ? 'Nothing waited in the queue in this window.' : null}
            table={{ head: ['Time', 'Tasks queued'], rows: metrics.queue.map((q) => [fmt(q.t), q.length]) }}
          >
            <LineChart data={metrics.queue} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
              <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={fmt} tick={AXIS} minTickGap={24} />
              <YAxis allowDecimals={false} tick={AXIS} />
              <Tooltip labelFormatter={(t) => fmt(Number(t))} />
              <Line type="stepAfter" dataKey="length" name="queued" stroke={COLOURS.queue} dot={false} isAnimationActive={false} />
            </LineChart>
          </ChartCard>
        </div>
      )}
      <PressureTimeline windowMs={Math.min(windowMs, MAX_PRESSURE_WINDOW)} />
      <EvalRuns />
    </>
  );
}

function Total({ label, value }: { label: string; value: number }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-total={label}>{value.toLocaleString()}</dd>
    </div>
  );
}

/** A chart with a caption, and its numbers as a table for screen readers and copying. */
function ChartCard({ id, title, empty, table, children }: {
  id: string;
  title: string;
  empty: string | null;
  table: { head: string[]; rows: (string | number)[][] };
  children: ReactElement;
}) {
  return (
    <figure className="card chart-card" aria-labelledby={`${id}-title`} data-chart={id}>
      <figcaption id={`${id}-title`}>
        <h3>{title}</h3>
      </figcaption>
      {empty ? (
        <p className="empty">{empty}</p>
      ) : (
        <div className="metrics-chart" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            {children}
          </ResponsiveContainer>
        </div>
      )}
      {table.rows.length > 0 && (
        <details>
          <summary>Data</summary>
          <table className="data-grid" aria-label={`${title} data`}>
            <thead>
              <tr>
                {table.head.map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((c, j) => (
                    <td key={j}>{c}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </figure>
  );
}
