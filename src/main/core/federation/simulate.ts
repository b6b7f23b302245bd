import { createHash } from 'node:crypto';
import { JUDGE_IDS, type JudgeId } from '../../../shared/domain/governance';
import { accuracy, defaultParams, fitCalibration } from '../calibration/fit';
import { seededRandom, syntheticOutcomes } from '../calibration/synthetic';
import { paramsToVector, vectorToParams } from '../calibration/types';
import { listRounds } from '../db/queries/federation';
import { clipL2, l2Norm } from './privacy';
import { decodeFixed, encodeFixed, maskUpdate, newRoundKey, pairSeed, unmaskSum } from './secure-agg';
import { inProcessFederation, TEST_POLICY } from './testing';

export type SimulationOptions = {
  participants: number;
  epsilon: number;
  rounds: number;
  seed: number;
  /** Outcomes each installation knows (few: the reason to federate). */
  outcomesPerMember?: number;
  serverRate?: number;
};

export type SimulationReport = {
  participants: number;
  epsilon_per_round: number;
  rounds: number;
  outcomes_per_member: number;
  judge_reliability: Record<JudgeId, number>;
  /** Accuracy of "accept" against the truth on a large common test set. */
  accuracy_before: number;
  accuracy_after: number;
  accuracy_local_only: number;
  /** L2 distance between the securely aggregated mean update and the exact mean of the clipped updates (DP noise plus fixed-point error), last round. */
  aggregate_error: number;
  /** L2 distance between the secure sum and the plain sum of the noised updates: secure aggregation's own error. */
  secure_sum_error: number;
  epsilon_spent: number;
  adopted: number;
  refused: number;
};

/**
 * Judges of known, different reliability; installations that each see few outcomes; the real local
 * learning, DP noise, secure aggregation, coordinator and adoption code, in one process.
 */
export async function simulateFederation(o: SimulationOptions): Promise<SimulationReport> {
  const rnd = seededRandom(o.seed);
  const reliability = Object.fromEntries(JUDGE_IDS.map((id, i) => [id, [0.55, 0.92, 0.85, 0.65][i]!])) as Record<JudgeId, number>;
  const perMember = o.outcomesPerMember ?? 25;
  const policy = { ...TEST_POLICY, epsilonPerRound: o.epsilon, maxEpsilonPerPeriod: o.epsilon * o.rounds * 2, minCohort: Math.min(2, o.participants) };
  const fed = inProcessFederation(o.participants, policy, undefined, o.serverRate, 20_000);
  fed.members.forEach((m, i) => {
    for (const out of syntheticOutcomes({ count: perMember, reliability, seed: o.seed * 1000 + i })) m.calibration.recordOutcome(out);
  });
  for (const [i, m] of fed.members.entries()) await m.member.join(fed.coordinator.invite(`sim-${i}`));
  const test = syntheticOutcomes({ count: 3000, reliability, seed: o.seed * 1000 + 999 });
  const localOnly = fed.members.map((m) => accuracy(fitCalibration(m.calibration.outcomes()), test));

  let aggregateError = 0;
  let secureSumError = 0;
  let adopted = 0;
  let refused = 0;
  let global = paramsToVector(defaultParams());
  for (let r = 0; r < o.rounds; r++) {
    // What the exact (un-noised) mean update of this round would be, to measure the aggregate's error.
    const exact = fed.members.map((m) => {
      const local = fitCalibration(m.calibration.outcomes().filter((x) => !isHeldOutForSim(x.verdictId)), { prior: vectorToParams(global) });
      return clipL2(paramsToVector(local).map((x, i) => x - global[i]!), policy.clip);
    });
    const rate = o.serverRate ?? 0.5;
    const exactMean = exact[0]!.map((_, i) => (rate * exact.reduce((s, v) => s + v[i]!, 0)) / exact.length);
    fed.coordinator.openRound();
    const results = await Promise.all(fed.members.map((m) => m.member.participate({ timeoutMs: 30_000, pollMs: 2 })));
    for (const res of results) {
      if (res.status !== 'contributed') continue;
      if (res.outcome === 'adopted') adopted++;
      else refused++;
    }
    const round = listRounds(fed.coordinator['o'].db, 1)[0]!;
    const result = round.detail['result'] as number[] | null;
    if (!result) throw new Error(`simulation: round ${r + 1} failed: ${String(round.detail['failure'])}`);
    const got = result.map((x, i) => x - global[i]!);
    aggregateError = l2Norm(got.map((x, i) => x - exactMean[i]!));
    secureSumError = secureSumCheck(rnd);
    global = result;
  }
  const after = vectorToParams(global);
  return {
    participants: o.participants,
    epsilon_per_round: o.epsilon,
    rounds: o.rounds,
    outcomes_per_member: perMember,
    judge_reliability: reliability,
    accuracy_before: round4(accuracy(defaultParams(), test)),
    accuracy_after: round4(accuracy(after, test)),
    accuracy_local_only: round4(localOnly.reduce((s, x) => s + x, 0) / localOnly.length),
    aggregate_error: round4(aggregateError),
    secure_sum_error: secureSumError,
    epsilon_spent: round4(fed.members[0]!.member.privacy().epsilonSpent),
    adopted,
    refused,
  };
}


function isHeldOutForSim(verdictId: string): boolean {
  return createHash('sha256').update(verdictId).digest()[0]! % 5 === 0;
}

/** Secure aggregation's own error on random vectors of this dimension (fixed-point rounding only). */
function secureSumCheck(rnd: () => number): number {
  const ids = ['a', 'b', 'c'];
  const keys = new Map(ids.map((id) => [id, newRoundKey()]));
  const vals = ids.map(() => Array.from({ length: 8 }, () => (rnd() - 0.5) * 20));
  const masked = new Map(
    ids.map((id, k) => [
      id,
      maskUpdate(encodeFixed(vals[k]!), id, new Map(ids.filter((p) => p !== id).map((p) => [p, pairSeed(keys.get(id)!.privateKey, keys.get(p)!.publicKey, 'check', id, p)]))),
    ]),
  );
  const sum = decodeFixed(unmaskSum(masked, [], 8));
  const plain = vals[0]!.map((_, i) => vals.reduce((s, v) => s + v[i]!, 0));
  return l2Norm(sum.map((x, i) => x - plain[i]!));
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
