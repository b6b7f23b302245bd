import type { JudgeVerdict } from '../../../shared/domain/governance';
import type { VerifiedClaim } from '../claims/types';
import { judgeScore } from './aggregate';

/**
 * A judge's vote once its own claims are checked: a pass (or conditional pass) that rests on a claim
 * the evidence refutes counts as uncertain, with the refuted claims among its reasons. A fail stays a
 * fail: refuting a reason to reject does not make a change good.
 */
export function withCheckedClaims(verdict: JudgeVerdict, claims: readonly VerifiedClaim[]): JudgeVerdict {
  const refuted = claims.filter((c) => c.status === 'refuted');
  if (refuted.length === 0 || (verdict.verdict !== 'pass' && verdict.verdict !== 'conditional')) return verdict;
  const reasons = [...verdict.reasons, ...refuted.slice(0, 3).map((c) => `claim refuted by the evidence: "${c.text.slice(0, 120)}" (${c.evidence.slice(0, 200)}); vote counted as uncertain`)];
  const { conditions: _conditions, ...rest } = verdict;
  return { ...rest, verdict: 'uncertain', reasons: reasons.slice(0, 14), score: judgeScore({ verdict: 'uncertain', confidence: verdict.confidence }) };
}
