import type { StandingScope } from '../../../shared/channels/intervention';
import type { Actor, NewEvent } from '../../../shared/domain/events';
import type { ApprovalGate, TaskState } from '../../../shared/domain/task';
import { describePhase, PHASE_PROGRESS, type RoundCounter, type WorkPhase } from './phases';
import type { EngineEvent, EngineEventType, Effect, TransitionContext, TransitionOutcome, QueuedState, WorkState } from './transition-types';

/** The building blocks every lifecycle move is made of: entering a phase, waiting, pausing, ending. */

export type EnterOptions = { newRound: boolean; before?: NewEvent[]; after?: NewEvent[]; effects?: Effect[] };

export function enterPhase(from: TaskState, phase: WorkPhase, cause: string, ctx: TransitionContext, options: EnterOptions): TransitionOutcome {
  const before = options.before ?? [];
  const effects = [...(options.effects ?? [])];
  if (options.newRound && (phase === 'planning' || phase === 'executing')) {
    const counter: RoundCounter = phase === 'planning' ? 'plan' : 'exec';
    const used = counter === 'plan' ? ctx.planRounds : ctx.execRounds;
    if (used >= ctx.maxIterations) {
      const what = counter === 'plan' ? 'planning' : 'execution';
      return failFrom(from, `${cause}, but the ${what} rounds reached max iterations (${ctx.maxIterations})`, before, false, effects);
    }
    effects.push({ kind: 'count_round', counter });
  }
  const to = { kind: phase } as TaskState;
  const percent = PHASE_PROGRESS[phase][0];
  return done(
    to,
    [
      ...before,
      moved(from, to, cause),
      ...(options.after ?? []),
      { type: 'phase.started', payload: { phase } },
      progressEvent(percent, describePhase(phase)),
    ],
    [...effects, { kind: 'schedule' }],
    percent,
  );
}

export function awaitApproval(from: WorkState, phase: WorkPhase, gate: ApprovalGate, summary: string, before: NewEvent[]): TransitionOutcome {
  const to: TaskState = { kind: 'awaiting_approval', from: phase, waitingFor: gate };
  const percent = PHASE_PROGRESS[phase][1];
  return done(
    to,
    [
      ...before,
      moved(from, to, `waiting for ${gate} approval`),
      { type: 'approval.requested', payload: { gate, summary } },
      progressEvent(percent, `waiting for ${gate} approval`),
    ],
    [{ kind: 'request_approval', gate, phase, summary }],
    percent,
  );
}

export function pauseFrom(from: TaskState, at: QueuedState['kind'] | WorkPhase, actor: Actor, running: boolean): TransitionOutcome {
  const to: TaskState = { kind: 'paused', from: at };
  return done(
    to,
    [moved(from, to, `paused by ${who(actor)}`), { type: 'task.paused', payload: { actor } }],
    running ? [{ kind: 'abort_step', reason: 'paused' }] : [],
  );
}

export function cancelFrom(from: TaskState, actor: Actor, reason: string | undefined, running: boolean, extra: Effect[] = []): TransitionOutcome {
  const to: TaskState = reason ? { kind: 'cancelled', reason } : { kind: 'cancelled' };
  return done(
    to,
    [
      moved(from, to, `cancelled by ${who(actor)}${reason ? `: ${reason}` : ''}`),
      { type: 'task.cancelled', payload: reason ? { actor, reason } : { actor } },
    ],
    [...(running ? [{ kind: 'abort_step', reason: 'cancelled' } as const] : []), ...extra, { kind: 'cleanup' }],
  );
}

export function failFrom(from: TaskState, reason: string, before: NewEvent[], running: boolean, extra: Effect[] = []): TransitionOutcome {
  const to: TaskState = { kind: 'failed', reason };
  return done(
    to,
    [...before, moved(from, to, reason), { type: 'task.failed', payload: { reason } }],
    // Effects that only make sense on the way forward (a new round, guidance for it) are dropped.
    [...(running ? [{ kind: 'abort_step', reason: 'failed' } as const] : []), ...extra.filter(keptOnFailure)],
  );
}

export const keptOnFailure = (e: Effect): boolean => e.kind === 'resolve_approval';

/** Commands that leave the state as it is but still must be legal for it. */
export function unchanged(state: TaskState, event: Extract<EngineEvent, { type: 'guide' | 'modify' }>, ctx: TransitionContext): TransitionOutcome {
  if (event.type === 'guide') {
    const text = event.text.trim();
    if (!text) return invalid(state, event, 'guidance must not be empty');
    return {
      ok: true,
      state,
      changed: false,
      events: [guidanceEvent(event.actor, text)],
      effects: [{ kind: 'record_guidance', actor: event.actor, text }],
    };
  }
  if (event.maxIterations === undefined && event.timeBudgetMs === undefined) {
    return invalid(state, event, 'give a new max iterations or time budget');
  }
  const used = Math.max(ctx.planRounds, ctx.execRounds);
  if (event.maxIterations !== undefined && (!Number.isInteger(event.maxIterations) || event.maxIterations < Math.max(1, used))) {
    return invalid(state, event, `max iterations must be a whole number of at least ${Math.max(1, used)} (rounds already used)`);
  }
  if (event.timeBudgetMs !== undefined && (!Number.isInteger(event.timeBudgetMs) || event.timeBudgetMs <= 0)) {
    return invalid(state, event, 'the time budget must be a positive whole number of milliseconds');
  }
  const payload = {
    actor: event.actor,
    ...(event.maxIterations !== undefined ? { maxIterations: event.maxIterations } : {}),
    ...(event.timeBudgetMs !== undefined ? { timeBudgetMs: event.timeBudgetMs } : {}),
  };
  return {
    ok: true,
    state,
    changed: false,
    events: [{ type: 'task.modified', payload }],
    effects: [{ kind: 'set_limits', maxIterations: event.maxIterations, timeBudgetMs: event.timeBudgetMs }],
  };
}

/** Strict mode's phase boundaries: the only gates a standing approval may pass. */
export const isStandingGate = (gate: ApprovalGate): gate is 'plan' | 'changeset' | 'apply' =>
  gate === 'plan' || gate === 'changeset' || gate === 'apply';

export const describeScope = (scope: StandingScope): string => (scope === 'task' ? 'for the rest of this task' : 'for this phase');

export const COUNCIL: Actor = { who: 'council', via: 'system' };
export const GATES: Actor = { who: 'quality gates', via: 'system' };

export const who = (actor: Actor): string => `${actor.who} (${actor.via})`;

export const moved = (from: TaskState, to: TaskState, cause: string): NewEvent => ({ type: 'task.state', payload: { from, to, cause } });

/** Every `record_guidance` effect has a `task.guidance` event, in the same order. */
export const guidanceEvent = (actor: Actor, text: string): NewEvent => ({ type: 'task.guidance', payload: { actor, text } });

export const progressEvent = (percent: number, message: string): NewEvent => ({ type: 'progress', payload: { percent, message } });

export function done(state: TaskState, events: NewEvent[], effects: Effect[], progress?: number): TransitionOutcome {
  return { ok: true, state, changed: true, events, effects, progress };
}

export function illegal(state: TaskState, event: { type: EngineEventType }, message: string): TransitionOutcome {
  return { ok: false, error: { code: 'conflict', from: state.kind, event: event.type, message } };
}

export function invalid(state: TaskState, event: { type: EngineEventType }, message: string): TransitionOutcome {
  return { ok: false, error: { code: 'invalid_input', from: state.kind, event: event.type, message } };
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
