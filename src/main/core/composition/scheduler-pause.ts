import { ACTIVE_STATES } from '../../../shared/domain/task';
import type { Actor } from '../../../shared/domain/events';
import type { TaskEngine } from '../engine/engine';
import type { Logger } from '../observability/logger';
import type { PauseSignal } from '../scheduler/scheduler';
import type { TaskService } from '../tasks/task-service';

const SCHEDULER: Actor = { who: 'thermal scheduler', via: 'system' };

/**
 * At critical pressure, on suspend and on shutdown the scheduler asks running work to stop at its
 * next safe boundary: every active task is paused. When the pressure clears, the tasks it paused —
 * and only those, never one the user paused — are resumed.
 */
export function bindSchedulerPause(
  deps: { onPause(listener: (s: PauseSignal) => void): () => void; engine: TaskEngine; tasks: TaskService; logger: Logger },
): () => void {
  const pausedByScheduler = new Set<string>();
  return deps.onPause((signal) => {
    if (signal.paused) {
      for (const task of deps.tasks.list({ states: [...ACTIVE_STATES], limit: 500 })) {
        try {
          deps.engine.pause(task.id, SCHEDULER);
          pausedByScheduler.add(task.id);
        } catch (e) {
          deps.logger.warn({ err: e, taskId: task.id }, 'scheduler could not pause task');
        }
      }
      return;
    }
    for (const id of pausedByScheduler) {
      try {
        deps.engine.resume(id, SCHEDULER);
      } catch (e) {
        // The user may have cancelled or resumed it meanwhile; nothing to undo.
        deps.logger.debug({ err: e, taskId: id }, 'scheduler resume skipped');
      }
    }
    pausedByScheduler.clear();
  });
}
