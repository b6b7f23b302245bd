/** Council calibration as data: outcomes of council decisions and the parameters fitted from them. */
import { z } from 'zod';
import { JUDGE_IDS, type JudgeId } from './governance';

/** Where the truth about a council decision came from, and so whether it may train the calibration. */
export const OUTCOME_SOURCES = ['revert', 'eval_hidden_tests', 'human_override', 'promoted_dry_run'] as const;
export const OutcomeSource = z.enum(OUTCOME_SOURCES);
export type OutcomeSource = z.infer<typeof OutcomeSource>;

/** How the council may use the fitted calibration. The fixed rules (veto, fail-closed) hold in every mode. */
export const CALIBRATION_MODES = ['off', 'suggest', 'apply'] as const;
export const CalibrationMode = z.enum(CALIBRATION_MODES);
export type CalibrationMode = z.infer<typeof CalibrationMode>;

/** One judge's vote as the calibration sees it: never its reasons, only what it said and how sure. */
export const VoteSignal = z.strictObject({
  judge_id: z.enum(JUDGE_IDS),
  verdict: z.string().min(1).max(40),
  confidence: z.number().min(0).max(1),
  errored: z.boolean(),
});
export type VoteSignal = z.infer<typeof VoteSignal>;

/** A council decision whose rightness became known later. `good` means the subject was right to accept. */
export const CouncilOutcome = z.strictObject({
  verdictId: z.string().min(1),
  taskId: z.string().min(1),
  riskTier: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  decision: z.enum(['accept', 'reject', 'modify']),
  votes: z.array(VoteSignal).max(JUDGE_IDS.length),
  good: z.boolean(),
  source: OutcomeSource,
  knownAt: z.number().int().nonnegative(),
});
export type CouncilOutcome = z.infer<typeof CouncilOutcome>;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/**
 * The calibration one installation fits: a logistic model of "this subject is good" on the judges'
 * signed, confidence-scaled votes, and a probability threshold per risk tier.
 */
export const CalibrationParams = z.strictObject({
  weights: z.strictObject({ constitutional: finite, technical: finite, quality: finite, integration: finite }),
  bias: finite,
  thresholds: z.strictObject({ 1: z.number().min(0.05).max(0.95), 2: z.number().min(0.05).max(0.95), 3: z.number().min(0.05).max(0.95) }),
});
export type CalibrationParams = z.infer<typeof CalibrationParams>;

/** Order of the parameter vector that federation exchanges (weights, bias, three thresholds). */
export const PARAM_DIM = JUDGE_IDS.length + 1 + 3;

export function paramsToVector(p: CalibrationParams): number[] {
  return [...JUDGE_IDS.map((id: JudgeId) => p.weights[id]), p.bias, p.thresholds[1], p.thresholds[2], p.thresholds[3]];
}

export function vectorToParams(v: readonly number[]): CalibrationParams {
  if (v.length !== PARAM_DIM) throw new Error(`calibration vector: expected ${PARAM_DIM} numbers, got ${v.length}`);
  const clampT = (x: number) => Math.min(0.95, Math.max(0.05, x));
  const [c, t, q, i, bias, t1, t2, t3] = v as [number, number, number, number, number, number, number, number];
  return CalibrationParams.parse({
    weights: { constitutional: c, technical: t, quality: q, integration: i },
    bias,
    thresholds: { 1: clampT(t1), 2: clampT(t2), 3: clampT(t3) },
  });
}
