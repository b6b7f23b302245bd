import type { ApprovalScope, StandingScope } from '../../../shared/channels/intervention';
import type { Actor, NewEvent } from '../../../shared/domain/events';
import type { ApprovalGate, ExecutionMode, TaskState, TaskStateKind } from '../../../shared/domain/task';
import {
  describePhase,
  isWorkPhase,
  PHASE_PROGRESS,
  type RoundCounter,
  STEP_FOR_PHASE,
  type WorkPhase,
} from './phases';

/**
 * The task lifecycle as one pure function: `(state, event, context) -> (state, events, effects)`.
 * The orchestrator journals `events` and applies the durable `effects` in one transaction, then
 * acts on the rest. Nothing here reads a clock, the database or a random source, so every legal
 * and illegal move is testable as a table.
 */

export type ReviewDecision = 'accept' | 'reject' | 'modify';

/** What a step produced, as the lifecycle sees it. */
export type StepResult =
  | { kind: 'planned'; spec?: string | undefined; summary?: string | undefined }
  | { kind: 'reviewed'; decision: ReviewDecision; summary: string }
  | { kind: 'verified'; passed: boolean; summary: string }
  | { kind: 'done'; summary?: string | undefined }
  /** The step needs a human before it can go on (a risky tool call); approval re-runs it. */
  | { kind: 'needs_approval'; gate: 'tool'; summary: string };

/** The result kind each phase's step must produce (besides `needs_approval`). */
export const RESULT_FOR_PHASE: Readonly<Record<WorkPhase, StepResult['kind']>> = {
  planning: 'planned',
  reviewing_plan: 'reviewed',
  executing: 'done',
  verifying: 'verified',
  reviewing_change: 'reviewed',
  applying: 'done',
};

export type EngineEvent =
  /** A worker picked the queued task up. */
  | { type: 'admit' }
  | { type: 'step.succeeded'; phase: WorkPhase; result: StepResult; durationMs: number }
  /** A step failed for good (not retryable, or out of retries). */
  | { type: 'step.failed'; phase: WorkPhase; reason: string }
  | { type: 'pause'; actor: Actor }
  | { type: 'resume'; actor: Actor }
  | { type: 'cancel'; actor: Actor; reason?: string | undefined }
  /**
   * A human's approval (`scope` beyond `once` also gives a standing approval), or — with `standing`
   * — the engine passing a gate that a live standing approval covers; `actor` is then its giver.
   */
  | {
      type: 'approve';
      actor: Actor;
      gate?: ApprovalGate | undefined;
      scope?: ApprovalScope | undefined;
      standing?: { approvalId: number; scope: StandingScope } | undefined;
    }
  | { type: 'deny'; actor: Actor; gate?: ApprovalGate | undefined; reason: string }
  | { type: 'override'; actor: Actor; decision: 'accept' | 'reject'; reason: string }
  | { type: 'guide'; actor: Actor; text: string }
  | { type: 'modify'; actor: Actor; maxIterations?: number | undefined; timeBudgetMs?: number | undefined }
  /** The engine itself gives up on the task: time budget, watchdog, repeated crashes. */
  | { type: 'fail'; reason: string };

export type EngineEventType = EngineEvent['type'];

export type Effect =
  /** Queue the task for a worker (it runs the step of its current phase, or admits it). */
  | { kind: 'schedule' }
  /** Abort the step in flight, if any; its result will be discarded. */
  | { kind: 'abort_step'; reason: 'paused' | 'cancelled' | 'failed' }
  | { kind: 'count_round'; counter: RoundCounter }
  | { kind: 'store_spec'; spec: string }
  | { kind: 'request_approval'; gate: ApprovalGate; phase: WorkPhase; summary: string }
  | {
      kind: 'resolve_approval';
      status: 'granted' | 'denied' | 'overridden' | 'withdrawn';
      actor?: Actor | undefined;
      reason?: string | undefined;
    }
  | { kind: 'record_guidance'; actor: Actor; text: string }
  /** Store a standing approval (and journal it with its id). */
  | { kind: 'grant_standing'; scope: StandingScope; gate: ApprovalGate; actor: Actor }
  | { kind: 'set_limits'; maxIterations?: number | undefined; timeBudgetMs?: number | undefined }
  /** Clean the task's workspace (after a cancel). */
  | { kind: 'cleanup' };

/** Facts the lifecycle depends on besides the state itself. */
export type TransitionContext = {
  mode: ExecutionMode;
  maxIterations: number;
  /** Times planning has been entered (0 before the first plan). */
  planRounds: number;
  /** Times executing has been entered. */
  execRounds: number;
};

export type Transition = {
  state: TaskState;
  /** False for commands that leave the state as it is (guide, modify). */
  changed: boolean;
  /** Journal records, in order. */
  events: NewEvent[];
  effects: Effect[];
  /** New percent complete, when it changes. */
  progress?: number | undefined;
};

export type TransitionError = {
  /** `conflict`: not possible in this state; `invalid_input`: possible, but not with these values. */
  code: 'conflict' | 'invalid_input';
  from: TaskStateKind;
  event: EngineEventType;
  message: string;
};

export type TransitionOutcome = ({ ok: true } & Transition) | { ok: false; error: TransitionError };

/** The one lifecycle function; every state kind is handled, and every unhandled move is an error. */
export function transition(state: TaskState, event: EngineEvent, ctx: TransitionContext): TransitionOutcome {
  switch (state.kind) {
    case 'queued':
      return fromQueued(state, event, ctx);
    case 'planning':
    case 'reviewing_plan':
    case 'executing':
    case 'verifying':
    case 'reviewing_change':
    case 'applying':
      return fromWorkPhase(state, event, ctx);
    case 'paused':
      return fromPaused(state, event, ctx);
    case 'awaiting_approval':
      return fromAwaiting(state, event, ctx);
    case 'completed':
    case 'failed':
    case 'cancelled':
      return illegal(state, event, `the task is ${state.kind}; it cannot change any more`);
    default:
      return assertNever(state);
  }
}

type QueuedState = Extract<TaskState, { kind: 'queued' }>;
type WorkState = Extract<TaskState, { kind: WorkPhase }>;
type PausedState = Extract<TaskState, { kind: 'paused' }>;
type AwaitingState = Extract<TaskState, { kind: 'awaiting_approval' }>;

function fromQueued(state: QueuedState, event: EngineEvent, ctx: TransitionContext): TransitionOutcome {
  switch (event.type) {
    case 'admit':
      return enterPhase(state, 'planning', 'picked up by a worker', ctx, { newRound: true });
    case 'pause':
      return pauseFrom(state, 'queued', event.actor, false);
    case 'cancel':
      return cancelFrom(state, event.actor, event.reason, false);
    case 'fail':
      return failFrom(state, event.reason, [], false);
    case 'guide':
    case 'modify':
      return unchanged(state, event, ctx);
    case 'resume':
      return illegal(state, event, 'the task is not paused');
    case 'step.succeeded':
    case 'step.failed':
      return illegal(state, event, 'no step runs while the task is queued');
    case 'approve':
    case 'deny':
    case 'override':
      return illegal(state, event, 'the task is not waiting for an approval');
    default:
      return assertNever(event);
  }
}

function fromWorkPhase(state: WorkState, event: EngineEvent, ctx: TransitionContext): TransitionOutcome {
  switch (event.type) {
    case 'step.succeeded':
      if (event.phase !== state.kind) {
        return illegal(state, event, `a ${describePhase(event.phase)} result arrived while ${describePhase(state.kind)}`);
      }
      return afterStep(state, event.result, event.durationMs, ctx);
    case 'step.failed':
      if (event.phase !== state.kind) {
        return illegal(state, event, `a ${describePhase(event.phase)} failure arrived while ${describePhase(state.kind)}`);
      }
      return failFrom(state, `${STEP_FOR_PHASE[state.kind]} step failed: ${event.reason}`, [], false);
    case 'pause':
      return pauseFrom(state, state.kind, event.actor, true);
    case 'cancel':
      return cancelFrom(state, event.actor, event.reason, true);
    case 'fail':
      return failFrom(state, event.reason, [], true);
    case 'guide':
    case 'modify':
      return unchanged(state, event, ctx);
    case 'admit':
      return illegal(state, event, 'the task is already running');
    case 'resume':
      return illegal(state, event, 'the task is not paused');
    case 'approve':
    case 'deny':
    case 'override':
      return illegal(state, event, 'the task is not waiting for an approval');
    default:
      return assertNever(event);
  }
}

function fromPaused(state: PausedState, event: EngineEvent, ctx: TransitionContext): TransitionOutcome {
  switch (event.type) {
    case 'resume': {
      const resumed: NewEvent = { type: 'task.resumed', payload: { actor: event.actor } };
      if (state.from === 'queued') {
        const to: TaskState = { kind: 'queued' };
        return done(to, [moved(state, to, `resumed by ${who(event.actor)}`), resumed], [{ kind: 'schedule' }]);
      }
      // The step that was cut short runs again, in the same round: its journaled effects stay done.
      return enterPhase(state, state.from, `resumed by ${who(event.actor)}`, ctx, { newRound: false, before: [], after: [resumed] });
    }
    case 'cancel':
      return cancelFrom(state, event.actor, event.reason, false);
    case 'fail':
      return failFrom(state, event.reason, [], false);
    case 'guide':
    case 'modify':
      return unchanged(state, event, ctx);
    case 'pause':
      return illegal(state, event, 'the task is already paused');
    case 'admit':
      return illegal(state, event, 'a paused task is not picked up until it is resumed');
    case 'step.succeeded':
    case 'step.failed':
      return illegal(state, event, 'step results are not accepted while the task is paused');
    case 'approve':
    case 'deny':
    case 'override':
      return illegal(state, event, 'the task is not waiting for an approval');
    default:
      return assertNever(event);
  }
}

function fromAwaiting(state: AwaitingState, event: EngineEvent, ctx: TransitionContext): TransitionOutcome {
  switch (event.type) {
    case 'approve': {
      if (event.gate && event.gate !== state.waitingFor) {
        return illegal(state, event, `the task waits for ${state.waitingFor} approval, not ${event.gate}`);
      }
      if (state.waitingFor === 'escalation') {
        return illegal(state, event, 'the council rejected this; override its decision with a reason, or deny');
      }
      const scope = event.scope ?? 'once';
      if ((scope !== 'once' || event.standing) && !isStandingGate(state.waitingFor)) {
        // Tool calls have their own grants; escalations are refused above.
        return invalid(state, event, `a ${state.waitingFor} approval cannot be given for a phase or the whole task; approve it once`);
      }
      if (scope !== 'once' && event.standing) return invalid(state, event, 'a standing approval cannot give another one');
      const granted: NewEvent = {
        type: 'approval.granted',
        payload: {
          gate: state.waitingFor,
          actor: event.actor,
          ...(scope !== 'once' ? { scope } : {}),
          ...(event.standing ? { standing: event.standing } : {}),
        },
      };
      const resolve: Effect = {
        kind: 'resolve_approval',
        status: 'granted',
        actor: event.actor,
        reason: event.standing ? `standing approval #${event.standing.approvalId} (${describeScope(event.standing.scope)})` : undefined,
      };
      const cause = event.standing
        ? `${state.waitingFor} approved by standing approval #${event.standing.approvalId} of ${who(event.actor)} (${describeScope(event.standing.scope)})`
        : `${state.waitingFor} approved by ${who(event.actor)}${scope !== 'once' ? ` (${describeScope(scope)})` : ''}`;
      if (state.waitingFor === 'tool') {
        if (!isWorkPhase(state.from)) return illegal(state, event, `no step asked for this approval in ${state.from}`);
        // The step asked before acting; it runs again and finds the approval.
        return enterPhase(state, state.from, cause, ctx, { newRound: false, before: [granted], effects: [resolve] });
      }
      const standing: Effect[] = scope === 'once' ? [] : [{ kind: 'grant_standing', scope, gate: state.waitingFor, actor: event.actor }];
      return proceedAfterGate(state, cause, ctx, [granted], [resolve, ...standing]);
    }
    case 'deny': {
      if (event.gate && event.gate !== state.waitingFor) {
        return illegal(state, event, `the task waits for ${state.waitingFor} approval, not ${event.gate}`);
      }
      const reason = `${state.waitingFor} approval denied by ${who(event.actor)}: ${event.reason}`;
      return failFrom(
        state,
        reason,
        [{ type: 'approval.denied', payload: { gate: state.waitingFor, actor: event.actor, reason: event.reason } }],
        false,
        [{ kind: 'resolve_approval', status: 'denied', actor: event.actor, reason: event.reason }],
      );
    }
    case 'override': {
      // Only the stops that follow a council decision (plan, apply, escalation) have one to override.
      const afterCouncil = state.from === 'reviewing_plan' || state.from === 'reviewing_change';
      if (!afterCouncil || state.waitingFor === 'tool' || state.waitingFor === 'changeset') {
        return illegal(state, event, `there is no council decision to override while waiting for ${state.waitingFor} approval`);
      }
      const overridden: NewEvent = {
        type: 'council.overridden',
        payload: { actor: event.actor, gate: state.waitingFor, decision: event.decision, reason: event.reason },
      };
      const resolve: Effect = { kind: 'resolve_approval', status: 'overridden', actor: event.actor, reason: event.reason };
      if (event.decision === 'reject') {
        return failFrom(state, `council decision overridden by ${who(event.actor)}: ${event.reason}`, [overridden], false, [resolve]);
      }
      return proceedAfterGate(state, `council decision overridden by ${who(event.actor)}: ${event.reason}`, ctx, [overridden], [resolve]);
    }
    case 'cancel':
      return cancelFrom(state, event.actor, event.reason, false, [{ kind: 'resolve_approval', status: 'withdrawn' }]);
    case 'fail':
      return failFrom(state, event.reason, [], false, [{ kind: 'resolve_approval', status: 'withdrawn' }]);
    case 'guide':
    case 'modify':
      return unchanged(state, event, ctx);
    case 'pause':
      return illegal(state, event, 'the task is waiting for an approval; nothing runs that could be paused');
    case 'resume':
      return illegal(state, event, 'the task is not paused; it waits for an approval');
    case 'admit':
      return illegal(state, event, 'the task waits for an approval');
    case 'step.succeeded':
    case 'step.failed':
      return illegal(state, event, 'step results are not accepted while the task waits for an approval');
    default:
      return assertNever(event);
  }
}

/** Where a step's result leads; strict mode stops for a human at each boundary. */
function afterStep(state: WorkState, result: StepResult, durationMs: number, ctx: TransitionContext): TransitionOutcome {
  const phase = state.kind;
  if (result.kind === 'needs_approval') {
    return awaitApproval(state, phase, result.gate, result.summary, []);
  }
  if (result.kind !== RESULT_FOR_PHASE[phase]) {
    return illegal(state, { type: 'step.succeeded' }, `the ${STEP_FOR_PHASE[phase]} step returned a ${result.kind} result`);
  }
  const completed: NewEvent = { type: 'phase.completed', payload: { phase, durationMs: Math.max(0, durationMs) } };
  const strict = ctx.mode === 'strict';
  switch (result.kind) {
    case 'planned': {
      const effects: Effect[] = result.spec !== undefined ? [{ kind: 'store_spec', spec: result.spec }] : [];
      return enterPhase(state, 'reviewing_plan', 'plan ready for review', ctx, { newRound: false, before: [completed], effects });
    }
    case 'reviewed': {
      const next: WorkPhase = phase === 'reviewing_plan' ? 'executing' : 'applying';
      const gate: ApprovalGate = phase === 'reviewing_plan' ? 'plan' : 'apply';
      const what = phase === 'reviewing_plan' ? 'plan' : 'change';
      switch (result.decision) {
        case 'accept':
          if (strict) return awaitApproval(state, phase, gate, `council accepted the ${what}: ${result.summary}`, [completed]);
          return enterPhase(state, next, `council accepted the ${what}`, ctx, { newRound: next === 'executing', before: [completed] });
        case 'modify': {
          const back: WorkPhase = phase === 'reviewing_plan' ? 'planning' : 'executing';
          return enterPhase(state, back, `council asked for changes to the ${what}`, ctx, {
            newRound: true,
            before: [completed, guidanceEvent(COUNCIL, result.summary)],
            effects: [{ kind: 'record_guidance', actor: COUNCIL, text: result.summary }],
          });
        }
        case 'reject':
          return awaitApproval(state, phase, 'escalation', `council rejected the ${what}: ${result.summary}`, [completed]);
        default:
          return assertNever(result.decision);
      }
    }
    case 'verified':
      if (!result.passed) {
        return enterPhase(state, 'executing', `quality gates failed: ${result.summary}`, ctx, {
          newRound: true,
          before: [completed, guidanceEvent(GATES, result.summary)],
          effects: [{ kind: 'record_guidance', actor: GATES, text: result.summary }],
        });
      }
      if (strict) return awaitApproval(state, phase, 'changeset', `quality gates passed: ${result.summary}`, [completed]);
      return enterPhase(state, 'reviewing_change', 'quality gates passed', ctx, { newRound: false, before: [completed] });
    case 'done':
      if (phase === 'executing') {
        return enterPhase(state, 'verifying', 'change ready for the quality gates', ctx, { newRound: false, before: [completed] });
      }
      if (phase === 'applying') {
        const to: TaskState = { kind: 'completed' };
        return done(
          to,
          [completed, moved(state, to, 'change applied'), { type: 'task.completed', payload: {} }, progressEvent(100, 'completed')],
          [],
          100,
        );
      }
      return illegal(state, { type: 'step.succeeded' }, `the ${STEP_FOR_PHASE[phase]} step returned a done result`);
    default:
      return assertNever(result);
  }
}

/** Leaving an approval gate: plan → executing, changeset → change review, apply → applying. */
function proceedAfterGate(
  state: AwaitingState,
  cause: string,
  ctx: TransitionContext,
  before: NewEvent[],
  effects: Effect[],
): TransitionOutcome {
  switch (state.from) {
    case 'reviewing_plan':
      return enterPhase(state, 'executing', cause, ctx, { newRound: true, before, effects });
    case 'verifying':
      return enterPhase(state, 'reviewing_change', cause, ctx, { newRound: false, before, effects });
    case 'reviewing_change':
      return enterPhase(state, 'applying', cause, ctx, { newRound: false, before, effects });
    default:
      return illegal(state, { type: 'approve' }, `no phase follows a ${state.waitingFor} approval from ${state.from}`);
  }
}

type EnterOptions = { newRound: boolean; before?: NewEvent[]; after?: NewEvent[]; effects?: Effect[] };

function enterPhase(from: TaskState, phase: WorkPhase, cause: string, ctx: TransitionContext, options: EnterOptions): TransitionOutcome {
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

function awaitApproval(from: WorkState, phase: WorkPhase, gate: ApprovalGate, summary: string, before: NewEvent[]): TransitionOutcome {
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

function pauseFrom(from: TaskState, at: QueuedState['kind'] | WorkPhase, actor: Actor, running: boolean): TransitionOutcome {
  const to: TaskState = { kind: 'paused', from: at };
  return done(
    to,
    [moved(from, to, `paused by ${who(actor)}`), { type: 'task.paused', payload: { actor } }],
    running ? [{ kind: 'abort_step', reason: 'paused' }] : [],
  );
}

function cancelFrom(from: TaskState, actor: Actor, reason: string | undefined, running: boolean, extra: Effect[] = []): TransitionOutcome {
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

function failFrom(from: TaskState, reason: string, before: NewEvent[], running: boolean, extra: Effect[] = []): TransitionOutcome {
  const to: TaskState = { kind: 'failed', reason };
  return done(
    to,
    [...before, moved(from, to, reason), { type: 'task.failed', payload: { reason } }],
    // Effects that only make sense on the way forward (a new round, guidance for it) are dropped.
    [...(running ? [{ kind: 'abort_step', reason: 'failed' } as const] : []), ...extra.filter(keptOnFailure)],
  );
}

const keptOnFailure = (e: Effect): boolean => e.kind === 'resolve_approval';

/** Commands that leave the state as it is but still must be legal for it. */
function unchanged(state: TaskState, event: Extract<EngineEvent, { type: 'guide' | 'modify' }>, ctx: TransitionContext): TransitionOutcome {
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

const describeScope = (scope: StandingScope): string => (scope === 'task' ? 'for the rest of this task' : 'for this phase');

const COUNCIL: Actor = { who: 'council', via: 'system' };
const GATES: Actor = { who: 'quality gates', via: 'system' };

const who = (actor: Actor): string => `${actor.who} (${actor.via})`;

const moved = (from: TaskState, to: TaskState, cause: string): NewEvent => ({ type: 'task.state', payload: { from, to, cause } });

/** Every `record_guidance` effect has a `task.guidance` event, in the same order. */
const guidanceEvent = (actor: Actor, text: string): NewEvent => ({ type: 'task.guidance', payload: { actor, text } });

const progressEvent = (percent: number, message: string): NewEvent => ({ type: 'progress', payload: { percent, message } });

function done(state: TaskState, events: NewEvent[], effects: Effect[], progress?: number): TransitionOutcome {
  return { ok: true, state, changed: true, events, effects, progress };
}

function illegal(state: TaskState, event: { type: EngineEventType }, message: string): TransitionOutcome {
  return { ok: false, error: { code: 'conflict', from: state.kind, event: event.type, message } };
}

function invalid(state: TaskState, event: { type: EngineEventType }, message: string): TransitionOutcome {
  return { ok: false, error: { code: 'invalid_input', from: state.kind, event: event.type, message } };
}

function assertNever(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
