import { z } from 'zod';
import type { AgentEvent, Actor, NewEvent } from '../../../shared/domain/events';
import type { ApprovalGate, ExecutionMode, Task } from '../../../shared/domain/task';
import type { Db } from '../db/open';
import type { Logger } from '../observability/logger';
import type { StepName, WorkPhase } from './phases';
import type { StepResult } from './transitions';

/**
 * The one interface between the engine and the work it orchestrates. Later issues implement the
 * steps (planner, council, worker loop, gates, apply); the engine only knows this shape, and the
 * results are parsed like any other untrusted input.
 */

export const PlanOutcome = z.object({
  /** The working spec (CAWS YAML), stored on the task. */
  spec: z.string().max(1_000_000).optional(),
  summary: z.string().max(8_000).optional(),
});
export type PlanOutcome = z.infer<typeof PlanOutcome>;

export const ReviewOutcome = z.object({
  decision: z.enum(['accept', 'reject', 'modify']),
  /** Why; on `modify` it reaches the next round as guidance. */
  summary: z.string().max(8_000),
  score: z.number().optional(),
});
export type ReviewOutcome = z.infer<typeof ReviewOutcome>;

export const VerifyOutcome = z.object({
  passed: z.boolean(),
  /** What failed; on a failure it reaches the next execution round as guidance. */
  summary: z.string().max(8_000),
});
export type VerifyOutcome = z.infer<typeof VerifyOutcome>;

export const WorkOutcome = z.object({ summary: z.string().max(8_000).optional() });
export type WorkOutcome = z.infer<typeof WorkOutcome>;

/** Returned instead of a result when a step must ask a human first; approval runs the step again. */
export const AwaitApproval = z.object({
  awaitApproval: z.object({ gate: z.literal('tool'), summary: z.string().min(1).max(4_000) }),
});
export type AwaitApproval = z.infer<typeof AwaitApproval>;

export type Guidance = { id: number; text: string; actor: Actor; at: number };
export type GrantedApproval = { gate: ApprovalGate; summary: string; actor: Actor };

/** Read access to the user's repository; writes go through `writeGuard`. */
export type TargetView = {
  /** Absolute path of the target repository. */
  readonly path: string;
  /** True in dry-run: nothing under `path` may be written. */
  readonly readOnly: boolean;
  readFile(relativePath: string): Promise<Buffer>;
};

export type EffectSpec<T> = {
  /** Unique within the step's round; the same key is never acted on twice. */
  key: string;
  /** What kind of effect (`workspace.write`, `git.commit`, …), for the journal and the audit. */
  kind: string;
  /** Parses the stored result when the effect is found already applied (JSON columns are untrusted). */
  result?: z.ZodType<T>;
};

export type EffectAttempt = {
  /** Global idempotency key of this effect; external systems can dedupe on it. */
  key: string;
  /**
   * True when an earlier attempt journaled this effect but never recorded it as applied: it may
   * have happened. The step must check and finish it rather than repeat it blindly.
   */
  interrupted: boolean;
  signal: AbortSignal;
};

export type StepContext = {
  readonly taskId: string;
  /** The task as it was when this attempt started (spec, limits, mode). */
  readonly task: Task;
  readonly step: StepName;
  readonly phase: WorkPhase;
  readonly mode: ExecutionMode;
  /** 1 for the first time the phase runs; later rounds follow a council `modify` or failed gates. */
  readonly round: number;
  readonly attempt: number;
  /** Aborted when the task is paused or cancelled, the step times out, or the app stops. */
  readonly signal: AbortSignal;
  /** Guidance that arrived before this attempt started, oldest first. */
  readonly guidance: readonly Guidance[];
  /** Guidance that arrived since the attempt started or since the last call; for loops with their own boundaries. */
  takeGuidance(): Guidance[];
  /** Approvals a human granted to this phase in this round (for `awaitApproval`). */
  readonly approvals: readonly GrantedApproval[];
  readonly target: TargetView;
  /**
   * Returns the real path of `path` if the step may write there; throws a `forbidden` failure when
   * it lies inside the target repository and the task runs in dry-run.
   */
  writeGuard(path: string): string;
  /**
   * Journals an effect with an idempotency key before `perform` acts on it, and its completion
   * after. An effect already applied in an earlier attempt is not performed again: its stored
   * result is returned.
   */
  journalEffect<T = void>(spec: EffectSpec<T>, perform: (attempt: EffectAttempt) => Promise<T> | T): Promise<T>;
  /**
   * An effect on this database, applied in the same transaction as its journal record: exactly
   * once, even across a crash.
   */
  journalEffectInTransaction<T = void>(spec: EffectSpec<T>, apply: (db: Db) => T): T;
  /**
   * Journals a progress-stream event (council votes, gate results, artifacts, tokens…). With a
   * `key`, the event is written once per round however often the step runs.
   */
  emit(event: NewEvent, key?: string): AgentEvent;
  /** Reports how far through its phase the step is (0..1). */
  progress(fraction: number, message: string): void;
  /** Calls a dependency (a model provider, the gate runner) through its circuit breaker. */
  call<T>(dependency: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  readonly logger: Logger;
};

export type CleanupContext = { taskId: string; task: Task; signal: AbortSignal; logger: Logger };

type Outcome<T> = Promise<T | AwaitApproval>;

export interface StepSet {
  plan(ctx: StepContext): Outcome<PlanOutcome>;
  reviewPlan(ctx: StepContext): Outcome<ReviewOutcome>;
  execute(ctx: StepContext): Outcome<WorkOutcome>;
  verify(ctx: StepContext): Outcome<VerifyOutcome>;
  reviewChange(ctx: StepContext): Outcome<ReviewOutcome>;
  apply(ctx: StepContext): Outcome<WorkOutcome>;
  /** Removes a cancelled task's workspace. Runs again after a crash, so it must be idempotent. */
  cleanup?(ctx: CleanupContext): Promise<void>;
}

const OUTCOME_SCHEMA = {
  plan: PlanOutcome,
  reviewPlan: ReviewOutcome,
  execute: WorkOutcome,
  verify: VerifyOutcome,
  reviewChange: ReviewOutcome,
  apply: WorkOutcome,
} as const satisfies Record<StepName, z.ZodType>;

/** Parses what a step returned into the lifecycle's terms; throws a ZodError when it is malformed. */
export function toStepResult(step: StepName, raw: unknown): StepResult {
  const asking = AwaitApproval.safeParse(raw);
  if (asking.success) return { kind: 'needs_approval', gate: asking.data.awaitApproval.gate, summary: asking.data.awaitApproval.summary };
  switch (step) {
    case 'plan': {
      const o = OUTCOME_SCHEMA.plan.parse(raw);
      return { kind: 'planned', spec: o.spec, summary: o.summary };
    }
    case 'reviewPlan':
    case 'reviewChange': {
      const o = OUTCOME_SCHEMA[step].parse(raw);
      return { kind: 'reviewed', decision: o.decision, summary: o.summary };
    }
    case 'verify': {
      const o = OUTCOME_SCHEMA.verify.parse(raw);
      return { kind: 'verified', passed: o.passed, summary: o.summary };
    }
    case 'execute':
    case 'apply': {
      const o = OUTCOME_SCHEMA[step].parse(raw);
      return { kind: 'done', summary: o.summary };
    }
    default: {
      const never: never = step;
      throw new Error(`unknown step ${String(never)}`);
    }
  }
}
