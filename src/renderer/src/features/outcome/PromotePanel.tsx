import { useQuery } from '@tanstack/react-query';
import { AlertDialog } from 'radix-ui';
import { useState } from 'react';
import type { PromoteResult } from '../../../../shared/channels/task-actions';
import type { Task } from '../../../../shared/domain/task';
import { api } from '../../api';
import { unwrap } from '../../queries/client';
import { href } from '../../router';
import { useAppStore } from '../../store/store';
import { windowActor } from '../tasks/actor';

/**
 * Promote a finished dry-run: the kept patch (its hash shown) onto a new branch from the repository's
 * current HEAD, or onto the checked-out branch. When the repository moved so the patch no longer
 * applies, the reason is shown with an offer to re-run the task against the new head.
 */
export function PromotePanel({ task, revision }: { task: Task; revision: number }) {
  const query = useQuery({ queryKey: ['promote-check', task.id, revision], queryFn: () => unwrap(api.checkPromote({ id: task.id })) });
  const check = query.data ?? null;
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<PromoteResult | null>(null);
  const [rerun, setRerun] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [target, setTarget] = useState<'new-branch' | 'current-branch'>('new-branch');
  const upsertTasks = useAppStore((s) => s.upsertTasks);

  const promote = async () => {
    if (!check?.sha256) return;
    setBusy(true);
    setError(null);
    const r = await api.promoteTask({ id: task.id, sha256: check.sha256, actor: windowActor, target });
    setBusy(false);
    if (r.ok) setDone(r.value);
    else setError(r.error.message);
    void query.refetch();
  };

  const reRun = async () => {
    setBusy(true);
    const r = await api.retryTask({ id: task.id, actor: windowActor });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    upsertTasks([r.value]);
    setRerun(r.value.id);
  };

  if (!check) return query.error ? <p className="form-error" role="alert">{query.error.message}</p> : null;
  return (
    <section className="promote" aria-labelledby="promote-title">
      <h3 id="promote-title">Promote this dry-run</h3>
      {check.sha256 ? (
        <p className="muted">
          Kept patch <span className="mono">{check.sha256.slice(0, 16)}…</span> made on <span className="mono">{check.baseCommit?.slice(0, 12) ?? 'a folder'}</span>
          {check.head ? (
            <>
              ; the repository is now at <span className="mono">{check.head.slice(0, 12)}</span>
              {check.moved ? ' (it moved)' : ' (unchanged)'}
            </>
          ) : null}
          .
        </p>
      ) : null}
      {done ? (
        <p className="form-ok" role="status">
          Promoted: {done.commit ? <>commit <span className="mono">{done.commit.slice(0, 12)}</span> on {done.branch ?? 'the current branch'}</> : `${done.files.length} file(s) patched`}.
        </p>
      ) : check.promotedCommit ? (
        <p className="form-ok">
          Promoted as commit <span className="mono">{check.promotedCommit.slice(0, 12)}</span>.
        </p>
      ) : check.reason ? (
        <div className="promote-refused" role="alert">
          <p>Cannot promote: {check.reason}</p>
          {check.offerRerun ? (
            rerun ? (
              <p>
                Re-run queued: <a href={href({ page: 'task', id: rerun })}>{rerun}</a>
              </p>
            ) : (
              <button type="button" disabled={busy} onClick={() => void reRun()}>
                Re-run against the new head
              </button>
            )
          ) : null}
        </div>
      ) : (
        <div className="outcome-actions">
          <label className="radio">
            <input type="radio" name="promote-target" checked={target === 'new-branch'} onChange={() => setTarget('new-branch')} />
            new branch <span className="mono">agent-agency/{task.id}</span>
          </label>
          <label className="radio">
            <input type="radio" name="promote-target" checked={target === 'current-branch'} onChange={() => setTarget('current-branch')} />
            the checked-out branch
          </label>
          {target === 'new-branch' ? (
            <button type="button" disabled={busy} onClick={() => void promote()}>
              {busy ? 'Promoting…' : 'Promote'}
            </button>
          ) : (
            // Committing on the checked-out branch changes the user's working tree: ask first.
            <AlertDialog.Root>
              <AlertDialog.Trigger asChild>
                <button type="button" disabled={busy}>
                  {busy ? 'Promoting…' : 'Promote'}
                </button>
              </AlertDialog.Trigger>
              <AlertDialog.Portal>
                <AlertDialog.Overlay className="dialog-overlay" />
                <AlertDialog.Content className="dialog">
                  <AlertDialog.Title>Commit on the checked-out branch?</AlertDialog.Title>
                  <AlertDialog.Description>
                    The kept patch is applied to the files this change touches in {task.repoPath} and committed on the branch that is checked out. Files with uncommitted
                    changes are never overwritten: the promote is refused instead.
                  </AlertDialog.Description>
                  <div className="outcome-actions">
                    <AlertDialog.Cancel asChild>
                      <button type="button" className="secondary">
                        Cancel
                      </button>
                    </AlertDialog.Cancel>
                    <AlertDialog.Action asChild>
                      <button type="button" onClick={() => void promote()}>
                        Commit on this branch
                      </button>
                    </AlertDialog.Action>
                  </div>
                </AlertDialog.Content>
              </AlertDialog.Portal>
            </AlertDialog.Root>
          )}
        </div>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
