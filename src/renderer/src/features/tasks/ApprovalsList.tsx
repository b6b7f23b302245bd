import { useState } from 'react';
import type { StandingApproval } from '../../../../shared/channels/intervention';
import type { ToolGrant } from '../../../../shared/channels/tools';
import type { AgentEvent } from '../../../../shared/domain/events';
import { api } from '../../api';
import { windowActor } from './actor';
import { decisionsFromEvents } from './decisions';
import './task-detail.css';

const KIND_TEXT = { granted: 'approved', denied: 'denied', overridden: 'overrode the council' } as const;
const SCOPE_TEXT = { phase: 'for this phase', task: 'for the rest of this task' } as const;

/**
 * Approvals given on this task. A phase approval (plan, change, apply) is final once the task moved
 * on; a standing approval ("for this phase", "for the rest of this task") and a standing tool grant
 * can be revoked here, after which the gate or the tool asks a human again.
 */
export function ApprovalsList({
  taskId,
  events,
  grants,
  standing,
  onChanged,
}: {
  taskId: string;
  events: readonly AgentEvent[];
  grants: readonly ToolGrant[];
  standing: readonly StandingApproval[];
  onChanged: () => void;
}) {
  const decisions = decisionsFromEvents(events);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [busyStanding, setBusyStanding] = useState<number | null>(null);

  const revokeStanding = async (approval: StandingApproval) => {
    setBusyStanding(approval.id);
    setError(null);
    const r = await api.revokeApproval({ taskId, approvalId: approval.id, actor: windowActor });
    setBusyStanding(null);
    if (!r.ok) setError(r.error.message);
    onChanged();
  };

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
      {decisions.length === 0 && grants.length === 0 && standing.length === 0 ? <p className="empty">No approvals given on this task.</p> : null}
      {decisions.length > 0 ? (
        <ul className="decisions" aria-label="Decisions on this task">
          {decisions.map((d) => (
            <li key={d.seq} data-kind={d.kind} data-gate={d.gate} data-standing={d.standingId}>
              <span className={`badge decision-${d.kind}`}>{d.gate}</span> {d.who} ({d.via}) {KIND_TEXT[d.kind]}
              {d.text ? `: ${d.text}` : ''} <time className="muted" dateTime={new Date(d.ts).toISOString()}>{new Date(d.ts).toLocaleString()}</time>
            </li>
          ))}
        </ul>
      ) : null}
      {decisions.length > 0 ? <p className="hint">A phase approval is final once the task has moved on; cancel the task to stop it.</p> : null}
      {standing.length > 0 ? (
        <table className="gov-table" aria-label="Standing approvals">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Scope</th>
              <th scope="col">Passes</th>
              <th scope="col">Given by</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {standing.map((a) => (
              <tr key={a.id} data-standing={a.id} data-scope={a.scope} data-revoked={a.revokedAt !== null}>
                <td className="mono">{a.id}</td>
                <td>{SCOPE_TEXT[a.scope]}</td>
                <td>{a.covers.join(', ')}</td>
                <td>
                  {a.actor.who} ({a.actor.via}) at the {a.gate} approval
                </td>
                <td>
                  {a.revokedAt !== null ? (
                    <span className="muted">revoked by {a.revokedBy ? `${a.revokedBy.who} (${a.revokedBy.via})` : 'someone'}</span>
                  ) : (
                    <button
                      type="button"
                      className="secondary"
                      disabled={busyStanding === a.id}
                      aria-label={`Revoke standing approval #${a.id} (${SCOPE_TEXT[a.scope]})`}
                      onClick={() => void revokeStanding(a)}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {standing.some((a) => a.revokedAt === null) ? (
        <p className="hint">While a standing approval is live, the gates it passes do not stop for you; revoke it to be asked again.</p>
      ) : null}
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
