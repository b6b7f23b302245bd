import { z } from 'zod';
import type { KnowledgeLookup } from '../claims/types';
import type { NewEvent } from '../../../shared/domain/events';
import type { GateResult, GateRunner } from '../gates/types';
import type { Clock } from '../journal/journal';
import type { ModelClient } from '../models/types';
import type { Logger } from '../observability/logger';
import type { ToolsService } from '../tools/service';
import type { ToolCallAction } from '../tools/worker-tools';
import type { ScopeSpec } from '../workspace/policy';
import type { ApplySettings, ChangedFile, Workspace } from '../workspace/workspace';
import type { ContextLimits } from './context';
import type { CriterionRunner } from './criterion-runner';
import type { Criterion, Evaluation } from './scoring';

/** The worker loop's vocabulary: its limits, options, iteration records, results and stop reasons. */

export const STOP_REASONS = [
  'satisficed',
  'quality_ceiling',
  'max_iterations',
  'no_progress',
  'patch_failures',
  'mandatory_gate_failed',
  'intervention',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** What became of one iteration's proposal. */
export type IterationOutcome =
  | 'improved'
  | 'kept'
  | 'rolled_back'
  | 'no_op'
  | 'repeated'
  | 'tiny'
  | 'blocked'
  | 'conflict'
  | 'patch_failed'
  | 'io_error'
  | 'invalid_output'
  | 'model_error'
  | 'mandatory_gate_failed'
  | 'interrupted'
  | 'tool_called'
  | 'tool_failed'
  | 'tool_refused'
  | 'awaiting_approval';

export type LoopLimits = {
  maxIterations: number;
  /** Score at which the result is good enough (with every criterion met and no blocking gate failed). */
  satisficeScore: number;
  /** Improvement smaller than this counts towards the quality ceiling. */
  minImprovement: number;
  /** Iterations in a row without real improvement before stopping at the quality ceiling. */
  plateauIterations: number;
  /** Extra attempts when the model's answer is not a valid action. */
  maxInvalidRetries: number;
  /** Iterations in a row whose change could not be applied (or whose answer stayed invalid). */
  maxPatchFailures: number;
  /** Iterations in a row with no change, a repeated change or a tiny one. */
  noProgressIterations: number;
  /** A change of fewer lines than this is tiny. */
  minChangedLines: number;
  /** A score drop larger than this rolls the change back. */
  regressionTolerance: number;
  /** Time limit of one acceptance criterion's test command. */
  criterionTimeoutMs: number;
};

export const DEFAULT_LIMITS: LoopLimits = {
  maxIterations: 5,
  satisficeScore: 0.9,
  minImprovement: 0.02,
  plateauIterations: 3,
  maxInvalidRetries: 2,
  maxPatchFailures: 3,
  noProgressIterations: 2,
  minChangedLines: 1,
  regressionTolerance: 0.001,
  criterionTimeoutMs: 120_000,
};

/** Governance gates a refinement cannot fix: if one fails, the loop stops (names from the gate runner). */
export const DEFAULT_MANDATORY_GATES = ['spec_completeness', 'scope', 'budget'] as const;

export type LoopSpec = { id: string; title: string; scope: ScopeSpec; acceptance: readonly Criterion[] };

export type IterationRecord = {
  iteration: number;
  outcome: IterationOutcome;
  /** Score after the iteration (of the state kept), and before it. */
  score: number;
  scoreBefore: number;
  rolledBack: boolean;
  reason?: string;
  confidence?: number;
  changesetId?: string;
  stats?: { files: number; linesAdded: number; linesRemoved: number };
  detail?: string;
  /** Gates of the state this iteration evaluated (also when its change was rolled back). */
  gates?: { gate: string; status: GateResult['status'] }[];
  /** The worker's claims about this change, checked against the diff, workspace, gates and tests. */
  claims?: { kind: string; subject: string; text: string; status: 'verified' | 'refuted' | 'unverifiable'; evidence: string }[];
};

export type LoopResult = {
  stopReason: StopReason;
  detail: string;
  iterations: number;
  score: number;
  evaluation: Evaluation | null;
  history: IterationRecord[];
  changes: ChangedFile[];
};

export type LoopOptions = {
  taskId: string;
  description: string;
  spec: LoopSpec;
  riskTier: 1 | 2 | 3;
  workspace: Workspace;
  model: ModelClient;
  gates: GateRunner;
  /** Policy, budget and waiver check for every changeset. */
  apply: Omit<ApplySettings, 'hooks'>;
  limits?: Partial<LoopLimits>;
  mandatoryGates?: readonly string[];
  runCriterion?: CriterionRunner;
  /** Journals an event; `key` is unique within the task's loop run (for idempotency keys). */
  emit?: (event: NewEvent, key: string) => void | Promise<void>;
  /** Guidance from the user received since the last call; read at each iteration boundary. */
  takeGuidance?: () => string[];
  /** Checked at each iteration boundary: true stops the loop (a pause; the workspace stays as it is). */
  shouldPause?: () => boolean;
  /** Aborting stops the loop promptly (cancel); an in-flight change is rolled back. */
  signal?: AbortSignal;
  logger: Logger;
  clock: Clock;
  generation?: { maxTokens?: number; temperature?: number };
  /**
   * Tokens the prompt may take (the model's context minus room for the answer). When set, the prompt
   * is compacted step by step until it fits: fewer files shown, shorter output, short instructions.
   */
  promptBudgetTokens?: number;
  context?: Partial<ContextLimits>;
  /** The knowledge base, for the worker's claims about what the docs say; without it they are unverifiable. */
  knowledge?: KnowledgeLookup;
  /** Files the retrieval service ranked for the task, best first: shown before the rest of the scope. */
  retrieved?: readonly string[];
  /** Iterations already done by an earlier run of this loop (a resumed task). */
  startIteration?: number;
  /** MCP tools the model may call; without them it can only edit. */
  tools?: LoopTools;
  /**
   * How the model writes edits: `text` is the SEARCH/REPLACE text action under a GBNF grammar
   * (agent/edits/, measured by bench:edits), which the composition root chooses for the worker
   * (ADR 0019); `json`, the default when unset here, is the older JSON action with line-numbered
   * hunks, kept for a model that cannot write the text format.
   */
  editFormat?: 'json' | 'text';
};

/**
 * The loop's tools. Every call goes through `runToolAction` (permissions, path allow-list, budgets,
 * scheduler slot, journal). A call the model proposes carries no approval: an `ask` tool without a
 * grant stops the loop with `ToolApprovalPending`, and the step that ran it returns `awaitApproval`.
 * Once approved, the step runs again and performs that call itself before the loop starts; such
 * calls arrive in `earlier`, so their results reach the model and repeating them counts as repeated.
 */
export type LoopTools = {
  service: ToolsService;
  earlier?: readonly { call: ToolCallAction; prompt: string }[];
};

/** Thrown at a boundary when the task was cancelled or paused; the loop turns it into an intervention stop. */
export class Interrupted extends Error {
  constructor(readonly why: 'cancelled' | 'paused') {
    super(why);
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Interrupted('cancelled');
}

/** Parses loop limits given as untrusted settings. */
export const LoopLimitsInput = z
  .object({
    maxIterations: z.number().int().min(1).max(50),
    satisficeScore: z.number().min(0).max(1),
    minImprovement: z.number().min(0).max(1),
    plateauIterations: z.number().int().min(1).max(50),
    maxInvalidRetries: z.number().int().min(0).max(10),
    maxPatchFailures: z.number().int().min(1).max(50),
    noProgressIterations: z.number().int().min(1).max(50),
    minChangedLines: z.number().int().min(0).max(1000),
    regressionTolerance: z.number().min(0).max(1),
    criterionTimeoutMs: z.number().int().min(1000).max(3_600_000),
  })
  .partial();
