import type { WorkingSpec } from '../../../../shared/domain/working-spec';
import './governance.css';

export type SpecViewProps = {
  spec: WorkingSpec | null;
  /** The YAML as stored, shown on request. */
  yaml?: string | null;
  /** Validation problems of a spec that could not be read, each naming its field. */
  issues?: readonly { path: string; message: string }[];
  version?: number | null;
};

/** A task's working spec: identity, scope, invariants, acceptance criteria, contracts and the tier-1 fields. */
export function SpecView({ spec, yaml, issues, version }: SpecViewProps) {
  if (issues && issues.length > 0) {
    return (
      <section className="gov-section" aria-labelledby="spec-title">
        <h3 id="spec-title">Working spec</h3>
        <p role="alert">The spec is not valid:</p>
        <ul className="gov-list">
          {issues.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              <code>{i.path || '(spec)'}</code>: {i.message}
            </li>
          ))}
        </ul>
      </section>
    );
  }
  if (!spec) {
    return (
      <section className="gov-section" aria-labelledby="spec-title">
        <h3 id="spec-title">Working spec</h3>
        <p className="empty">No spec yet: the task has not been planned.</p>
      </section>
    );
  }
  return (
    <section className="gov-section" aria-labelledby="spec-title" data-spec-id={spec.id}>
      <h3 id="spec-title">
        Working spec <span className="mono">{spec.id}</span>
        {version ? <span className="muted"> · version {version}</span> : null}
      </h3>
      <p>{spec.title}</p>
      <dl className="gov-grid">
        <dt>Risk tier</dt>
        <dd>{spec.risk_tier}</dd>
        <dt>Mode</dt>
        <dd>{spec.mode}</dd>
        <dt>State</dt>
        <dd>
          {spec.lifecycle_state}
          {spec.resolution ? ` (${spec.resolution})` : ''}
        </dd>
        <dt>Blast radius</dt>
        <dd>
          {spec.blast_radius.modules.join(', ') || 'none named'}
          {spec.blast_radius.data_migration ? ' · data migration' : ''}
        </dd>
        <dt>Scope in</dt>
        <dd className="mono">{spec.scope.in.join(', ')}</dd>
        {spec.scope.out?.length ? (
          <>
            <dt>Scope out</dt>
            <dd className="mono">{spec.scope.out.join(', ')}</dd>
          </>
        ) : null}
        {spec.scope.support?.length ? (
          <>
            <dt>Support</dt>
            <dd className="mono">{spec.scope.support.join(', ')}</dd>
          </>
        ) : null}
        {spec.operational_rollback_slo ? (
          <>
            <dt>Rollback SLO</dt>
            <dd>{spec.operational_rollback_slo}</dd>
          </>
        ) : null}
      </dl>
      <h4>Invariants</h4>
      <ul className="gov-list">
        {spec.invariants.map((inv) => (
          <li key={inv}>{inv}</li>
        ))}
      </ul>
      <h4>Acceptance criteria</h4>
      <table className="gov-table" aria-label="Acceptance criteria">
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Given</th>
            <th scope="col">When</th>
            <th scope="col">Then</th>
            <th scope="col">Test</th>
          </tr>
        </thead>
        <tbody>
          {spec.acceptance.map((a) => (
            <tr key={a.id}>
              <td className="mono">{a.id}</td>
              <td>{a.given}</td>
              <td>{a.when}</td>
              <td>{a.then}</td>
              <td className="mono">{a.test_command ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {spec.contracts.length > 0 && (
        <>
          <h4>Contracts</h4>
          <ul className="gov-list">
            {spec.contracts.map((c) => (
              <li key={c.name}>
                {c.name} <span className="muted">({c.type})</span> {c.path ? <code>{c.path}</code> : null}
              </li>
            ))}
          </ul>
        </>
      )}
      {spec.rollback?.length ? (
        <>
          <h4>Rollback</h4>
          <ol className="gov-list">
            {spec.rollback.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ol>
        </>
      ) : null}
      {yaml ? (
        <details>
          <summary>YAML</summary>
          <pre className="gov-pre mono">{yaml}</pre>
        </details>
      ) : null}
    </section>
  );
}
