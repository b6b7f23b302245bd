import type { ApprovalScope, StandingScope } from '../../../shared/channels/intervention';
import type { Actor, NewEvent } from '../../../shared/domain/events';
import type { ApprovalGate, ExecutionMode, TaskState, TaskStateKind } from '../../../shared/domain/task';
import { type RoundCounter, type WorkPhase } from './phases';

/** The vocabulary of the task lifecycle: what steps produce, the events it takes, the effects it asks for. */

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

export type QueuedState = Extract<TaskState, { kind: 'queued' }>;
export type WorkState = Extract<TaskState, { kind: WorkPhase }>;
export type PausedState = Extract<TaskState, { kind: 'paused' }>;
export type AwaitingState = Extract<TaskState, { kind: 'awaiting_approval' }>;

