import type { ApprovalScope, StandingApproval } from '../../../shared/channels/intervention';
import type { Actor, AgentEvent } from '../../../shared/domain/events';
import type { ApprovalGate, Priority, Task, TaskState } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { finishStepRun, failedAttemptsSince, insertStepRun, startedStepRuns } from '../db/queries/step-runs';
import { coveredGates, insertStandingApproval, standingApprovalCovering } from '../db/queries/standing-approvals';
import { insertApproval, resolvePendingApproval } from '../db/queries/task-approvals';
import { insertGuidance, consumeGuidance } from '../db/queries/task-guidance';
import {
  ensureRuntime,
  getRuntime,
  runtimesWithCleanup,
  saveRuntime,
  setTaskMaxIterations,
  setTaskProgress,
  setTaskSpec,
  taskIdsInStates,
  type TaskRuntime,
} from '../db/queries/task-runtime';
import { getTask, updateTaskState } from '../db/queries/tasks';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { admitEverything, workPriorityOf, type StepAdmission } from './admission';
import { BreakerRegistry, type BreakerState } from './breaker';
import { createStepContext, type AttemptHandle } from './context';
import { classifyError, TransitionRejected, type ClassifiedError } from './errors';
import { isRunnable, isWorkPhase, ROUND_OF_PHASE, STEP_FOR_PHASE, WORK_PHASES, type StepName, type WorkPhase } from './phases';
import { ReadyQueue } from './ready-queue';
import { backoffDelay } from './retry';
import { resolveEngineSettings, stepTimeout, type EngineSettings, type EngineSettingsInput } from './settings';
import { toStepResult, type StepSet } from './step';
import { revokeStandingApproval } from './standing-approvals';
import { isStandingGate, transition, type Effect, type EngineEvent } from './transitions';

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

type AbortCause = 'paused' | 'cancelled' | 'failed' | 'timeout' | 'shutdown';

/** One attempt at one step, from admission to settling. */
type Run = {
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

type Applied = { task: Task; state: TaskState; effects: Effect[] };

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

  private readonly queue = new ReadyQueue();
  /** The live attempt of each task. */
  private readonly runs = new Map<string, Run>();
  /** Aborted attempts whose step has not settled yet; they keep their worker slot for a grace period. */
  private readonly draining = new Map<string, Run>();
  private readonly backoff = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly cleaning = new Map<string, Promise<void>>();
  private readonly suspects = new Map<string, number>();
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
  }

  /**
   * Recovers every unfinished task from the journal, then starts taking work. A step that was
   * running when the process died is retried (its journaled effects stay done); a paused task
   * stays paused; a pending approval stays pending; a cleanup that did not finish runs again.
   */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.recoverInterruptedSteps();
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

  /**
   * Applies one lifecycle event in one transaction: the transition's events are journaled (with
   * idempotency keys named after the task's command counter), durable effects and the tasks-table
   * projection are written, and nothing else happens until it commits. `within` runs first in the
   * same transaction and may veto the change (returning false) when the caller's view is stale.
   */
  private apply(
    taskId: string,
    event: EngineEvent | (() => EngineEvent),
    within?: (task: Task, rt: TaskRuntime) => boolean,
  ): Applied | undefined {
    return this.journal.transaction(() => {
      const task = getTask(this.db, taskId);
      if (!task) throw new AppFailure('not_found', `no task with id ${taskId}`);
      const rt = ensureRuntime(this.db, taskId, this.settings.timeBudgetMs);
      if (within && !within(task, rt)) {
        saveRuntime(this.db, rt);
        return undefined;
      }
      let applied = this.applyOne(taskId, task, rt, typeof event === 'function' ? event() : event);
      // A gate that a live standing approval covers passes at once, in this same transaction: the
      // request and its grant (naming the standing approval) are journaled together or not at all.
      const waiting = applied.task.state;
      if (waiting.kind === 'awaiting_approval' && isStandingGate(waiting.waitingFor)) {
        const standing = standingApprovalCovering(this.db, taskId, waiting.waitingFor);
        if (standing) {
          const passed = this.applyOne(taskId, applied.task, rt, {
            type: 'approve',
            actor: standing.actor,
            gate: waiting.waitingFor,
            standing: { approvalId: standing.id, scope: standing.scope },
          });
          applied = { ...passed, effects: [...applied.effects, ...passed.effects] };
        }
      }
      saveRuntime(this.db, rt);
      return applied;
    });
  }

  /** One transition inside `apply`'s transaction: journal its events, write its durable effects and the projection. */
  private applyOne(taskId: string, task: Task, rt: TaskRuntime, event: EngineEvent): Applied {
    const outcome = transition(task.state, event, {
      mode: task.mode,
      maxIterations: task.maxIterations,
      planRounds: rt.planRounds,
      execRounds: rt.execRounds,
    });
    if (!outcome.ok) {
      throw new TransitionRejected(outcome.error.code, outcome.error.message, outcome.error.from, outcome.error.event);
    }
    const now = this.clock.now();
    const written = outcome.events.map((e, i) => this.journal.append(taskId, e, `${taskId}:c${rt.commands}:${i}`).event);
    rt.commands++;
    const guidanceEvents = written.filter((e) => e.type === 'task.guidance');
    let guidanceIndex = 0;
    // The task as it is after this transaction, kept in step with the writes below.
    const after: Task = { ...task, updatedAt: now };
    for (const effect of outcome.effects) {
      switch (effect.kind) {
        case 'count_round':
          if (effect.counter === 'plan') rt.planRounds++;
          else rt.execRounds++;
          break;
        case 'store_spec':
          setTaskSpec(this.db, taskId, effect.spec, now);
          after.spec = effect.spec;
          break;
        case 'request_approval':
          insertApproval(this.db, {
            taskId,
            gate: effect.gate,
            phase: effect.phase,
            round: ROUND_OF_PHASE[effect.phase] === 'plan' ? rt.planRounds : rt.execRounds,
            summary: effect.summary,
            requestedAt: now,
          });
          break;
        case 'resolve_approval':
          resolvePendingApproval(this.db, taskId, effect.status, now, effect.actor, effect.reason);
          break;
        case 'grant_standing': {
          const approvalId = insertStandingApproval(this.db, { taskId, scope: effect.scope, gate: effect.gate, actor: effect.actor, createdAt: now });
          this.journal.append(
            taskId,
            {
              type: 'approval.standing',
              payload: { approvalId, gate: effect.gate, scope: effect.scope, covers: coveredGates(effect.scope, effect.gate), actor: effect.actor },
            },
            `${taskId}:c${rt.commands - 1}:standing`,
          );
          break;
        }
        case 'record_guidance': {
          const journaled = guidanceEvents[guidanceIndex++];
          insertGuidance(this.db, { taskId, eventSeq: journaled?.seq ?? 0, text: effect.text, actor: effect.actor, at: now });
          break;
        }
        case 'set_limits':
          if (effect.maxIterations !== undefined) {
            setTaskMaxIterations(this.db, taskId, effect.maxIterations, now);
            after.maxIterations = effect.maxIterations;
          }
          if (effect.timeBudgetMs !== undefined) rt.timeBudgetMs = effect.timeBudgetMs;
          break;
        case 'cleanup':
          rt.cleanup = this.steps.cleanup ? 'pending' : 'done';
          break;
        case 'schedule':
        case 'abort_step':
          // Acted on after the commit (see `act`).
          break;
        default: {
          const never: never = effect;
          throw new Error(`unhandled effect ${JSON.stringify(never)}`);
        }
      }
    }
    if (outcome.changed) {
      rt.version++;
      after.state = outcome.state;
      after.progress = outcome.progress ?? task.progress;
      updateTaskState(this.db, taskId, after.state, after.progress, now);
    } else if (outcome.progress !== undefined) {
      after.progress = outcome.progress;
      setTaskProgress(this.db, taskId, outcome.progress, now);
    } else {
      // Guidance and limits change the task too; its row says when.
      setTaskProgress(this.db, taskId, after.progress, now);
    }
    return { task: after, state: outcome.state, effects: outcome.effects };
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
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const run: Run = {
        taskId,
        phase,
        step: STEP_FOR_PHASE[phase],
        priority: task.priority,
        round: ROUND_OF_PHASE[phase] === 'plan' ? rt.planRounds : rt.execRounds,
        version: rt.version,
        worker,
        controller: new AbortController(),
        abortCause: undefined,
        budgetLimited: false,
        timer: undefined,
        handle: undefined,
        startedAt: this.clock.now(),
        released,
        release,
      };
      this.runs.set(taskId, run);
      this.suspects.delete(taskId);
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
      slot = await this.admission.acquire({
        priority: workPriorityOf(run.step),
        label: `${run.step} for ${run.taskId}`,
        taskId: run.taskId,
        taskPriority: run.priority,
        step: run.step,
        phase: run.phase,
        signal,
      });
      if (signal.aborted) throw signal.reason;
      const handle = this.startAttempt(run);
      const ctx = createStepContext(
        { db: this.db, journal: this.journal, clock: this.clock, logger: this.logger, breakers: this.breakers, isOpen: () => !this.stopped },
        handle,
        getTaskOrThrow(this.db, run.taskId, signal),
      );
      this.armTimeout(run);
      stepPromise = Promise.resolve().then(() => this.invokeStep(run.step, ctx));
      const raw = await abortable(stepPromise, signal);
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

  /**
   * Aborts the attempt when it outlives its step's limit or what is left of the task's time
   * budget. Re-checked when it fires, so a budget raised meanwhile (modifyTask) counts.
   */
  private armTimeout(run: Run): void {
    const check = () => {
      run.timer = undefined;
      if (run.abortCause || this.stopped) return;
      const rt = getRuntime(this.db, run.taskId);
      const elapsed = this.clock.now() - run.startedAt;
      const stepLeft = stepTimeout(this.settings, run.step) - elapsed;
      const budgetLeft = (rt ? rt.timeBudgetMs - rt.activeMs : 0) - elapsed;
      const left = Math.min(stepLeft, budgetLeft);
      if (left > 0) {
        run.timer = setTimeout(check, left);
        return;
      }
      run.budgetLimited = budgetLeft < stepLeft;
      this.abortRun(run.taskId, 'timeout', run);
    };
    check();
  }

  private invokeStep(step: StepName, ctx: Parameters<StepSet['plan']>[0]): Promise<unknown> {
    switch (step) {
      case 'plan':
        return this.steps.plan(ctx);
      case 'reviewPlan':
        return this.steps.reviewPlan(ctx);
      case 'execute':
        return this.steps.execute(ctx);
      case 'verify':
        return this.steps.verify(ctx);
      case 'reviewChange':
        return this.steps.reviewChange(ctx);
      case 'apply':
        return this.steps.apply(ctx);
      default: {
        const never: never = step;
        throw new Error(`unknown step ${String(never)}`);
      }
    }
  }

  /** Journals the attempt (and who took it) before the step runs. */
  private startAttempt(run: Run): AttemptHandle {
    return this.journal.transaction(() => {
      const now = this.clock.now();
      const stepRun = insertStepRun(this.db, { taskId: run.taskId, version: run.version, phase: run.phase, round: run.round, startedAt: now });
      this.journal.append(
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
      applied = this.apply(run.taskId, { type: 'step.succeeded', phase: run.phase, result, durationMs }, (task, rt) => {
        if (rt.version !== run.version || task.state.kind !== run.phase) {
          finishStepRun(this.db, handle.stepRunId, 'aborted', this.clock.now(), { code: 'stale', message: 'the task moved on' });
          return false;
        }
        finishStepRun(this.db, handle.stepRunId, 'succeeded', this.clock.now());
        consumeGuidance(this.db, handle.deliveredGuidance, handle.stepRunId);
        rt.activeMs += durationMs;
        rt.interruptions = 0;
        rt.stalls = 0;
        return true;
      });
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
    const handle = run.handle;
    const classified: ClassifiedError =
      run.abortCause === 'timeout'
        ? run.budgetLimited
          ? { code: 'timeout', message: 'the task used up its time budget', retryable: false }
          : { code: 'timeout', message: `the ${run.step} step timed out after ${formatMs(stepTimeout(this.settings, run.step))}`, retryable: true }
        : classifyError(error);
    const durationMs = Math.max(0, this.clock.now() - run.startedAt);
    let retryIn: number | undefined;
    let applied: Applied | undefined;
    try {
      // The reason is read after `within`, which may add how many attempts were made.
      const failed = (): EngineEvent => ({ type: 'step.failed', phase: run.phase, reason: classified.message });
      applied = this.apply(run.taskId, failed, (task, rt) => {
        if (rt.version !== run.version || task.state.kind !== run.phase) {
          if (handle) finishStepRun(this.db, handle.stepRunId, 'aborted', this.clock.now(), { code: 'stale', message: 'the task moved on' });
          return false;
        }
        if (!handle) {
          // Failed before the attempt began (admission refused, task unreadable): just try again.
          this.logger.warn({ taskId: run.taskId, err: error }, 'a step could not start; trying again');
          retryIn = backoffDelay(this.settings.retry, 1, this.random, classified.retryAfterMs);
          return false;
        }
        finishStepRun(this.db, handle.stepRunId, 'failed', this.clock.now(), { code: classified.code, message: classified.message });
        rt.activeMs += durationMs;
        const failures = failedAttemptsSince(this.db, run.taskId, run.phase, run.version);
        const budgetLeft = rt.timeBudgetMs - rt.activeMs > 0;
        if (classified.retryable && failures < this.settings.retry.maxAttempts && budgetLeft) {
          retryIn = backoffDelay(this.settings.retry, failures, this.random, classified.retryAfterMs);
          this.journal.append(
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
      });
    } catch (e) {
      this.logger.error({ err: e, taskId: run.taskId }, 'could not record a step failure');
    }
    this.detach(run);
    if (applied) {
      this.act(run.taskId, applied);
    } else if (retryIn !== undefined) {
      this.retryLater(run.taskId, retryIn);
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
      const task = getTask(this.db, taskId);
      if (!task) return;
      let status: 'done' | 'failed' = 'done';
      let message = 'workspace cleaned up';
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new AppFailure('timeout', 'cleanup timed out')), this.settings.cleanupTimeoutMs);
      try {
        await abortable(cleanup.call(this.steps, { taskId, task, signal: controller.signal, logger: this.logger.child({ taskId }) }), controller.signal);
      } catch (e) {
        status = 'failed';
        message = `cleanup failed: ${e instanceof Error ? e.message : String(e)}`;
        this.logger.warn({ err: e, taskId }, 'workspace cleanup failed');
      } finally {
        clearTimeout(timer);
      }
      if (this.stopped) return;
      this.journal.transaction(() => {
        const rt = ensureRuntime(this.db, taskId, this.settings.timeBudgetMs);
        rt.cleanup = status;
        saveRuntime(this.db, rt);
        this.journal.append(taskId, { type: 'task.cleanup', payload: { status, message } }, `${taskId}:cleanup`);
      });
    })()
      .catch((e: unknown) => this.logger.error({ err: e, taskId }, 'cleanup bookkeeping failed'))
      .finally(() => {
        this.cleaning.delete(taskId);
        this.resolveIdle();
      });
    this.cleaning.set(taskId, work);
  }

  /** Attempts still marked started belong to a process that died; each is retried or, past the limit, failed. */
  private recoverInterruptedSteps(): void {
    for (const stepRun of startedStepRuns(this.db)) {
      try {
        let failReason: string | undefined;
        this.journal.transaction(() => {
          finishStepRun(this.db, stepRun.id, 'interrupted', this.clock.now(), { code: 'interrupted', message: 'the app stopped while the step ran' });
          const task = getTask(this.db, stepRun.taskId);
          if (!task || task.state.kind !== stepRun.phase) return;
          const rt = ensureRuntime(this.db, stepRun.taskId, this.settings.timeBudgetMs);
          rt.interruptions++;
          saveRuntime(this.db, rt);
          const step = STEP_FOR_PHASE[stepRun.phase as WorkPhase] ?? stepRun.phase;
          if (rt.interruptions > this.settings.maxInterruptions) {
            failReason = `the ${step} step was cut short by ${rt.interruptions} restarts in a row`;
          }
          this.journal.append(
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
        if (failReason) this.failTask(stepRun.taskId, failReason);
      } catch (e) {
        this.logger.error({ err: e, taskId: stepRun.taskId }, 'could not recover an interrupted step');
      }
    }
  }

  /**
   * A task must never sit in an active state with nothing executing. A task seen that way twice
   * in a row is retried with a journaled reason, or failed once it keeps happening.
   */
  checkForStalls(): void {
    if (this.stopped || !this.started) return;
    const seen = new Set<string>();
    for (const taskId of taskIdsInStates(this.db, RUNNABLE_KINDS)) {
      seen.add(taskId);
      const tracked = this.runs.has(taskId) || this.queue.has(taskId) || this.backoff.has(taskId) || this.draining.has(taskId);
      if (tracked) {
        this.suspects.delete(taskId);
        continue;
      }
      const count = (this.suspects.get(taskId) ?? 0) + 1;
      this.suspects.set(taskId, count);
      if (count >= 2) {
        this.suspects.delete(taskId);
        this.handleStall(taskId);
      }
    }
    for (const id of this.suspects.keys()) if (!seen.has(id)) this.suspects.delete(id);
  }

  private handleStall(taskId: string): void {
    try {
      let fail = false;
      this.journal.transaction(() => {
        const task = getTask(this.db, taskId);
        if (!task || !isRunnable(task.state)) return;
        const rt = ensureRuntime(this.db, taskId, this.settings.timeBudgetMs);
        rt.stalls++;
        fail = rt.stalls > this.settings.maxStalls;
        saveRuntime(this.db, rt);
        this.journal.append(
          taskId,
          {
            type: 'task.recovered',
            payload: {
              cause: 'watchdog',
              phase: task.state.kind,
              action: fail ? 'fail' : 'retry',
              reason: `the task was ${task.state.kind.replace('_', ' ')} with nothing executing`,
            },
          },
          `${taskId}:c${rt.commands}:stall${rt.stalls}`,
        );
      });
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

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Waits for `promise` to settle, but no longer than `ms`. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`;
  return `${ms} ms`;
}
