import type { RiskTier } from '../../../shared/domain/task';
import { JUDGE_IDS, JUDGE_WEIGHTS, PASS_THRESHOLDS } from '../../../shared/domain/governance';
import { voteFeatures } from './features';
import { CalibrationParams, type CouncilOutcome, type VoteSignal } from './types';

/** Logit scale of the default weights: a unanimous, fully confident pass reads as p ≈ 0.98. */
const DEFAULT_SCALE = 4;

/** The calibration before anything was learned: DESIGN.md's weights and the tiers' thresholds. */
export function defaultParams(): CalibrationParams {
  return CalibrationParams.parse({
    weights: Object.fromEntries(JUDGE_IDS.map((id) => [id, JUDGE_WEIGHTS[id] * DEFAULT_SCALE])),
    bias: 0,
    thresholds: { 1: PASS_THRESHOLDS[1], 2: PASS_THRESHOLDS[2], 3: PASS_THRESHOLDS[3] },
  });
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Probability that the reviewed subject is good, given the judges' votes. */
export function probabilityGood(p: CalibrationParams, outcomeVotes: readonly VoteSignal[]): number {
  const x = voteFeatures(outcomeVotes);
  const z = JUDGE_IDS.reduce((s, id, i) => s + p.weights[id] * x[i]!, p.bias);
  return sigmoid(z);
}

export function predictsAccept(p: CalibrationParams, o: { votes: readonly VoteSignal[]; riskTier: RiskTier }): boolean {
  return probabilityGood(p, o.votes) >= p.thresholds[o.riskTier];
}

/** Share of outcomes where "accept" under these parameters matches what turned out to be right. */
export function accuracy(p: CalibrationParams, outcomes: readonly CouncilOutcome[]): number {
  if (outcomes.length === 0) return 0;
  const right = outcomes.filter((o) => predictsAccept(p, o) === o.good).length;
  return right / outcomes.length;
}

export type FitOptions = {
  /** Pull towards the prior (L2 on the difference): few outcomes move the weights little. */
  l2?: number;
  iterations?: number;
  learningRate?: number;
  /** A tier's threshold is learned only from at least this many outcomes of that tier. */
  minPerTier?: number;
  prior?: CalibrationParams;
};

/**
 * Fits per-judge reliability weights and the bias by logistic regression (full-batch gradient
 * descent, deterministic), then each tier's threshold as the accuracy-maximising cut of the fitted
 * probabilities. With no outcomes the prior comes back unchanged.
 */
export function fitCalibration(outcomes: readonly CouncilOutcome[], options: FitOptions = {}): CalibrationParams {
  const prior = options.prior ?? defaultParams();
  if (outcomes.length === 0) return prior;
  const l2 = options.l2 ?? 0.05;
  const iterations = options.iterations ?? 400;
  const lr = options.learningRate ?? 0.5;
  const xs = outcomes.map((o) => voteFeatures(o.votes));
  const ys = outcomes.map((o) => (o.good ? 1 : 0));
  const w0 = JUDGE_IDS.map((id) => prior.weights[id]);
  const w = [...w0];
  let b = prior.bias;
  const n = outcomes.length;
  for (let it = 0; it < iterations; it++) {
    const gw = w.map((wi, j) => l2 * (wi - w0[j]!));
    let gb = l2 * (b - prior.bias);
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      const err = sigmoid(x.reduce((s, xj, j) => s + w[j]! * xj, b)) - ys[i]!;
      for (let j = 0; j < w.length; j++) gw[j]! += (err * x[j]!) / n;
      gb += err / n;
    }
    for (let j = 0; j < w.length; j++) w[j]! -= lr * gw[j]!;
    b -= lr * gb;
  }
  const fitted: CalibrationParams = {
    weights: Object.fromEntries(JUDGE_IDS.map((id, j) => [id, w[j]!])) as CalibrationParams['weights'],
    bias: b,
    thresholds: { ...prior.thresholds },
  };
  for (const tier of [1, 2, 3] as const) {
    fitted.thresholds[tier] = bestThreshold(fitted, outcomes.filter((o) => o.riskTier === tier), prior.thresholds[tier], options.minPerTier ?? 5);
  }
  return CalibrationParams.parse(fitted);
}

/** The cut in 0.05 steps with the best accuracy; ties go to the cut nearest the prior's. */
function bestThreshold(p: CalibrationParams, outcomes: readonly CouncilOutcome[], prior: number, min: number): number {
  if (outcomes.length < min) return prior;
  const probs = outcomes.map((o) => probabilityGood(p, o.votes));
  let best = prior;
  let bestAcc = -1;
  for (let k = 1; k <= 19; k++) {
    const t = k / 20;
    const acc = probs.filter((pr, i) => (pr >= t) === outcomes[i]!.good).length;
    if (acc > bestAcc || (acc === bestAcc && Math.abs(t - prior) < Math.abs(best - prior))) {
      best = t;
      bestAcc = acc;
    }
  }
  return best;
}

export type CalibrationEffect = {
  outcomes: number;
  /** Accepted by the council, later shown bad, and the calibration would have rejected. */
  wouldRejectBadAccepts: number;
  /** Rejected by the council, later shown good, and the calibration would have accepted. */
  wouldAcceptGoodRejects: number;
  /** Accepted, shown good, and the calibration would have rejected: the price. */
  wouldRejectGoodAccepts: number;
  accuracyCurrent: number;
  accuracyCalibrated: number;
};

/** What the calibration would have changed on decisions whose truth is known (counts only). */
export function effectOn(p: CalibrationParams, outcomes: readonly CouncilOutcome[], tierOf: (o: CouncilOutcome) => RiskTier = (o) => o.riskTier): CalibrationEffect {
  let wouldRejectBadAccepts = 0;
  let wouldAcceptGoodRejects = 0;
  let wouldRejectGoodAccepts = 0;
  let rightNow = 0;
  let rightCal = 0;
  for (const o of outcomes) {
    const accepted = o.decision === 'accept';
    const cal = predictsAccept(p, { votes: o.votes, riskTier: tierOf(o) });
    if (accepted === o.good) rightNow++;
    if (cal === o.good) rightCal++;
    if (accepted && !o.good && !cal) wouldRejectBadAccepts++;
    if (!accepted && o.good && cal) wouldAcceptGoodRejects++;
    if (accepted && o.good && !cal) wouldRejectGoodAccepts++;
  }
  const n = outcomes.length;
  return {
    outcomes: n,
    wouldRejectBadAccepts,
    wouldAcceptGoodRejects,
    wouldRejectGoodAccepts,
    accuracyCurrent: n ? rightNow / n : 0,
    accuracyCalibrated: n ? rightCal / n : 0,
  };
}
