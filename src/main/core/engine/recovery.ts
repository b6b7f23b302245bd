import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { finishStepRun, startedStepRuns } from '../db/queries/step-runs';
import { ensureRuntime, saveRuntime } from '../db/queries/task-runtime';
import { getTask } from '../db/queries/tasks';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { raceSignal } from '../common/abort';
import { isRunnable, STEP_FOR_PHASE, type WorkPhase } from './phases';
import type { EngineSettings } from './settings';
import type { StepSet } from './step';

/*
 * How the engine finds its way back: attempts a dead process left started, tasks the watchdog finds
 * active with nothing executing, and the workspace cleanup of finished tasks (run again after a
 * restart until it is recorded). Each writes its journal entry before the engine acts on it.
 */

export type RecoveryDeps = { db: Db; journal: Journal; clock: Clock; logger: Logger; settings: EngineSettings };

/**
 * Attempts still marked started belong to a process that died; each is recorded as interrupted and
 * journaled as recovered. Returns the tasks to fail (cut short too many times in a row) with why.
 */
export function recoverInterruptedSteps(deps: RecoveryDeps): { taskId: string; reason: string }[] {
  const toFail: { taskId: string; reason: string }[] = [];
  for (const stepRun of startedStepRuns(deps.db)) {
    try {
      let failReason: string | undefined;
      deps.journal.transaction(() => {
        finishStepRun(deps.db, stepRun.id, 'interrupted', deps.clock.now(), { code: 'interrupted', message: 'the app stopped while the step ran' });
        const task = getTask(deps.db, stepRun.taskId);
        if (!task || task.state.kind !== stepRun.phase) return;
        const rt = ensureRuntime(deps.db, stepRun.taskId, deps.settings.timeBudgetMs);
        rt.interruptions++;
        saveRuntime(deps.db, rt);
        const step = STEP_FOR_PHASE[stepRun.phase as WorkPhase] ?? stepRun.phase;
        if (rt.interruptions > deps.settings.maxInterruptions) {
          failReason = `the ${step} step was cut short by ${rt.interruptions} restarts in a row`;
        }
        deps.journal.append(
          stepRun.taskId,
          {
            type: 'task.recovered',
            payload: {
              cause: 'restart',
              phase: task.state.kind,
              action: failReason ? 'fail' : 'retry',
              reason: `the app stopped while the ${step} step ran (attempt ${stepRun.attempt})`,
            },
          },
          `${stepRun.taskId}:run${stepRun.id}:recovered`,
        );
      });
      if (failReason) toFail.push({ taskId: stepRun.taskId, reason: failReason });
    } catch (e) {
      deps.logger.error({ err: e, taskId: stepRun.taskId }, 'could not recover an interrupted step');
    }
  }
  return toFail;
}

/**
 * Counts how often each runnable task was seen with nothing executing; a task seen that way twice in
 * a row is reported once (and its count starts again).
 */
export class StallWatch {
  private readonly suspects = new Map<string, number>();

  /** `runnable` are the tasks in runnable states now; `tracked` says whether the engine holds one. */
  check(runnable: Iterable<string>, tracked: (taskId: string) => boolean): string[] {
    const seen = new Set<string>();
    const stalled: string[] = [];
    for (const taskId of runnable) {
      seen.add(taskId);
      if (tracked(taskId)) {
        this.suspects.delete(taskId);
        continue;
      }
      const count = (this.suspects.get(taskId) ?? 0) + 1;
      this.suspects.set(taskId, count);
      if (count >= 2) {
        this.suspects.delete(taskId);
        stalled.push(taskId);
      }
    }
    for (const id of this.suspects.keys()) if (!seen.has(id)) this.suspects.delete(id);
    return stalled;
  }

  forget(taskId: string): void {
    this.suspects.delete(taskId);
  }
}

/**
 * Journals a stall the watchdog found; returns 'fail' once the task kept stalling past the limit,
 * 'retry' otherwise, or undefined when the task is no longer runnable.
 */
export function recordStall(deps: RecoveryDeps, taskId: string): 'fail' | 'retry' | undefined {
  let action: 'fail' | 'retry' | undefined;
  deps.journal.transaction(() => {
    const task = getTask(deps.db, taskId);
    if (!task || !isRunnable(task.state)) return;
    const rt = ensureRuntime(deps.db, taskId, deps.settings.timeBudgetMs);
    rt.stalls++;
    action = rt.stalls > deps.settings.maxStalls ? 'fail' : 'retry';
    saveRuntime(deps.db, rt);
    deps.journal.append(
      taskId,
      {
        type: 'task.recovered',
        payload: {
          cause: 'watchdog',
          phase: task.state.kind,
          action,
          reason: `the task was ${task.state.kind.replace('_', ' ')} with nothing executing`,
        },
      },
      `${taskId}:c${rt.commands}:stall${rt.stalls}`,
    );
  });
  return action;
}

/**
 * Runs the step set's cleanup for a finished task (bounded by the cleanup timeout) and journals how
 * it went. `isStopped` is asked before writing: nothing is written once the engine stopped.
 */
export async function cleanUpTask(
  deps: RecoveryDeps,
  steps: StepSet,
  cleanup: NonNullable<StepSet['cleanup']>,
  taskId: string,
  isStopped: () => boolean,
): Promise<void> {
  const task = getTask(deps.db, taskId);
  if (!task) return;
  let status: 'done' | 'failed' = 'done';
  let message = 'workspace cleaned up';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new AppFailure('timeout', 'cleanup timed out')), deps.settings.cleanupTimeoutMs);
  try {
    await raceSignal(cleanup.call(steps, { taskId, task, signal: controller.signal, logger: deps.logger.child({ taskId }) }), controller.signal);
  } catch (e) {
    status = 'failed';
    message = `cleanup failed: ${e instanceof Error ? e.message : String(e)}`;
    deps.logger.warn({ err: e, taskId }, 'workspace cleanup failed');
  } finally {
    clearTimeout(timer);
  }
  if (isStopped()) return;
  deps.journal.transaction(() => {
    const rt = ensureRuntime(deps.db, taskId, deps.settings.timeBudgetMs);
    rt.cleanup = status;
    saveRuntime(deps.db, rt);
    deps.journal.append(taskId, { type: 'task.cleanup', payload: { status, message } }, `${taskId}:cleanup`);
  });
}
