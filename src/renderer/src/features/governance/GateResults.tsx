import type { GateResultRecord } from '../../../../shared/domain/governance';
import './governance.css';

export type GateResultsProps = {
  results: readonly GateResultRecord[];
  /** Gates still running, shown as pending (from the live event stream). */
  pending?: readonly string[];
};

const LABELS: Record<string, string> = {
  spec_completeness: 'Spec completeness',
  scope: 'Scope boundary',
  budget: 'Change budget',
  tests: 'Tests',
  coverage: 'Coverage',
  typecheck: 'Type check',
  lint: 'Lint',
};

export const gateLabel = (gate: string): string => LABELS[gate] ?? gate;

/** Each quality gate's status, mode, score, duration and details, with any waiver that let it pass. */
export function GateResults({ results, pending = [] }: GateResultsProps) {
  if (results.length === 0 && pending.length === 0) {
    return (
      <section className="gov-section" aria-labelledby="gates-title">
        <h3 id="gates-title">Quality gates</h3>
        <p className="empty">No gates have run yet.</p>
      </section>
    );
  }
  const blocking = results.filter((r) => r.status === 'fail').length;
  return (
    <section className="gov-section" aria-labelledby="gates-title">
      <h3 id="gates-title">
        Quality gates{' '}
        <span className={`badge ${blocking ? 'status-fail' : 'status-pass'}`}>{blocking ? `${blocking} blocking` : 'nothing blocking'}</span>
      </h3>
      <table className="gov-table" aria-label="Quality gates">
        <thead>
          <tr>
            <th scope="col">Gate</th>
            <th scope="col">Status</th>
            <th scope="col">Mode</th>
            <th scope="col">Score</th>
            <th scope="col">Time</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={r.gate} data-gate={r.gate} data-status={r.status}>
              <th scope="row">{gateLabel(r.gate)}</th>
              <td>
                <span className={`badge status-${r.status}`}>{r.status}</span>
                {r.waiverId ? (
                  <span className="muted">
                    {' '}
                    waived by <span className="mono">{r.waiverId}</span>
                  </span>
                ) : null}
              </td>
              <td>{r.mode}</td>
              <td>{r.status === 'skip' ? '—' : `${Math.round(r.score * 100)}%`}</td>
              <td className="mono">{formatDuration(r.durationMs)}</td>
              <td>
                <details>
                  <summary>{firstLine(r.details)}</summary>
                  <pre className="gov-pre mono">{r.details}</pre>
                </details>
              </td>
            </tr>
          ))}
          {pending
            .filter((g) => !results.some((r) => r.gate === g))
            .map((g) => (
              <tr key={g} data-gate={g} data-status="pending">
                <th scope="row">{gateLabel(g)}</th>
                <td>
                  <span className="badge">running…</span>
                </td>
                <td colSpan={4} />
              </tr>
            ))}
        </tbody>
      </table>
    </section>
  );
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 140 ? `${line.slice(0, 140)}…` : line;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
