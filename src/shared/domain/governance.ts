import { z } from 'zod';
import { WAIVER_ID_PATTERN } from './working-spec';

/** Governance records as the contract carries them: gates, council verdicts, waivers and policy. */

export const GATE_NAMES = ['budget', 'scope', 'spec_completeness', 'tests', 'typecheck', 'lint', 'coverage'] as const;
export const GateName = z.enum(GATE_NAMES);
export type GateName = z.infer<typeof GateName>;

export const GateStatus = z.enum(['pass', 'fail', 'warn', 'skip']);
export const GateMode = z.enum(['block', 'warn', 'skip']);
export type GateModeValue = z.infer<typeof GateMode>;

export const GateResultSchema = z.object({
  gate: z.string(),
  status: GateStatus,
  mode: GateMode,
  score: z.number().min(0).max(1),
  details: z.string(),
  durationMs: z.number().nonnegative(),
  waiverId: z.string().optional(),
});
export type GateResultRecord = z.infer<typeof GateResultSchema>;

// ---- Council -------------------------------------------------------------------------------

export const JUDGE_IDS = ['constitutional', 'technical', 'quality', 'integration'] as const;
export const JudgeId = z.enum(JUDGE_IDS);
export type JudgeId = z.infer<typeof JudgeId>;

/** The weights of DESIGN.md: the constitutional judge carries the most, and can veto alone. */
export const JUDGE_WEIGHTS: Readonly<Record<JudgeId, number>> = {
  constitutional: 0.4,
  technical: 0.2,
  quality: 0.2,
  integration: 0.2,
};

/** Weighted score needed to accept, per risk tier (tier 1 is the strictest). */
export const PASS_THRESHOLDS: Readonly<Record<1 | 2 | 3, number>> = { 1: 0.8, 2: 0.6, 3: 0.5 };

/**
 * A judge's answer: pass, fail, uncertain; `needs-info` (it cannot judge without answers to its
 * questions) or `conditional` (it passes only if its conditions are met).
 */
export const VerdictValue = z.enum(['pass', 'fail', 'uncertain', 'needs-info', 'conditional']);
export type VerdictValue = z.infer<typeof VerdictValue>;

/** A rule a judge found broken, and whether a waiver may cover it (only gate-backed rules can be). */
export const RuleViolation = z.object({
  rule: z.string().min(1).max(100),
  message: z.string().max(1000),
  waivable: z.boolean(),
  /** The gate a waiver must name to cover it, when waivable. */
  gate: GateName.optional(),
});
export type RuleViolation = z.infer<typeof RuleViolation>;

export const EvidenceItem = z.object({
  type: z.enum(['research', 'static_check', 'test']),
  ref: z.string(),
  summary: z.string(),
});
export type EvidenceItem = z.infer<typeof EvidenceItem>;

export const JudgeVerdict = z.object({
  judge_id: JudgeId,
  /** Version of the judge's checks and prompt, so a verdict can be traced to the rules that made it. */
  version: z.string(),
  verdict: VerdictValue,
  confidence: z.number().min(0).max(1),
  /** The judge's numeric score, 0..1: its verdict weighted by its confidence (see council/aggregate.ts). */
  score: z.number().min(0).max(1).optional(),
  reasons: z.array(z.string()),
  evidence: z.array(EvidenceItem),
  violations: z.array(RuleViolation).optional(),
  /** For `conditional`: what must hold before the change is accepted. */
  conditions: z.array(z.string()).optional(),
  /** For `needs-info`: what the judge needs answered. */
  questions: z.array(z.string()).optional(),
  /** Set when the judge failed to answer (error or timeout): the verdict is then a fail-closed `fail`. */
  error: z.string().optional(),
  /** Registry name of the model that reviewed, when one did. */
  model: z.string().optional(),
  round: z.number().int().min(1).optional(),
  durationMs: z.number().nonnegative().optional(),
});
export type JudgeVerdict = z.infer<typeof JudgeVerdict>;

export const Decision = z.enum(['accept', 'reject', 'modify']);
export type Decision = z.infer<typeof Decision>;

export const FinalVerdict = z.object({
  decision: Decision,
  votes: z.array(z.object({ judge_id: JudgeId, weight: z.number(), verdict: VerdictValue })),
  dissent: z.array(z.object({ judge_id: JudgeId, verdict: VerdictValue, reasons: z.array(z.string()) })),
  remediation: z.array(z.string()),
  constitutional_refs: z.array(z.string()),
  score: z.number(),
  threshold: z.number(),
  riskTier: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  /** Debate rounds held after the first vote (0..2). */
  debateRounds: z.number().int().min(0),
  vetoed: z.boolean(),
  /** The council could not settle and a human must decide (auto mode). */
  escalated: z.boolean(),
  /** Final-round verdict of each judge, with reasons and evidence. */
  judges: z.array(JudgeVerdict),
  /** Conditions of conditional votes; on an accepted plan they become acceptance criteria. */
  conditions: z.array(z.string()).optional(),
  /** Questions of needs-info votes: the planner or the user must answer them before a decision. */
  questions: z.array(z.object({ judge_id: JudgeId, questions: z.array(z.string()) })).optional(),
  /** Every rule violation of the final round, with whether a waiver may cover it. */
  violations: z.array(RuleViolation.extend({ judge_id: JudgeId })).optional(),
});
export type FinalVerdict = z.infer<typeof FinalVerdict>;

export const ReviewSubjectKind = z.enum(['plan', 'change']);
export type ReviewSubjectKind = z.infer<typeof ReviewSubjectKind>;

// ---- Waivers -------------------------------------------------------------------------------

export const WaiverStatus = z.enum(['pending', 'active', 'expired', 'revoked', 'exhausted']);
export type WaiverStatus = z.infer<typeof WaiverStatus>;

export const BudgetDelta = z.strictObject({
  files: z.number().int().min(0).max(100_000),
  lines: z.number().int().min(0).max(10_000_000),
});

export const CreateWaiverInput = z.strictObject({
  title: z.string().trim().min(5, 'must be at least 5 characters').max(200),
  gates: z.array(GateName).min(1, 'must cover at least one gate').max(GATE_NAMES.length),
  reason: z.string().trim().min(10, 'must explain the reason in at least 10 characters').max(2000),
  createdBy: z.string().trim().min(1).max(200),
  /** Milliseconds since the epoch; must lie in the future. */
  expiresAt: z.number().int().positive(),
  specId: z.string().max(100).optional(),
  /** Without a specId the waiver covers every spec; that must be chosen explicitly. */
  allSpecs: z.literal(true).optional(),
  maxUses: z.number().int().min(1).max(10_000).optional(),
  /** Extra files/lines for the budget gate; without it a budget waiver lets the gate pass outright. */
  budgetDelta: BudgetDelta.optional(),
});
export type CreateWaiverInput = z.input<typeof CreateWaiverInput>;

export const Waiver = z.object({
  id: z.string().regex(WAIVER_ID_PATTERN),
  title: z.string(),
  gates: z.array(GateName),
  reason: z.string(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  approver: z.string().nullable(),
  approvedAt: z.number().int().nullable(),
  /** Channel of the approval (window, menu-bar, notification, cli, api). */
  approverVia: z.string().nullable(),
  /** Operating-system user the app ran as when it was approved. */
  approverOsUser: z.string().nullable(),
  revokedAt: z.number().int().nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  specId: z.string().nullable(),
  maxUses: z.number().int().nullable(),
  budgetDelta: BudgetDelta.nullable(),
  uses: z.number().int().min(0),
  /** Derived from the clock and the record when read; never stored. */
  status: WaiverStatus,
});
export type Waiver = z.infer<typeof Waiver>;

// ---- Policy --------------------------------------------------------------------------------

export const TierBudget = z.strictObject({
  maxFiles: z.number().int().min(1).max(100_000),
  maxLines: z.number().int().min(1).max(10_000_000),
});
export type TierBudget = z.infer<typeof TierBudget>;

const perTier = <T extends z.ZodType>(value: T) => z.strictObject({ 1: value, 2: value, 3: value });

export const CheckCommands = z.strictObject({
  tests: z.string().trim().min(1).max(1000).optional(),
  typecheck: z.string().trim().min(1).max(1000).optional(),
  lint: z.string().trim().min(1).max(1000).optional(),
});
export type CheckCommands = z.infer<typeof CheckCommands>;

export const Policy = z.strictObject({
  budgets: perTier(TierBudget),
  gateModes: perTier(z.strictObject(Object.fromEntries(GATE_NAMES.map((g) => [g, GateMode])) as Record<GateName, typeof GateMode>)),
  /** Minimum line coverage (0..1) where the project reports coverage. */
  coverage: perTier(z.number().min(0).max(1)),
  /** How long one project check (tests, type check, lint) may run. */
  checkTimeoutMs: z.number().int().min(1_000).max(6 * 60 * 60 * 1000),
  /** Commands configured per repository path; they replace the detected ones. */
  checkCommands: z.record(z.string().min(1).max(4096), CheckCommands),
});
export type Policy = z.infer<typeof Policy>;

const modes = (overrides: Partial<Record<GateName, GateModeValue>>): Record<GateName, GateModeValue> => ({
  budget: 'block',
  scope: 'block',
  spec_completeness: 'block',
  tests: 'block',
  typecheck: 'block',
  lint: 'block',
  coverage: 'warn',
  ...overrides,
});

export const DEFAULT_POLICY: Policy = {
  budgets: {
    1: { maxFiles: 10, maxLines: 250 },
    2: { maxFiles: 100, maxLines: 10_000 },
    3: { maxFiles: 500, maxLines: 40_000 },
  },
  gateModes: { 1: modes({ coverage: 'block' }), 2: modes({}), 3: modes({ lint: 'warn' }) },
  coverage: { 1: 0.9, 2: 0.8, 3: 0.7 },
  checkTimeoutMs: 10 * 60 * 1000,
  checkCommands: {},
};

/** One broken CAWS rule, as recorded in caws_validations and cited by the constitutional judge. */
export const CawsViolation = z.object({ rule: z.string(), path: z.string(), message: z.string() });
export type CawsViolation = z.infer<typeof CawsViolation>;

const partialPerTier = <T extends z.ZodType>(value: T) => z.strictObject({ 1: value.optional(), 2: value.optional(), 3: value.optional() });

/** A partial policy update; what it leaves out keeps its current value. */
export const PolicyPatch = z.strictObject({
  budgets: partialPerTier(TierBudget.partial()).optional(),
  gateModes: partialPerTier(z.strictObject(Object.fromEntries(GATE_NAMES.map((g) => [g, GateMode.optional()])) as Record<GateName, z.ZodOptional<typeof GateMode>>)).optional(),
  coverage: partialPerTier(z.number().min(0).max(1)).optional(),
  checkTimeoutMs: z.number().int().min(1_000).max(6 * 60 * 60 * 1000).optional(),
  /** Per repository path; an empty object removes that repository's commands. */
  checkCommands: z.record(z.string().min(1).max(4096), CheckCommands).optional(),
});
export type PolicyPatch = z.input<typeof PolicyPatch>;
