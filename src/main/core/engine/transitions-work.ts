import type { NewEvent } from '../../../shared/domain/events';
import type { ApprovalGate, TaskState } from '../../../shared/domain/task';
import { describePhase, STEP_FOR_PHASE, type WorkPhase } from './phases';
import { RESULT_FOR_PHASE, type EngineEvent, type Effect, type StepResult, type TransitionContext, type TransitionOutcome, type QueuedState, type WorkState } from './transition-types';
import { enterPhase, awaitApproval, pauseFrom, cancelFrom, failFrom, unchanged, COUNCIL, GATES, moved, guidanceEvent, progressEvent, done, illegal, assertNever } from './transition-moves';

/** Moves from a queued task and from the six work phases, including what each step's result leads to. */

export function fromQueued(state: QueuedState, event: EngineEvent, ctx: TransitionContext): TransitionOutcome {
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

export function fromWorkPhase(state: WorkState, event: EngineEvent, ctx: TransitionContext): TransitionOutcome {
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

export function afterStep(state: WorkState, result: StepResult, durationMs: number, ctx: TransitionContext): TransitionOutcome {
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

