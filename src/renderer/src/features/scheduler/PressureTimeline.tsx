import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { PressureLevel } from '../../../../shared/domain/scheduler';
import { LEVEL_LABEL, usePressureState, usePressureTimeline, type PressureTimelineView } from './use-scheduler';
import './scheduler.css';

const LEVEL_VALUE: Record<PressureLevel, number> = { nominal: 0, fair: 1, serious: 2, critical: 3 };
const LEVEL_BY_VALUE = ['nominal', 'fair', 'serious', 'critical'] as const;
const time = (ts: number) => new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Chart rows: the level as a step series, temperature in °C and memory in percent. */
export function toChartRows(points: PressureTimelineView['points']) {
  return points.map((p) => ({
    ts: p.ts,
    level: LEVEL_VALUE[p.level],
    temperature: p.maxTemperatureC,
    memory: p.memoryPressure === undefined ? undefined : Math.round(p.memoryPressure * 100),
    slots: p.slots,
  }));
}

/** The Metrics page's thermal timeline: pressure level over time, the signals behind it, and why. */
export function PressureTimeline({ windowMs = 3_600_000 }: { windowMs?: number }) {
  const { value: timeline, error } = usePressureTimeline(windowMs);
  const { value: state } = usePressureState();
  const rows = timeline ? toChartRows(timeline.points) : [];
  const hasTemperature = rows.some((r) => r.temperature !== undefined);
  return (
    <section className="card pressure-timeline" aria-labelledby="pressure-title">
      <h2 id="pressure-title">Thermal and memory pressure</h2>
      {error && <p role="alert">{error}</p>}
      {state && (
        <p>
          Now: <strong>{LEVEL_LABEL[state.level]}</strong> — {state.inUse} of {state.slots} slots in use
          {state.preferSmallerModel ? ', preferring smaller models' : ''}
          {state.backgroundDeferred ? ', background work deferred' : ''}. <span className="muted">{state.reason}</span>
        </p>
      )}
      {rows.length === 0 ? (
        <p className="empty">No samples yet.</p>
      ) : (
        <div className="chart" data-testid="pressure-chart">
          <ResponsiveContainer>
            <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
              <XAxis dataKey="ts" type="number" domain={['dataMin', 'dataMax']} tickFormatter={time} scale="time" />
              <YAxis yAxisId="level" domain={[0, 3]} ticks={[0, 1, 2, 3]} tickFormatter={(v: number) => LEVEL_LABEL[LEVEL_BY_VALUE[v] ?? 'nominal']} width={70} />
              <YAxis yAxisId="value" orientation="right" domain={[0, 110]} width={40} />
              <Tooltip labelFormatter={(ts) => new Date(Number(ts)).toLocaleTimeString()} />
              <Legend />
              <Area yAxisId="level" type="stepAfter" dataKey="level" name="level" stroke="#e07b1f" fill="#e07b1f" fillOpacity={0.25} isAnimationActive={false} />
              {hasTemperature && <Line yAxisId="value" type="monotone" dataKey="temperature" name="hottest sensor °C" stroke="#d93025" dot={false} isAnimationActive={false} />}
              <Line yAxisId="value" type="monotone" dataKey="memory" name="memory %" stroke="#0a66d8" dot={false} isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
      {!hasTemperature && rows.length > 0 && <p className="muted">This machine reports no temperatures; the level follows the other signals.</p>}
      <h3>Decisions</h3>
      {timeline && timeline.changes.length > 0 ? (
        <ul aria-label="Pressure changes">
          {[...timeline.changes].reverse().map((c) => (
            <li key={c.id}>
              <time className="mono muted">{new Date(c.ts).toLocaleTimeString()}</time>
              <span>
                <strong>{c.kind}</strong> {c.reason}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="empty">No level changes in this window.</p>
      )}
      {state && state.waiting.length > 0 && (
        <>
          <h3>Waiting for a slot</h3>
          <ul aria-label="Waiting requests">
            {state.waiting.map((w) => (
              <li key={w.id}>
                <span className="muted">{w.priority}</span>
                <span>
                  {w.label} — {w.reason}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
