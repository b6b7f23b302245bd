import type { GateResultRecord, JudgeId, JudgeVerdict, ReviewSubjectKind, TierBudget, Waiver } from '../../../shared/domain/governance';
import type { ExecutionMode, RiskTier } from '../../../shared/domain/task';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import type { ChangedFile } from '../caws/budget';

// DESIGN.md's weights and the tiers' thresholds are domain facts (calibration starts from them too).
export { JUDGE_WEIGHTS, PASS_THRESHOLDS } from '../../../shared/domain/governance';

/**
 * Below its tier's floor a council rejects outright; between the floor and the tier's threshold it
 * debates. Every tier has a band, so a close vote at tier 3 is debated too.
 */
export const DEBATE_FLOORS: Readonly<Record<RiskTier, number>> = { 1: 0.5, 2: 0.5, 3: 0.4 };
/** The tier 1 and 2 floor, kept for callers that show one number. */
export const DEBATE_FLOOR = DEBATE_FLOORS[1];
export const MAX_DEBATE_ROUNDS = 2;

/** What the council reviews: a plan (the spec alone) or a change (the spec, the diff and the gates). */
export type ReviewSubject = {
  kind: ReviewSubjectKind;
  taskId: string;
  description: string;
  riskTier: RiskTier;
  mode: ExecutionMode;
  spec: WorkingSpec;
  specYaml: string;
  /** The tier budget, already widened by active waivers. */
  budget: TierBudget;
  /** Waivers in force for this task's spec, with their derived status. */
  waivers: readonly Waiver[];
  change?: {
    changedFiles: readonly ChangedFile[];
    /** Unified diff of the change (bounded by the caller). */
    diff?: string;
  };
  gateResults?: readonly GateResultRecord[];
  /**
   * The claim table the council sees at a change review: the worker's claims about its change, each
   * checked against the diff, workspace, gates and tests, and where each acceptance criterion stands.
   */
  claims?: {
    worker: readonly { kind: string; subject: string; text: string; status: 'verified' | 'refuted' | 'unverifiable'; evidence: string }[];
    criteria: readonly { criterionId: string; status: 'verified' | 'refuted' | 'pending' | 'unmet'; evidence: string }[];
  };
};

/** A deterministic check's finding. A `blocker` fails the judge whatever the model says. */
export type Finding = {
  severity: 'blocker' | 'concern' | 'info';
  /** Rule or check id (`CAWS-SCOPE-BOUNDARY`, `gate:tests`, `secret-in-diff`). */
  ref: string;
  summary: string;
  evidenceType: 'static_check' | 'test' | 'research';
};

export type JudgeDefinition = {
  id: JudgeId;
  /** Bumped whenever the checks or the prompt change, so stored verdicts name their rules. */
  version: string;
  focus: string;
  check(subject: ReviewSubject): Finding[];
};

export type { JudgeVerdict };
