import { JUDGE_IDS, type JudgeId } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';
import type { CouncilOutcome } from './types';

/** A small seeded PRNG (mulberry32), so simulations and tests repeat exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Synthetic council decisions for judges of known reliability: each subject is good with
 * probability `goodRate`; a judge votes right with its reliability, with a confidence that is
 * higher when it is right. The council's own decision uses DESIGN.md's fixed weights.
 */
export function syntheticOutcomes(opts: {
  count: number;
  reliability: Readonly<Record<JudgeId, number>>;
  seed: number;
  goodRate?: number;
  tiers?: readonly RiskTier[];
}): CouncilOutcome[] {
  const rnd = seededRandom(opts.seed);
  const tiers = opts.tiers ?? [2];
  const out: CouncilOutcome[] = [];
  for (let i = 0; i < opts.count; i++) {
    const good = rnd() < (opts.goodRate ?? 0.6);
    const votes = JUDGE_IDS.map((id) => {
      const right = rnd() < opts.reliability[id];
      const saysGood = right ? good : !good;
      return { judge_id: id, verdict: saysGood ? 'pass' : 'fail', confidence: Math.round((right ? 0.6 + 0.4 * rnd() : 0.4 + 0.4 * rnd()) * 100) / 100, errored: false };
    });
    const score = votes.reduce((s, v) => s + (v.verdict === 'pass' ? (v.judge_id === 'constitutional' ? 0.4 : 0.2) : 0), 0);
    const vetoed = votes[0]!.verdict === 'fail';
    out.push({
      verdictId: `v${opts.seed}-${i}`,
      taskId: `t${opts.seed}-${i}`,
      riskTier: tiers[i % tiers.length]!,
      decision: !vetoed && score >= 0.6 ? 'accept' : 'reject',
      votes,
      good,
      source: 'eval_hidden_tests',
      knownAt: i,
    });
  }
  return out;
}
