import { randomUUID } from 'node:crypto';
import type { AgentEvent, EventType, NewEvent } from '../../../shared/domain/events';
import type { Task } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { getStepEffect, insertStepEffectIntent, markStepEffectApplied } from '../db/queries/step-effects';
import { grantedApprovals } from '../db/queries/task-approvals';
import { pendingGuidance } from '../db/queries/task-guidance';
import { setTaskProgress } from '../db/queries/task-runtime';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import type { BreakerRegistry } from './breaker';
import { classifyError } from './errors';
import { progressWithin, type StepName, type WorkPhase } from './phases';
import type { EffectSpec, Guidance, StepContext } from './step';
import { makeTargetView, makeWriteGuard } from './write-guard';

/** Event types only the engine writes; a step that tries to forge one is refused. */
const ENGINE_EVENTS: ReadonlySet<EventType> = new Set<EventType>([
  'task.created',
  'task.state',
  'phase.started',
  'phase.completed',
  'progress',
  'worker.assigned',
  'approval.requested',
  'approval.granted',
  'approval.denied',
  'approval.standing',
  'approval.revoked',
  'task.paused',
  'task.resumed',
  'task.guidance',
  'task.cancelled',
  'task.completed',
  'task.failed',
  'step.retry',
  'step.effect',
  'breaker.state',
  'task.recovered',
  'council.overridden',
  'task.modified',
  'task.cleanup',
]);

/** The attempt a context belongs to, as the engine tracks it. */
export type AttemptHandle = {
  taskId: string;
  step: StepName;
  phase: WorkPhase;
  round: number;
  attempt: number;
  stepRunId: number;
  controller: AbortController;
  /** Guidance handed to this attempt; consumed when the step succeeds. */
  deliveredGuidance: number[];
  /** Set when the attempt is over; its context then refuses to act (work a step left running). */
  closed: boolean;
};

export type ContextDeps = {
  db: Db;
  journal: Journal;
  clock: Clock;
  logger: Logger;
  breakers: BreakerRegistry;
  /** False once the engine stopped: the database may be closed, nothing is written any more. */
  isOpen(): boolean;
};

/**
 * Builds what a step sees. Every write it offers checks first that the attempt is still the live
 * one: a step that ignores its abort signal cannot journal anything after a pause or cancel.
 */
export function createStepContext(deps: ContextDeps, handle: AttemptHandle, task: Task): StepContext {
  const { db, journal, clock } = deps;
  const { taskId, phase, round } = handle;
  const signal = handle.controller.signal;
  const logger = deps.logger.child({ taskId, step: handle.step, attempt: handle.attempt });

  const assertLive = () => {
    if (!deps.isOpen()) throw new AppFailure('unavailable', 'the engine has stopped');
    if (handle.closed) throw new AppFailure('conflict', `the ${handle.step} step's attempt ${handle.attempt} is over`);
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new AppFailure('cancelled', 'the step was aborted');
  };

  const initial = pendingGuidance(db, taskId);
  let lastGuidanceId = initial.reduce((max, g) => Math.max(max, g.id), 0);
  handle.deliveredGuidance.push(...initial.map((g) => g.id));
  const toGuidance = (g: { id: number; text: string; actor: Guidance['actor']; at: number }): Guidance => ({
    id: g.id,
    text: g.text,
    actor: g.actor,
    at: g.at,
  });

  const approvals = grantedApprovals(db, taskId, phase, round).map((a) => ({
    gate: a.gate,
    summary: a.summary,
    actor: a.actor ?? { who: 'unknown', via: 'system' as const },
  }));

  const dryRun = task.mode === 'dry-run';
  const guard = makeWriteGuard(task.repoPath, dryRun);
  const scope = `${phase}:r${round}`;
  let emitted = 0;
  let progressCount = 0;
  let lastProgress: { percent: number; message: string } | undefined;

  const effectEvent = (key: string, kind: string, status: 'intent' | 'applied'): NewEvent => ({
    type: 'step.effect',
    payload: { phase, key, kind, status },
  });

  const storedResult = <T>(spec: EffectSpec<T>, json: string | null): T => {
    if (!spec.result) return undefined as T;
    return spec.result.parse(json === null ? undefined : JSON.parse(json));
  };

  return {
    taskId,
    task,
    step: handle.step,
    phase,
    mode: task.mode,
    round,
    attempt: handle.attempt,
    signal,
    guidance: initial.map(toGuidance),
    takeGuidance() {
      assertLive();
      const fresh = pendingGuidance(db, taskId, lastGuidanceId);
      for (const g of fresh) {
        lastGuidanceId = Math.max(lastGuidanceId, g.id);
        handle.deliveredGuidance.push(g.id);
      }
      return fresh.map(toGuidance);
    },
    approvals,
    target: makeTargetView(task.repoPath, dryRun),
    writeGuard: guard,

    async journalEffect<T>(spec: EffectSpec<T>, perform: (a: { key: string; interrupted: boolean; signal: AbortSignal }) => Promise<T> | T) {
      assertLive();
      const key = `${scope}:${spec.key}`;
      const existing = getStepEffect(db, taskId, key);
      if (existing?.status === 'applied') return storedResult(spec, existing.resultJson);
      if (!existing) {
        journal.transaction(() => {
          const { event } = journal.append(taskId, effectEvent(key, spec.kind, 'intent'), `${taskId}:fx:${key}:intent`);
          insertStepEffectIntent(db, { taskId, key, phase, kind: spec.kind, intentSeq: event.seq });
        });
      }
      const value = await perform({ key: `${taskId}:${key}`, interrupted: existing !== undefined, signal });
      // Recorded even when the attempt was aborted meanwhile: the effect did happen.
      if (deps.isOpen()) {
        journal.transaction(() => {
          const { event } = journal.append(taskId, effectEvent(key, spec.kind, 'applied'), `${taskId}:fx:${key}:applied`);
          markStepEffectApplied(db, taskId, key, value === undefined ? null : JSON.stringify(value), event.seq);
        });
      }
      return value;
    },

    journalEffectInTransaction<T>(spec: EffectSpec<T>, apply: (d: Db) => T): T {
      assertLive();
      const key = `${scope}:${spec.key}`;
      return journal.transaction(() => {
        const existing = getStepEffect(db, taskId, key);
        if (existing?.status === 'applied') return storedResult(spec, existing.resultJson);
        // Journaled first, applied second, committed together: exactly once across any crash.
        const { event } = journal.append(taskId, effectEvent(key, spec.kind, 'applied'), `${taskId}:fx:${key}:applied`);
        if (!existing) insertStepEffectIntent(db, { taskId, key, phase, kind: spec.kind, intentSeq: event.seq });
        const value = apply(db);
        markStepEffectApplied(db, taskId, key, value === undefined ? null : JSON.stringify(value), event.seq);
        return value;
      });
    },

    emit(event: NewEvent, key?: string): AgentEvent {
      assertLive();
      if (ENGINE_EVENTS.has(event.type)) throw new AppFailure('forbidden', `steps may not write ${event.type} events; the engine does`);
      const idempotencyKey = key ? `${taskId}:emit:${scope}:${key}` : `${taskId}:emit:run${handle.stepRunId}:${emitted++}`;
      return journal.append(taskId, event, idempotencyKey).event;
    },

    progress(fraction: number, message: string) {
      assertLive();
      const percent = progressWithin(phase, fraction);
      if (lastProgress && lastProgress.message === message && Math.abs(lastProgress.percent - percent) < 1) return;
      lastProgress = { percent, message };
      journal.transaction(() => {
        journal.append(taskId, { type: 'progress', payload: { percent, message } }, `${taskId}:progress:run${handle.stepRunId}:${progressCount++}`);
        setTaskProgress(db, taskId, percent, clock.now());
      });
    },

    call<T>(dependency: string, fn: (s: AbortSignal) => Promise<T>): Promise<T> {
      assertLive();
      return deps.breakers.get(dependency).call(
        () => fn(signal),
        // Only failures that say the dependency is unwell count; our own aborts do not.
        (e) => !signal.aborted && classifyError(e).retryable,
        (change) => {
          logger.warn(change, 'circuit breaker changed state');
          if (!deps.isOpen()) return;
          journal.append(taskId, { type: 'breaker.state', payload: change }, `${taskId}:breaker:${randomUUID()}`);
        },
      );
    },

    logger,
  };
}
