import { useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { EvalRunView } from '../../../../shared/domain/eval';
import { api } from '../../api';

const AXIS = { fill: 'currentColor', fontSize: 11 };
const pct = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** Which model did the work: the worker's, with the planner's when it differs. */
const modelsOf = (run: EvalRunView) => {
  const worker = run.models['worker'] ?? 'none';
  const planner = run.models['planner'];
  return planner && planner !== worker ? `${worker} (planner ${planner})` : worker;
};

/**
 * `agent-agency eval` runs over time: resolved rate and council precision per run, labelled by the
 * models that ran it, so runs and models can be compared. Reads the stored runs (listEvalRuns).
 */
export function EvalRuns() {
  const [runs, setRuns] = useState<EvalRunView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api.listEvalRuns({ limit: 30 }).then((r) => {
      if (r.ok) setRuns(r.value);
      else setError(r.error.message);
    });
  }, []);
  const finished = (runs ?? []).filter((r) => r.totals !== null).reverse();
  const data = finished.map((r) => ({
    label: `${new Date(r.startedAt).toLocaleDateString([], { month: 'short', day: 'numeric' })} ${modelsOf(r)}`,
    resolved: Math.round((r.totals?.resolvedRate ?? 0) * 1000) / 10,
    precision: r.totals?.council.precision === null || r.totals?.council.precision === undefined ? 0 : Math.round(r.totals.council.precision * 1000) / 10,
  }));
  return (
    <figure className="card chart-card" aria-labelledby="eval-runs-title" data-chart="eval-runs">
      <figcaption id="eval-runs-title">
        <h3>Eval runs (agent-agency eval)</h3>
      </figcaption>
      {error ? (
        <p className="error">{error}</p>
      ) : runs === null ? (
        <p className="empty">Loading…</p>
      ) : finished.length === 0 ? (
        <p className="empty">No eval has run yet. Run one with: agent-agency eval</p>
      ) : (
        <div className="metrics-chart" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
              <XAxis dataKey="label" tick={AXIS} interval={0} />
              <YAxis domain={[0, 100]} unit="%" tick={AXIS} />
              <Tooltip />
              <Legend />
              <Bar dataKey="resolved" name="resolved %" fill="#2e9e4f" isAnimationActive={false} />
              <Bar dataKey="precision" name="council precision %" fill="#3b82f6" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      {finished.length > 0 && (
        <details open>
          <summary>Runs</summary>
          <table className="data-grid" aria-label="Eval runs">
            <thead>
              <tr>
                {['Run', 'Started', 'Suite', 'Mode', 'Models', 'Resolved', 'Precision', 'Recall', 'Tokens / resolved', 'Wall'].map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...finished].reverse().map((r) => (
                <tr key={r.id} data-eval-run={r.id}>
                  <td className="mono">{r.id}</td>
                  <td>{new Date(r.startedAt).toLocaleString()}</td>
                  <td>{r.suite}</td>
                  <td>{r.mode}</td>
                  <td>{modelsOf(r)}</td>
                  <td>
                    {r.resolved}/{r.tasks} ({pct(r.totals?.resolvedRate)})
                  </td>
                  <td>{pct(r.totals?.council.precision)}</td>
                  <td>{pct(r.totals?.council.recall)}</td>
                  <td>{r.totals?.tokensPerResolved == null ? 'n/a' : Math.round(r.totals.tokensPerResolved).toLocaleString()}</td>
                  <td>{r.totals ? `${(r.totals.wallMs / 1000).toFixed(0)} s` : '…'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </figure>
  );
}
