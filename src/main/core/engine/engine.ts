// Over 400 lines on purpose: the worker slots, live runs and queue share private state; effects, recovery, attempts and outcomes live beside it.
import type { ApprovalScope, StandingApproval } from '../../../shared/channels/intervention';
import type { Actor, AgentEvent } from '../../../shared/domain/events';
import type { ApprovalGate, Task } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { finishStepRun } from '../db/queries/step-runs';
import { ensureRuntime, runtimesWithCleanup, taskIdsInStates, type TaskRuntime } from '../db/queries/task-runtime';
import { getTask } from '../db/queries/tasks';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { acquireStepSlot, admitEverything, type StepAdmission } from './admission';
import { raceSignal } from '../common/abort';
import { formatMs, settledWithin } from './async';
import { armTimeout, invokeStep, newRun, startAttempt, type AbortCause, type AttemptDeps, type Run } from './attempt';
import { BreakerRegistry, type BreakerState } from './breaker';
import { createStepContext } from './context';
import { applyEvent, type Applied, type EffectDeps } from './effects';
import { TransitionRejected } from './errors';
import { isRunnable, isWorkPhase, WORK_PHASES, type StepName } from './phases';
import { ReadyQueue } from './ready-queue';
import { cleanUpTask, recordStall, recoverInterruptedSteps, StallWatch, type RecoveryDeps } from './recovery';
import { resolveEngineSettings, type EngineSettings, type EngineSettingsInput } from './settings';
import { toStepResult, type StepSet } from './step';
import { classifyRunError, failureRecorder, successRecorder, type OutcomeDeps } from './step-outcome';
import { revokeStandingApproval } from './standing-approvals';
import type { EngineEvent } from './transitions';

export type TaskEngineOptions = {
  db: Db;
  journal: Journal;
  clock: Clock;
  logger: Logger;
  steps: StepSet;
  settings?: EngineSettingsInput;
  /** The scheduler's admission control; everything is admitted at once without it. */
  admission?: StepAdmission;
  /** Source of retry jitter (0..1). */
  random?: () => number;
};

export type ModifyLimits = { maxIterations?: number | undefined; timeBudgetMs?: number | undefined };

export type EngineStatus = {
  running: { taskId: string; step: StepName; worker: number }[];
  queued: number;
  retrying: number;
  breakers: Record<string, BreakerState>;
};

const RUNNABLE_KINDS = ['queued', ...WORK_PHASES] as const;

/**
 * The durable task engine. Every change is journaled before it is acted on: a state change and its
 * events, projection and bookkeeping commit in one transaction, and only then are steps started
 * or aborted. A process killed at any instant restarts into the right place (see `start`).
 */
export class TaskEngine {
  readonly settings: EngineSettings;
  private readonly db: Db;
  private readonly journal: Journal;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly steps: StepSet;
  private readonly admission: StepAdmission;
  private readonly random: () => number;
  private readonly breakers: BreakerRegistry;
  private readonly effectDeps: EffectDeps;
  private readonly recoveryDeps: RecoveryDeps;
  private readonly attemptDeps: AttemptDeps;
  private readonly outcomeDeps: OutcomeDeps;

  private readonly queue = new ReadyQueue();
  /** The live attempt of each task. */
  private readonly runs = new Map<string, Run>();
  /** Aborted attempts whose step has not settled yet; they keep their worker slot for a grace period. */
  private readonly draining = new Map<string, Run>();
  private readonly backoff = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly cleaning = new Map<string, Promise<void>>();
  private readonly stalls = new StallWatch();
  private readonly freeWorkers: number[] = [];
  private nextWorker = 1;
  private busy = 0;
  private started = false;
  private stopped = false;
  private pumpQueued = false;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(options: TaskEngineOptions) {
    this.db = options.db;
    this.journal = options.journal;
    this.clock = options.clock;
    this.logger = options.logger.child({ component: 'engine' });
    this.steps = options.steps;
    this.admission = options.admission ?? admitEverything;
    this.random = options.random ?? Math.random;
    this.settings = resolveEngineSettings(options.settings);
    this.breakers = new BreakerRegistry(this.settings.breaker, this.clock);
    const { db, journal, clock } = this;
    this.effectDeps = { db, journal, clock, timeBudgetMs: this.settings.timeBudgetMs, hasCleanup: this.steps.cleanup !== undefined };
    this.recoveryDeps = { db, journal, clock, logger: this.logger, settings: this.settings };
    this.attemptDeps = { db, journal, clock, settings: this.settings };
    this.outcomeDeps = { db, journal, clock, logger: this.logger, settings: this.settings, random: this.random };
  }

  /**
   * Recovers every unfinished task from the journal, then starts taking work. A step that was
   * running when the process died is retried (its journaled effects stay done); a paused task
   * stays paused; a pending approval stays pending; a cleanup that did not finish runs again.
   */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const { taskId, reason } of recoverInterruptedSteps(this.recoveryDeps)) this.failTask(taskId, reason);
    for (const id of taskIdsInStates(this.db, RUNNABLE_KINDS)) this.enqueue(id);
    for (const id of runtimesWithCleanup(this.db, 'pending')) this.scheduleCleanup(id);
    this.unsubscribe = this.journal.subscribe((event) => this.onJournalEvent(event));
    if (this.settings.watchdogIntervalMs > 0) {
      this.watchdog = setInterval(() => this.checkForStalls(), this.settings.watchdogIntervalMs);
      this.watchdog.unref?.();
    }
    this.logger.info({ concurrency: this.settings.concurrency, queued: this.queue.size }, 'task engine started');
    this.schedulePump();
  }

  /**
   * Stops taking work and aborts what runs. Attempts cut short are recorded as aborted so the next
   * start runs them again; nothing is written after this returns (the database may close).
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    if (this.watchdog) clearInterval(this.watchdog);
    for (const timer of this.backoff.values()) clearTimeout(timer);
    this.backoff.clear();
    this.queue.clear();
    // Aborted attempts still winding down are recorded too: nothing is written after this.
    const live = [...this.runs.values(), ...this.draining.values()];
    this.runs.clear();
    try {
      this.db.transaction(() => {
        for (const run of live) {
          if (!run.handle) continue;
          const cause = run.abortCause ?? 'shutdown';
          finishStepRun(this.db, run.handle.stepRunId, 'aborted', this.clock.now(), { code: cause, message: `step aborted: ${cause}` });
        }
      })();
    } catch (e) {
      this.logger.warn({ err: e }, 'could not record aborted steps at shutdown; they will be recovered as interrupted');
    }
    for (const run of live) {
      clearTimeout(run.timer);
      run.abortCause ??= 'shutdown';
      run.controller.abort(new AppFailure('unavailable', 'the app is stopping'));
    }
    this.resolveIdle();
  }

  // ---- commands (window, CLI, API all come through here) -------------------------------------

  pause(taskId: string, actor: Actor): Task {
    return this.command(taskId, { type: 'pause', actor });
  }

  resume(taskId: string, actor: Actor): Task {
    return this.command(taskId, { type: 'resume', actor });
  }

  /** Cancels at once: the state is final when this returns; the step in flight is aborted. */
  cancel(taskId: string, actor: Actor, reason?: string): Task {
    return this.command(taskId, { type: 'cancel', actor, reason });
  }

  guide(taskId: string, actor: Actor, text: string): Task {
    return this.command(taskId, { type: 'guide', actor, text });
  }

  override(taskId: string, actor: Actor, decision: 'accept' | 'reject', reason: string): Task {
    return this.command(taskId, { type: 'override', actor, decision, reason });
  }

  modify(taskId: string, actor: Actor, limits: ModifyLimits): Task {
    return this.command(taskId, { type: 'modify', actor, ...limits });
  }

  /** `scope` beyond `once` also passes later gates of this task on its own (see `standingApprovalCovering`). */
  approve(taskId: string, actor: Actor, gate?: ApprovalGate, scope: ApprovalScope = 'once'): Task {
    return this.command(taskId, { type: 'approve', actor, gate, scope });
  }

  /** Revokes a standing approval of the task; later gates stop for a human again. Journaled. */
  revokeApproval(taskId: string, approvalId: number, actor: Actor): StandingApproval {
    if (this.stopped) throw new AppFailure('unavailable', 'the task engine has stopped');
    return revokeStandingApproval({ db: this.db, journal: this.journal, clock: this.clock }, { taskId, approvalId, actor });
  }

  deny(taskId: string, actor: Actor, reason: string, gate?: ApprovalGate): Task {
    return this.command(taskId, { type: 'deny', actor, gate, reason });
  }

  /** Hands a task to the workers (new tasks arrive here through the journal on their own). */
  enqueue(taskId: string): void {
    if (this.stopped) return;
    if (this.runs.has(taskId)) return;
    const task = getTask(this.db, taskId);
    if (!task || !isRunnable(task.state)) return;
    const timer = this.backoff.get(taskId);
    if (timer) {
      clearTimeout(timer);
      this.backoff.delete(taskId);
    }
    this.queue.add(taskId, task.priority);
    this.schedulePump();
  }

  status(): EngineStatus {
    return {
      running: [...this.runs.values()].map((r) => ({ taskId: r.taskId, step: r.step, worker: r.worker })),
      queued: this.queue.size,
      retrying: this.backoff.size,
      breakers: this.breakers.states(),
    };
  }

  /** Resolves when nothing runs, waits for a retry, drains or cleans up (tests, benchmarks, shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- journal-first state changes ------------------------------------------------------------

  private command(taskId: string, event: EngineEvent): Task {
    if (this.stopped) throw new AppFailure('unavailable', 'the task engine has stopped');
    const applied = this.apply(taskId, event);
    if (!applied) throw new AppFailure('conflict', 'the task changed meanwhile; try again');
    this.act(taskId, applied);
    return applied.task;
  }

  /** Applies one lifecycle event in one transaction (see `applyEvent`); `within` may veto it. */
  private apply(
    taskId: string,
    event: EngineEvent | (() => EngineEvent),
    within?: (task: Task, rt: TaskRuntime) => boolean,
  ): Applied | undefined {
    return applyEvent(this.effectDeps, taskId, event, within);
  }

  /** The effects that touch the world outside the database, after their records committed. */
  private act(taskId: string, applied: Applied): void {
    for (const effect of applied.effects) {
      if (effect.kind === 'schedule') this.enqueue(taskId);
      else if (effect.kind === 'abort_step') this.abortRun(taskId, effect.reason);
      else if (effect.kind === 'cleanup') this.scheduleCleanup(taskId);
    }
    if (!isRunnable(applied.state)) {
      this.queue.delete(taskId);
      const timer = this.backoff.get(taskId);
      if (timer) {
        clearTimeout(timer);
        this.backoff.delete(taskId);
      }
    }
    this.resolveIdle();
  }

  // ---- workers ----------------------------------------------------------------------------------

  private schedulePump(): void {
    if (this.pumpQueued || this.stopped) return;
    this.pumpQueued = true;
    // Deferred so that work never starts inside a journal listener or a caller's transaction.
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.started || this.stopped) return;
    while (this.busy < this.settings.concurrency) {
      const taskId = this.queue.take();
      if (taskId === undefined) break;
      if (this.runs.has(taskId)) continue;
      const run = this.prepare(taskId);
      if (run) void this.execute(run);
    }
    this.resolveIdle();
  }

  /**
   * Takes a worker slot for the task's next step: admits a queued task, checks the time budget,
   * and registers the run before anything can await, so a pause or cancel always finds it.
   */
  private prepare(taskId: string): Run | undefined {
    try {
      let task = getTask(this.db, taskId);
      if (!task) return undefined;
      if (task.state.kind === 'queued') {
        // The admission's own `schedule` effect is this very run.
        const applied = this.apply(taskId, { type: 'admit' });
        if (!applied) return undefined;
        task = applied.task;
        if (!isWorkPhase(task.state.kind)) {
          this.act(taskId, applied);
          return undefined;
        }
      }
      const phase = task.state.kind;
      if (!isWorkPhase(phase)) return undefined;
      const rt = ensureRuntime(this.db, taskId, this.settings.timeBudgetMs);
      const remaining = rt.timeBudgetMs - rt.activeMs;
      if (remaining <= 0) {
        this.failTask(taskId, `time budget of ${formatMs(rt.timeBudgetMs)} used up`);
        return undefined;
      }
      const worker = this.freeWorkers.pop() ?? this.nextWorker++;
      this.busy++;
      const run = newRun(taskId, phase, task.priority, rt, worker, this.clock.now());
      this.runs.set(taskId, run);
      this.stalls.forget(taskId);
      return run;
    } catch (e) {
      this.logger.error({ err: e, taskId }, 'could not start the next step');
      return undefined;
    }
  }

  private async execute(run: Run): Promise<void> {
    const { signal } = run.controller;
    let slot: { release(): void } | undefined;
    let stepPromise: Promise<unknown> | undefined;
    try {
      // A redo waits for the attempt it replaces to wind down (bounded by the grace period).
      await this.draining.get(run.taskId)?.released;
      slot = await acquireStepSlot(this.admission, run, signal);
      if (signal.aborted) throw signal.reason;
      const handle = startAttempt(this.attemptDeps, run);
      const ctx = createStepContext(
        { db: this.db, journal: this.journal, clock: this.clock, logger: this.logger, breakers: this.breakers, isOpen: () => !this.stopped },
        handle,
        getTaskOrThrow(this.db, run.taskId, signal),
      );
      armTimeout(this.attemptDeps, run, () => this.stopped, () => this.abortRun(run.taskId, 'timeout', run));
      stepPromise = Promise.resolve().then(() => invokeStep(this.steps, run.step, ctx));
      const raw = await raceSignal(stepPromise, signal);
      clearTimeout(run.timer);
      slot.release();
      slot = undefined;
      this.succeed(run, raw);
    } catch (error) {
      clearTimeout(run.timer);
      slot?.release();
      slot = undefined;
      if (stepPromise) await settledWithin(stepPromise, this.settings.abortGraceMs);
      this.fail(run, error);
    } finally {
      if (run.handle) run.handle.closed = true;
      slot?.release();
      this.releaseWorker(run);
    }
  }

  private succeed(run: Run, raw: unknown): void {
    if (this.stopped) return;
    if (this.isStale(run)) {
      this.markAborted(run);
      return;
    }
    const handle = run.handle!;
    let result;
    try {
      result = toStepResult(run.step, raw);
    } catch (e) {
      this.fail(run, new AppFailure('internal', `the ${run.step} step returned an invalid result: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    const durationMs = Math.max(0, this.clock.now() - run.startedAt);
    let applied: Applied | undefined;
    try {
      applied = this.apply(run.taskId, { type: 'step.succeeded', phase: run.phase, result, durationMs }, successRecorder(this.outcomeDeps, run, handle, durationMs));
    } catch (e) {
      if (e instanceof TransitionRejected) {
        this.fail(run, new AppFailure('internal', e.message));
        return;
      }
      throw e;
    }
    this.detach(run);
    if (applied) this.act(run.taskId, applied);
  }

  private fail(run: Run, error: unknown): void {
    if (this.stopped) return;
    if (this.isStale(run)) {
      this.markAborted(run);
      return;
    }
    const classified = classifyRunError(run, error, this.settings);
    const durationMs = Math.max(0, this.clock.now() - run.startedAt);
    const recorder = failureRecorder(this.outcomeDeps, run, classified, error, durationMs);
    let applied: Applied | undefined;
    try {
      // The reason is read after `within`, which may add how many attempts were made.
      const failed = (): EngineEvent => ({ type: 'step.failed', phase: run.phase, reason: classified.message });
      applied = this.apply(run.taskId, failed, recorder.within);
    } catch (e) {
      this.logger.error({ err: e, taskId: run.taskId }, 'could not record a step failure');
    }
    this.detach(run);
    if (applied) {
      this.act(run.taskId, applied);
    } else if (recorder.retryIn() !== undefined) {
      this.retryLater(run.taskId, recorder.retryIn()!);
    }
  }

  private retryLater(taskId: string, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.backoff.delete(taskId);
      this.enqueue(taskId);
    }, delayMs);
    this.backoff.set(taskId, timer);
  }

  private isStale(run: Run): boolean {
    return run.abortCause !== undefined && run.abortCause !== 'timeout';
  }

  private markAborted(run: Run): void {
    if (!run.handle || this.stopped) return;
    try {
      finishStepRun(this.db, run.handle.stepRunId, 'aborted', this.clock.now(), { code: run.abortCause ?? 'aborted', message: `step aborted: task ${run.abortCause ?? 'changed'}` });
    } catch (e) {
      this.logger.warn({ err: e, taskId: run.taskId }, 'could not record an aborted step');
    }
  }

  /** Aborts the task's live attempt; its result will be ignored and its slot freed once it settles. */
  private abortRun(taskId: string, cause: AbortCause, only?: Run): void {
    const run = this.runs.get(taskId);
    if (!run || (only && run !== only) || run.abortCause) return;
    run.abortCause = cause;
    if (cause !== 'timeout') {
      this.runs.delete(taskId);
      this.draining.set(taskId, run);
    }
    const reason =
      cause === 'timeout'
        ? new AppFailure('timeout', `the ${run.step} step timed out`)
        : new AppFailure('cancelled', `the task was ${cause === 'failed' ? 'failed' : cause}`);
    run.controller.abort(reason);
  }

  private detach(run: Run): void {
    if (this.runs.get(run.taskId) === run) this.runs.delete(run.taskId);
  }

  private releaseWorker(run: Run): void {
    this.detach(run);
    if (this.draining.get(run.taskId) === run) this.draining.delete(run.taskId);
    this.busy--;
    this.freeWorkers.push(run.worker);
    run.release();
    this.schedulePump();
    this.resolveIdle();
  }

  private failTask(taskId: string, reason: string): void {
    try {
      const applied = this.apply(taskId, { type: 'fail', reason });
      if (applied) this.act(taskId, applied);
    } catch (e) {
      this.logger.error({ err: e, taskId }, 'could not fail the task');
    }
  }

  // ---- cleanup, recovery, watchdog ------------------------------------------------------------

  private scheduleCleanup(taskId: string): void {
    const cleanup = this.steps.cleanup;
    if (!cleanup || this.cleaning.has(taskId) || this.stopped) return;
    const work = (async () => {
      // Let the aborted attempt wind down first, so the workspace is not removed under it.
      await this.draining.get(taskId)?.released;
      if (this.stopped) return;
      await cleanUpTask(this.recoveryDeps, this.steps, cleanup, taskId, () => this.stopped);
    })()
      .catch((e: unknown) => this.logger.error({ err: e, taskId }, 'cleanup bookkeeping failed'))
      .finally(() => {
        this.cleaning.delete(taskId);
        this.resolveIdle();
      });
    this.cleaning.set(taskId, work);
  }

  /**
   * A task must never sit in an active state with nothing executing. A task seen that way twice
   * in a row is retried with a journaled reason, or failed once it keeps happening.
   */
  checkForStalls(): void {
    if (this.stopped || !this.started) return;
    const tracked = (taskId: string) =>
      this.runs.has(taskId) || this.queue.has(taskId) || this.backoff.has(taskId) || this.draining.has(taskId);
    for (const taskId of this.stalls.check(taskIdsInStates(this.db, RUNNABLE_KINDS), tracked)) this.handleStall(taskId);
  }

  private handleStall(taskId: string): void {
    try {
      const action = recordStall(this.recoveryDeps, taskId);
      const fail = action === 'fail';
      this.logger.warn({ taskId, fail }, 'watchdog found a stalled task');
      if (fail) this.failTask(taskId, `the task stalled ${this.settings.maxStalls + 1} times with nothing executing`);
      else this.enqueue(taskId);
    } catch (e) {
      this.logger.error({ err: e, taskId }, 'watchdog could not handle a stalled task');
    }
  }

  private onJournalEvent(event: AgentEvent): void {
    if (event.type === 'task.created') this.enqueue(event.taskId);
  }

  private isIdle(): boolean {
    return (
      this.stopped ||
      (this.runs.size === 0 && this.draining.size === 0 && this.queue.size === 0 && this.backoff.size === 0 && this.cleaning.size === 0 && !this.pumpQueued)
    );
  }

  private resolveIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function getTaskOrThrow(db: Db, taskId: string, signal: AbortSignal): Task {
  if (signal.aborted) throw signal.reason;
  const task = getTask(db, taskId);
  if (!task) throw new AppFailure('not_found', `no task with id ${taskId}`);
  return task;
}
