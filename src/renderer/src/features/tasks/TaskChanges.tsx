import type { TaskPatchView } from '../../../../shared/channels/changes';
import type { AgentEvent } from '../../../../shared/domain/events';
import { DiffViewer } from '../changes/DiffViewer';
import { Iterations } from '../changes/Iterations';
import { iterationsFromEvents } from '../changes/iterations';

const SOURCE_TITLE: Record<TaskPatchView['source'], string> = {
  workspace: 'Current change (task workspace)',
  kept: 'Kept patch (dry-run)',
  commit: 'Applied commit',
};

/** The worker's iterations with the stop reason, then the current diff. */
export function TaskChanges({ events, patch, maxIterations }: { events: readonly AgentEvent[]; patch: TaskPatchView | null; maxIterations: number }) {
  const { iterations, stop } = iterationsFromEvents(events);
  return (
    <>
      <div className="card" id="task-iterations">
        <Iterations iterations={iterations} stop={stop} maxIterations={maxIterations} />
      </div>
      <div className="card" id="task-diff" data-patch-source={patch?.source ?? 'none'}>
        {patch ? (
          <>
            <DiffViewer patch={patch.patch} sha256={patch.sha256} title={SOURCE_TITLE[patch.source]} />
            {patch.commit ? (
              <p className="muted">
                Commit <span className="mono">{patch.commit}</span>
              </p>
            ) : null}
            {patch.truncated ? <p className="muted">The patch is too long to show whole; its hash covers all of it.</p> : null}
          </>
        ) : (
          <section className="chg-section" aria-labelledby="diff-title">
            <h3 id="diff-title">Changes</h3>
            <p className="empty">No change yet: the worker has not written anything.</p>
          </section>
        )}
      </div>
    </>
  );
}
