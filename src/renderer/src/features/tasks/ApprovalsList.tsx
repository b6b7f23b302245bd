import { useState } from 'react';
import type { ToolGrant } from '../../../../shared/channels/tools';
import type { AgentEvent } from '../../../../shared/domain/events';
import { api } from '../../api';
import { windowActor } from './actor';
import { decisionsFromEvents } from './decisions';
import './task-detail.css';

const KIND_TEXT = { granted: 'approved', denied: 'denied', overridden: 'overrode the council' } as const;

/**
 * Approvals given on this task. Phase approvals (plan, change, apply) are final once the task moved
 * on, as the contract has it; standing tool grants can be revoked here, after which the tool asks again.
 */
export function ApprovalsList({ events, grants, onChanged }: { events: readonly AgentEvent[]; grants: readonly ToolGrant[]; onChanged: () => void }) {
  const decisions = decisionsFromEvents(events);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const revoke = async (grant: ToolGrant) => {
    setBusy(grant.id);
    setError(null);
    const r = await api.revokeToolGrant({ id: grant.id, actor: windowActor });
    setBusy(null);
    if (!r.ok) setError(r.error.message);
    onChanged();
  };

  return (
    <section className="card" aria-labelledby="approvals-title">
      <h3 id="approvals-title">Approvals</h3>
      {decisions.length === 0 && grants.length === 0 ? <p className="empty">No approvals given on this task.</p> : null}
      {decisions.length > 0 ? (
        <ul className="decisions" aria-label="Decisions on this task">
          {decisions.map((d) => (
            <li key={d.seq} data-kind={d.kind} data-gate={d.gate}>
              <span className={`badge decision-${d.kind}`}>{d.gate}</span> {d.who} ({d.via}) {KIND_TEXT[d.kind]}
              {d.text ? `: ${d.text}` : ''} <time className="muted" dateTime={new Date(d.ts).toISOString()}>{new Date(d.ts).toLocaleString()}</time>
            </li>
          ))}
        </ul>
      ) : null}
      {decisions.length > 0 ? <p className="hint">A phase approval is final once the task has moved on; cancel the task to stop it.</p> : null}
      {grants.length > 0 ? (
        <table className="gov-table" aria-label="Tool grants">
          <thead>
            <tr>
              <th scope="col">Tool</th>
              <th scope="col">Scope</th>
              <th scope="col">Granted by</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <tr key={g.id} data-grant={g.id}>
                <td className="mono">{g.tool}</td>
                <td>{g.scope === 'task' ? 'this task' : 'always'}</td>
                <td>
                  {g.actor.who} ({g.actor.via})
                </td>
                <td>
                  {g.revokedAt ? (
                    <span className="muted">revoked by {g.revokedBy?.who ?? 'someone'}</span>
                  ) : (
                    <button type="button" className="secondary" disabled={busy === g.id} aria-label={`Revoke the grant of ${g.tool}`} onClick={() => void revoke(g)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
