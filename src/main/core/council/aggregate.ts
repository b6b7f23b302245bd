import type { Decision, FinalVerdict, JudgeId, JudgeVerdict, VerdictValue } from '../../../shared/domain/governance';
import { JUDGE_IDS } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';
import { DEBATE_FLOOR, JUDGE_WEIGHTS, PASS_THRESHOLDS } from './types';

/** Points a vote is worth before weighting: a pass counts fully, uncertainty half, a fail nothing. */
export const VOTE_VALUE: Readonly<Record<VerdictValue, number>> = { pass: 1, uncertain: 0.5, fail: 0 };

export type Tally = {
  score: number;
  threshold: number;
  vetoed: boolean;
  /** Where the score falls: settled either way, or in the band where the judges debate. */
  outcome: 'accept' | 'reject' | 'contested';
  votes: FinalVerdict['votes'];
};

/**
 * Weighted score of one round. A judge that did not answer counts as a fail (fail closed), and a
 * failing constitutional judge vetoes whatever the others say.
 */
export function tally(verdicts: readonly JudgeVerdict[], tier: RiskTier, weights: Readonly<Record<JudgeId, number>> = JUDGE_WEIGHTS): Tally {
  const byJudge = new Map(verdicts.map((v) => [v.judge_id, v]));
  const votes = JUDGE_IDS.map((id) => ({ judge_id: id, weight: weights[id], verdict: byJudge.get(id)?.verdict ?? ('fail' as const) }));
  const total = votes.reduce((s, v) => s + v.weight, 0);
  const raw = votes.reduce((s, v) => s + v.weight * VOTE_VALUE[v.verdict], 0);
  // Rounded so 0.8 from four weights is exactly 0.8, not 0.7999999.
  const score = Math.round((total > 0 ? raw / total : 0) * 1e6) / 1e6;
  const threshold = PASS_THRESHOLDS[tier];
  const vetoed = votes.find((v) => v.judge_id === 'constitutional')!.verdict === 'fail';
  const outcome = vetoed || score < DEBATE_FLOOR ? 'reject' : score >= threshold ? 'accept' : 'contested';
  return { score, threshold, vetoed, outcome, votes };
}

/** The final decision once debate is over: a council still contested asks for changes. */
export function decide(t: Tally): Decision {
  return t.outcome === 'contested' ? 'modify' : t.outcome;
}

/** Judges who disagree with the decision: anyone not passing an accepted subject, anyone passing a refused one. */
export function dissentOf(decision: Decision, verdicts: readonly JudgeVerdict[]): FinalVerdict['dissent'] {
  return verdicts
    .filter((v) => (decision === 'accept' ? v.verdict !== 'pass' : v.verdict === 'pass'))
    .map((v) => ({ judge_id: v.judge_id, verdict: v.verdict, reasons: v.reasons }));
}
