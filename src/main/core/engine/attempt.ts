import type { Priority } from '../../../shared/domain/task';
import type { Db } from '../db/open';
import { insertStepRun } from '../db/queries/step-runs';
import { getRuntime, type TaskRuntime } from '../db/queries/task-runtime';
import type { Clock, Journal } from '../journal/journal';
import type { AttemptHandle } from './context';
import { ROUND_OF_PHASE, STEP_FOR_PHASE, type StepName, type WorkPhase } from './phases';
import { stepTimeout, type EngineSettings } from './settings';
import type { StepContext, StepSet } from './step';

/*
 * One attempt at one step: its in-memory record, the journal entry that starts it, its time limit
 * and the call into the step set. The engine owns the worker slots and decides what happens next.
 */

export type AbortCause = 'paused' | 'cancelled' | 'failed' | 'timeout' | 'shutdown';

/** One attempt at one step, from admission to settling. */
export type Run = {
  taskId: string;
  phase: WorkPhase;
  step: StepName;
  round: number;
  version: number;
  worker: number;
  controller: AbortController;
  abortCause: AbortCause | undefined;
  /** Set when the attempt timed out because the task's time budget ran out (not the step's own limit). */
  budgetLimited: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  handle: AttemptHandle | undefined;
  startedAt: number;
  priority: Priority;
  /** Resolves once the run gave its worker slot back. */
  released: Promise<void>;
  release: () => void;
};

/** A new run for the task's current work phase, holding worker slot `worker`. */
export function newRun(
  taskId: string,
  phase: WorkPhase,
  priority: Priority,
  rt: TaskRuntime,
  worker: number,
  now: number,
): Run {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    taskId,
    phase,
    step: STEP_FOR_PHASE[phase],
    priority,
    round: ROUND_OF_PHASE[phase] === 'plan' ? rt.planRounds : rt.execRounds,
    version: rt.version,
    worker,
    controller: new AbortController(),
    abortCause: undefined,
    budgetLimited: false,
    timer: undefined,
    handle: undefined,
    startedAt: now,
    released,
    release,
  };
}

export type AttemptDeps = { db: Db; journal: Journal; clock: Clock; settings: EngineSettings };

/**
 * Aborts the attempt when it outlives its step's limit or what is left of the task's time
 * budget. Re-checked when it fires, so a budget raised meanwhile (modifyTask) counts.
 */
export function armTimeout(deps: AttemptDeps, run: Run, isStopped: () => boolean, onExpire: () => void): void {
  const check = () => {
    run.timer = undefined;
    if (run.abortCause || isStopped()) return;
    const rt = getRuntime(deps.db, run.taskId);
    const elapsed = deps.clock.now() - run.startedAt;
    const stepLeft = stepTimeout(deps.settings, run.step) - elapsed;
    const budgetLeft = (rt ? rt.timeBudgetMs - rt.activeMs : 0) - elapsed;
    const left = Math.min(stepLeft, budgetLeft);
    if (left > 0) {
      run.timer = setTimeout(check, left);
      return;
    }
    run.budgetLimited = budgetLeft < stepLeft;
    onExpire();
  };
  check();
}

export function invokeStep(steps: StepSet, step: StepName, ctx: StepContext): Promise<unknown> {
  switch (step) {
    case 'plan':
      return steps.plan(ctx);
    case 'reviewPlan':
      return steps.reviewPlan(ctx);
    case 'execute':
      return steps.execute(ctx);
    case 'verify':
      return steps.verify(ctx);
    case 'reviewChange':
      return steps.reviewChange(ctx);
    case 'apply':
      return steps.apply(ctx);
    default: {
      const never: never = step;
      throw new Error(`unknown step ${String(never)}`);
    }
  }
}

/** Journals the attempt (and who took it) before the step runs. */
export function startAttempt(deps: AttemptDeps, run: Run): AttemptHandle {
  return deps.journal.transaction(() => {
    const now = deps.clock.now();
    const stepRun = insertStepRun(deps.db, { taskId: run.taskId, version: run.version, phase: run.phase, round: run.round, startedAt: now });
    deps.journal.append(
      run.taskId,
      { type: 'worker.assigned', payload: { workerId: `worker-${run.worker}`, step: run.step, phase: run.phase, attempt: stepRun.attempt } },
      `${run.taskId}:run${stepRun.id}:assigned`,
    );
    run.startedAt = now;
    run.handle = {
      taskId: run.taskId,
      step: run.step,
      phase: run.phase,
      round: run.round,
      attempt: stepRun.attempt,
      stepRunId: stepRun.id,
      controller: run.controller,
      deliveredGuidance: [],
      closed: false,
    };
    return run.handle;
  });
}
