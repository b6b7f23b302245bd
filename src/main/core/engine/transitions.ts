import type { TaskState } from '../../../shared/domain/task';
import { assertNever, illegal } from './transition-moves';
import type { EngineEvent, TransitionContext, TransitionOutcome } from './transition-types';
import { fromAwaiting, fromPaused } from './transitions-held';
import { fromQueued, fromWorkPhase } from './transitions-work';

/**
 * The task lifecycle as one pure function: `(state, event, context) -> (state, events, effects)`.
 * The orchestrator journals `events` and applies the durable `effects` in one transaction, then
 * acts on the rest. Nothing here reads a clock, the database or a random source, so every legal
 * and illegal move is testable as a table.
 */

export * from './transition-types';
export { isStandingGate } from './transition-moves';

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

