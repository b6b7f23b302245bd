import type { Task } from '../../../shared/domain/task';
import type { Db } from '../db/open';
import { consumeGuidance } from '../db/queries/task-guidance';
import { failedAttemptsSince, finishStepRun } from '../db/queries/step-runs';
import type { TaskRuntime } from '../db/queries/task-runtime';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { formatMs } from './async';
import type { Run } from './attempt';
import type { AttemptHandle } from './context';
import { classifyError, type ClassifiedError } from './errors';
import { backoffDelay } from './retry';
import { stepTimeout, type EngineSettings } from './settings';

/*
 * What a settled attempt writes inside the transaction that records its outcome: the step run's
 * final status, the task's runtime counters, and on failure whether (and when) to retry. Each
 * `within` vetoes the lifecycle event (returns false) when the task moved on meanwhile.
 */

export type OutcomeDeps = { db: Db; journal: Journal; clock: Clock; logger: Logger; settings: EngineSettings; random: () => number };

type Within = (task: Task, rt: TaskRuntime) => boolean;

function movedOn(run: Run, task: Task, rt: TaskRuntime): boolean {
  return rt.version !== run.version || task.state.kind !== run.phase;
}

export function successRecorder(deps: OutcomeDeps, run: Run, handle: AttemptHandle, durationMs: number): Within {
  return (task, rt) => {
    if (movedOn(run, task, rt)) {
      finishStepRun(deps.db, handle.stepRunId, 'aborted', deps.clock.now(), { code: 'stale', message: 'the task moved on' });
      return false;
    }
    finishStepRun(deps.db, handle.stepRunId, 'succeeded', deps.clock.now());
    consumeGuidance(deps.db, handle.deliveredGuidance, handle.stepRunId);
    rt.activeMs += durationMs;
    rt.interruptions = 0;
    rt.stalls = 0;
    return true;
  };
}

/** Why the attempt failed: its own error, or the step's limit or the task's budget running out. */
export function classifyRunError(run: Run, error: unknown, settings: EngineSettings): ClassifiedError {
  if (run.abortCause !== 'timeout') return classifyError(error);
  return run.budgetLimited
    ? { code: 'timeout', message: 'the task used up its time budget', retryable: false }
    : { code: 'timeout', message: `the ${run.step} step timed out after ${formatMs(stepTimeout(settings, run.step))}`, retryable: true };
}

/**
 * Records a failed attempt. A retryable failure with attempts and budget left is journaled as a
 * retry (`retryIn` then says when) and vetoes the `step.failed` event; otherwise the event applies
 * and `classified.message` says why the engine gave up.
 */
export function failureRecorder(
  deps: OutcomeDeps,
  run: Run,
  classified: ClassifiedError,
  error: unknown,
  durationMs: number,
): { within: Within; retryIn(): number | undefined } {
  let retryIn: number | undefined;
  const handle = run.handle;
  const within: Within = (task, rt) => {
    if (movedOn(run, task, rt)) {
      if (handle) finishStepRun(deps.db, handle.stepRunId, 'aborted', deps.clock.now(), { code: 'stale', message: 'the task moved on' });
      return false;
    }
    if (!handle) {
      // Failed before the attempt began (admission refused, task unreadable): just try again.
      deps.logger.warn({ taskId: run.taskId, err: error }, 'a step could not start; trying again');
      retryIn = backoffDelay(deps.settings.retry, 1, deps.random, classified.retryAfterMs);
      return false;
    }
    finishStepRun(deps.db, handle.stepRunId, 'failed', deps.clock.now(), { code: classified.code, message: classified.message });
    rt.activeMs += durationMs;
    const failures = failedAttemptsSince(deps.db, run.taskId, run.phase, run.version);
    const budgetLeft = rt.timeBudgetMs - rt.activeMs > 0;
    if (classified.retryable && failures < deps.settings.retry.maxAttempts && budgetLeft) {
      retryIn = backoffDelay(deps.settings.retry, failures, deps.random, classified.retryAfterMs);
      deps.journal.append(
        run.taskId,
        {
          type: 'step.retry',
          payload: { phase: run.phase, attempt: handle.attempt, code: classified.code, message: classified.message, delayMs: retryIn },
        },
        `${run.taskId}:run${handle.stepRunId}:retry`,
      );
      return false;
    }
    if (classified.retryable) {
      classified.message = budgetLeft
        ? `${classified.message} (gave up after ${failures} attempts)`
        : `${classified.message} (time budget of ${formatMs(rt.timeBudgetMs)} used up)`;
    }
    return true;
  };
  return { within, retryIn: () => retryIn };
}
