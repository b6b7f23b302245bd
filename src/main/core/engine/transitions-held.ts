import type { NewEvent } from '../../../shared/domain/events';
import type { TaskState } from '../../../shared/domain/task';
import { isWorkPhase } from './phases';
import type { EngineEvent, Effect, TransitionContext, TransitionOutcome, AwaitingState, PausedState } from './transition-types';
import { enterPhase, cancelFrom, failFrom, unchanged, isStandingGate, describeScope, who, moved, done, illegal, invalid, assertNever } from './transition-moves';

/** Moves from the states that wait on someone: a paused task and a task awaiting a human's approval. */

export function fromPaused(state: PausedState, event: EngineEvent, ctx: TransitionContext): TransitionOutcome {
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

export function fromAwaiting(state: AwaitingState, event: EngineEvent, ctx: TransitionContext): TransitionOutcome {
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
/** Leaving an approval gate: plan → executing, changeset → change review, apply → applying. */
export function proceedAfterGate(
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

