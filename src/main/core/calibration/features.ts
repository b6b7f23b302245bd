import { JUDGE_IDS } from '../../../shared/domain/governance';
import type { VoteSignal } from './types';

/**
 * How much a verdict label says "good": a pass is +1, a fail −1, a conditional pass leans good,
 * needs-info and uncertain say nothing. Labels this code does not know say nothing either.
 */
export function verdictSign(verdict: string): number {
  switch (verdict) {
    case 'pass':
      return 1;
    case 'fail':
      return -1;
    case 'conditional':
      return 0.5;
    default:
      return 0;
  }
}

/**
 * One feature per judge, in JUDGE_IDS order: sign × confidence, so a confident fail weighs more than
 * an unsure one. A judge that errored or did not vote is a confident fail (fail closed).
 */
export function voteFeatures(votes: readonly VoteSignal[]): number[] {
  const byJudge = new Map(votes.map((v) => [v.judge_id, v]));
  return JUDGE_IDS.map((id) => {
    const v = byJudge.get(id);
    if (!v || v.errored) return -1;
    return verdictSign(v.verdict) * v.confidence;
  });
}
