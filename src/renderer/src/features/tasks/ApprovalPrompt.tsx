import { useState } from 'react';
import type { TaskPatchView } from '../../../../shared/channels/changes';
import type { ApprovalScope } from '../../../../shared/channels/intervention';
import type { AgentEvent } from '../../../../shared/domain/events';
import type { Task } from '../../../../shared/domain/task';
import { api } from '../../api';
import { DiffViewer } from '../changes/DiffViewer';
import { windowActor } from './actor';
import { OverrideForm } from './OverrideForm';
import { ToolApproval } from './ToolApproval';
import { useIntervention } from './use-intervention';
import './task-controls.css';

const GATE_TITLE = {
  plan: 'Approve the plan',
  changeset: 'Approve the change',
  apply: 'Approve applying the change',
  tool: 'Approve a tool call',
  escalation: 'The council rejected this',
} as const;

/**
 * Shown while a task waits for a human. The plan approval points at the (editable) spec; the change
 * and apply approvals show the diff being approved with its hash. Ordinary gates take approve (once,
 * for this phase, or for the rest of the task: a standing approval, revocable under Approvals) or
 * deny (with a reason) and, after a council decision, an override with a reason; a council
 * rejection can be overridden, which needs a reason, or confirmed by denying.
 */
export function ApprovalPrompt({ task, events, patch = null }: { task: Task; events: readonly AgentEvent[]; patch?: TaskPatchView | null }) {
  const { busy, error, run } = useIntervention();
  const [reason, setReason] = useState('');
  const [denying, setDenying] = useState(false);
  if (task.state.kind !== 'awaiting_approval') return null;
  const gate = task.state.waitingFor;
  const request = [...events].reverse().find((e) => e.type === 'approval.requested');
  const summary = request?.type === 'approval.requested' ? request.payload.summary : '';
  const escalation = gate === 'escalation';
  // Only strict mode's phase boundaries take a standing approval; a council rejection never does.
  const standable = gate === 'plan' || gate === 'changeset' || gate === 'apply';
  const approve = (scope: ApprovalScope) => void run(() => api.approve({ id: task.id, actor: windowActor, gate, scope }));
  const showsDiff = gate === 'changeset' || gate === 'apply';
  const reasonId = `approval-reason-${task.id}`;
  return (
    <section className="approval-prompt" aria-labelledby={`approval-title-${task.id}`} data-gate={gate}>
      <h3 id={`approval-title-${task.id}`}>{GATE_TITLE[gate]}</h3>
      {summary && <p>{summary}</p>}
      {gate === 'plan' ? (
        <p className="hint">
          Read the <a href="#task-spec" onClick={(e) => scrollTo(e, 'task-spec')}>working spec</a> below; you can edit it before approving.
        </p>
      ) : null}
      {showsDiff ? (
        patch ? (
          <div className="approval-diff">
            <DiffViewer patch={patch.patch} sha256={patch.sha256} title="The change you are approving" idPrefix="approval-diff" maxLinesPerFile={200} />
          </div>
        ) : (
          <p role="status">Loading the change…</p>
        )
      ) : null}
      {gate === 'tool' ? (
        <ToolApproval task={task} />
      ) : (
        <>
          {(escalation || denying) && (
            <>
              <label htmlFor={reasonId}>{escalation ? 'Your reason (recorded in the audit trail)' : 'Why deny?'}</label>
              <textarea id={reasonId} rows={2} value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
            </>
          )}
          <div className="actions">
            {escalation ? (
              <button
                type="button"
                disabled={busy || reason.trim().length < 3}
                onClick={() => void run(() => api.overrideDecision({ id: task.id, actor: windowActor, decision: 'accept', reason }))}
              >
                Override and continue
              </button>
            ) : (
              !denying && (
                <>
                  <button type="button" disabled={busy} onClick={() => approve('once')}>
                    Approve
                  </button>
                  {standable ? (
                    <>
                      <button
                        type="button"
                        className="secondary"
                        disabled={busy}
                        title={`Also approve every later ${gate} approval of this task; revocable under Approvals`}
                        onClick={() => approve('phase')}
                      >
                        Approve for this phase
                      </button>
                      <button
                        type="button"
                        className="secondary"
                        disabled={busy}
                        title="Approve every remaining plan, change and apply approval of this task (never a council rejection); revocable under Approvals"
                        onClick={() => approve('task')}
                      >
                        Approve for the rest of this task
                      </button>
                    </>
                  ) : null}
                </>
              )
            )}
            {!escalation && !denying ? (
              <button type="button" className="secondary" disabled={busy} onClick={() => setDenying(true)}>
                Deny…
              </button>
            ) : (
              <button
                type="button"
                className="danger"
                disabled={busy || reason.trim().length === 0}
                onClick={() => void run(() => api.deny({ id: task.id, actor: windowActor, gate, reason }))}
              >
                Deny
              </button>
            )}
            {denying && !escalation && (
              <button type="button" className="secondary" disabled={busy} onClick={() => setDenying(false)}>
                Back
              </button>
            )}
          </div>
          {(gate === 'plan' || gate === 'apply') && !denying ? <OverrideForm task={task} /> : null}
        </>
      )}
      {error && (
        <p className="control-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function scrollTo(e: { preventDefault(): void }, id: string): void {
  // The app routes on the hash: scroll instead of navigating.
  e.preventDefault();
  document.getElementById(id)?.scrollIntoView({ block: 'start' });
}
