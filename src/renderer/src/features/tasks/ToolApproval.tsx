import { useEffect, useState } from 'react';
import type { ChannelOutput } from '../../../../shared/contract';
import type { GrantScope } from '../../../../shared/channels/tools';
import type { Task } from '../../../../shared/domain/task';
import { api } from '../../api';
import { windowActor } from './actor';
import { useIntervention } from './use-intervention';
import './task-controls.css';

type Pending = ChannelOutput<'getPendingToolCall'>;

const SCOPES: { scope: GrantScope; label: string }[] = [
  { scope: 'once', label: 'Approve once' },
  { scope: 'task', label: 'Approve for this task' },
  { scope: 'always', label: 'Always allow this tool' },
];

/** The tool call a task waits on, with approval once, for the task, or always (grants are revocable below). */
export function ToolApproval({ task }: { task: Task }) {
  const { busy, error, run } = useIntervention();
  const [pending, setPending] = useState<Pending>(null);
  const [denying, setDenying] = useState(false);
  const [reason, setReason] = useState('');

  useEffect(() => {
    let live = true;
    void api.getPendingToolCall({ id: task.id }).then((r) => {
      if (live && r.ok) setPending(r.value);
    });
    return () => {
      live = false;
    };
  }, [task.id, task.updatedAt]);

  const reasonId = `tool-deny-${task.id}`;
  return (
    <>
      {pending ? (
        <div className="tool-call">
          <p>
            The agent wants to call <strong className="mono">{pending.tool}</strong> with:
          </p>
          <pre className="gov-pre mono">{JSON.stringify(pending.arguments, null, 2)}</pre>
        </div>
      ) : null}
      {denying ? (
        <>
          <label htmlFor={reasonId}>Why deny?</label>
          <textarea id={reasonId} rows={2} value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
        </>
      ) : null}
      <div className="actions">
        {!denying &&
          SCOPES.map((s) => (
            <button key={s.scope} type="button" className={s.scope === 'once' ? undefined : 'secondary'} disabled={busy} onClick={() => void run(() => api.approveToolCall({ id: task.id, actor: windowActor, scope: s.scope }))}>
              {s.label}
            </button>
          ))}
        {denying ? (
          <>
            <button type="button" className="danger" disabled={busy || reason.trim().length === 0} onClick={() => void run(() => api.deny({ id: task.id, actor: windowActor, gate: 'tool', reason }))}>
              Deny
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setDenying(false)}>
              Back
            </button>
          </>
        ) : (
          <button type="button" className="secondary" disabled={busy} onClick={() => setDenying(true)}>
            Deny…
          </button>
        )}
      </div>
      {error ? (
        <p className="control-error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
