import { useState } from 'react';
import type { TaskPatchView } from '../../../../shared/channels/changes';
import type { Task } from '../../../../shared/domain/task';
import { api } from '../../api';
import { href } from '../../router';
import { useAppStore } from '../../store/store';
import { windowActor } from '../tasks/actor';
import { startEditedRetry } from './draft';
import { PatchActions } from './PatchActions';
import { PromotePanel } from './PromotePanel';
import './outcome.css';

const ENDED = new Set(['completed', 'failed', 'cancelled']);

/** What can be done with a task's result: retry or edit and resubmit, promote a dry-run, take the patch. */
export function TaskOutcome({ task, patch, revision }: { task: Task; patch: TaskPatchView | null; revision: number }) {
  const [error, setError] = useState<string | null>(null);
  const [retried, setRetried] = useState<string | null>(null);
  const upsertTasks = useAppStore((s) => s.upsertTasks);
  const ended = ENDED.has(task.state.kind);
  const canRetry = task.state.kind === 'failed' || task.state.kind === 'cancelled';

  const retry = async () => {
    setError(null);
    const r = await api.retryTask({ id: task.id, actor: windowActor });
    if (!r.ok) return setError(r.error.message);
    upsertTasks([r.value]);
    setRetried(r.value.id);
  };

  return (
    <section className="card outcome" aria-labelledby="outcome-title">
      <h3 id="outcome-title">Result</h3>
      {task.retryOf ? (
        <p className="muted">
          Retry of <a href={href({ page: 'task', id: task.retryOf })}>{task.retryOf}</a>
        </p>
      ) : null}
      {ended ? (
        <div className="outcome-actions" role="group" aria-label="Run again">
          {canRetry ? (
            <button type="button" onClick={() => void retry()}>
              Retry
            </button>
          ) : null}
          <button type="button" className="secondary" onClick={() => startEditedRetry(task)}>
            Edit and resubmit
          </button>
          {retried ? (
            <span role="status">
              Queued <a href={href({ page: 'task', id: retried })}>{retried}</a>
            </span>
          ) : null}
        </div>
      ) : (
        <p className="muted">The task is still running; its result appears here when it ends.</p>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {task.mode === 'dry-run' && task.state.kind === 'completed' ? <PromotePanel task={task} revision={revision} /> : null}
      <PatchActions taskId={task.id} patch={patch} />
    </section>
  );
}
