import type { Decision } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';
import { predictsAccept, probabilityGood } from './fit';
import type { CalibrationMode, CalibrationParams, VoteSignal } from './types';

export type CalibratedReview = {
  mode: CalibrationMode;
  /** The decision the fixed rules and the default weights reached. */
  council: Decision;
  /** What the calibration says on its own (only when the mode is not off). */
  suggestion?: { decision: 'accept' | 'reject'; probabilityGood: number; threshold: number };
  /** The decision that stands. */
  decision: Decision;
  /** Why the calibration did not change the decision, when it did not. */
  held?: string;
};

/**
 * Lets the calibration speak inside the fixed rules: a veto, an errored judge or a missing vote
 * keeps its rejection whatever the calibration thinks (fail closed), and "suggest" never changes
 * the decision. Only "apply" may turn a contested or numerical outcome the calibrated way.
 */
export function reviewWithCalibration(input: {
  mode: CalibrationMode;
  params: CalibrationParams;
  tier: RiskTier;
  votes: readonly VoteSignal[];
  council: Decision;
  vetoed: boolean;
}): CalibratedReview {
  const { mode, params, tier, votes, council, vetoed } = input;
  if (mode === 'off') return { mode, council, decision: council };
  const pGood = probabilityGood(params, votes);
  const suggestion = {
    decision: predictsAccept(params, { votes, riskTier: tier }) ? ('accept' as const) : ('reject' as const),
    probabilityGood: pGood,
    threshold: params.thresholds[tier],
  };
  if (mode === 'suggest') return { mode, council, suggestion, decision: council };
  if (vetoed) return { mode, council, suggestion, decision: council, held: 'the constitutional judge vetoed' };
  if (votes.length < 4 || votes.some((v) => v.errored)) {
    return { mode, council, suggestion, decision: council, held: 'a judge did not answer (fail closed)' };
  }
  return { mode, council, suggestion, decision: suggestion.decision };
}
