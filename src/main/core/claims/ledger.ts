import type { CriterionRow } from '../db/queries/claims';
import type { VerifiedClaim } from './types';

/** A criterion's standing without the row bookkeeping (task, stage, round, time). */
export type Standing = Pick<CriterionRow, 'criterionId' | 'status' | 'decidedBy' | 'evidence'>;

/**
 * Where each acceptance criterion stands after an execution round. A criterion with its own test is
 * verified or refuted by that test alone. One without a test is never met on the worker's word: while
 * the worker claims it, the gates pass and none of its claims is refuted, it is pending, and only the
 * constitutional judge's acceptance at the change review verifies it; otherwise it is unmet.
 */
export function executionStanding(
  acceptance: readonly { id: string; test?: string | undefined }[],
  evaluation: { criteria: readonly { id: string; met: boolean; evidence: string }[]; claims?: readonly VerifiedClaim[] | undefined },
): Standing[] {
  const claims = evaluation.claims ?? [];
  const refuted = claims.filter((c) => c.status === 'refuted');
  return acceptance.map((a) => {
    const result = evaluation.criteria.find((c) => c.id === a.id);
    const evidence = clip(result?.evidence ?? 'not evaluated');
    if (a.test?.trim()) return { criterionId: a.id, status: result?.met ? 'verified' : 'refuted', decidedBy: 'test', evidence };
    const claimed = claims.find((c) => c.kind === 'criterion_met' && c.subject === a.id && c.status !== 'refuted');
    if (!claimed) return { criterionId: a.id, status: 'unmet', decidedBy: 'none', evidence: clip(`no claim of the worker says it is met; ${evidence}`) };
    if (refuted.length) return { criterionId: a.id, status: 'unmet', decidedBy: 'none', evidence: clip(`claimed, but the worker's account is refuted: ${refuted.map((r) => r.evidence).join('; ')}`) };
    if (!result?.met) return { criterionId: a.id, status: 'unmet', decidedBy: 'none', evidence };
    return { criterionId: a.id, status: 'pending', decidedBy: 'none', evidence: clip(`claimed by the worker, no test of its own: the constitutional judge decides (${evidence})`) };
  });
}

/**
 * The standing after the change review: a pending criterion is verified when the constitutional judge
 * passed the change (having been shown it as pending) and none of that judge's own claims is refuted;
 * otherwise it is unmet. Verified, refuted and unmet criteria keep their standing.
 */
export function reviewStanding(
  execution: readonly Standing[],
  constitutional: { verdict: string; confidence: number; reasons: readonly string[]; error?: string | undefined } | undefined,
  constitutionalClaims: readonly VerifiedClaim[],
): Standing[] {
  const refuted = constitutionalClaims.filter((c) => c.status === 'refuted');
  const accepts = constitutional !== undefined && !constitutional.error && constitutional.verdict === 'pass' && refuted.length === 0;
  return execution.map((s) => {
    if (s.status !== 'pending') return s;
    if (accepts) {
      return { ...s, status: 'verified', decidedBy: 'constitutional', evidence: clip(`accepted by the constitutional judge (pass, confidence ${constitutional.confidence}): ${constitutional.reasons[0] ?? 'no reason given'}`) };
    }
    const why = !constitutional
      ? 'the constitutional judge did not vote'
      : constitutional.error
        ? `the constitutional judge failed: ${constitutional.error}`
        : refuted.length
          ? `the constitutional judge's own claims are refuted: ${refuted.map((r) => r.evidence).join('; ')}`
          : `the constitutional judge voted ${constitutional.verdict}`;
    return { ...s, status: 'unmet', decidedBy: 'constitutional', evidence: clip(`not accepted: ${why}`) };
  });
}

/**
 * A stale claim does not count as verified: a criterion pending on the worker's account is unmet
 * when any of the worker's verified claims was checked against a source that changed since (the
 * account may no longer describe the change under review). Other standings are kept.
 */
export function withoutStale(
  standing: readonly Standing[],
  claims: readonly { status: string; stale?: boolean | undefined; kind: string; subject: string; sources?: readonly { path: string; stale: boolean }[] | undefined }[],
): Standing[] {
  const stale = claims.filter((c) => c.status === 'verified' && c.stale);
  if (stale.length === 0) return [...standing];
  const why = stale.map((c) => `${c.kind} ${c.subject} (${(c.sources ?? []).filter((s) => s.stale).map((s) => s.path).join(', ')} changed since)`).join('; ');
  return standing.map((s) => (s.status === 'pending' ? { ...s, status: 'unmet', decidedBy: 'none', evidence: clip(`the worker's account is stale: ${why}`) } : s));
}

/** Criteria that are not met by a verified claim. */
export const unmetCriteria = (standing: readonly Standing[]): Standing[] => standing.filter((s) => s.status !== 'verified');

const clip = (s: string) => (s.length > 600 ? `${s.slice(0, 600)}…` : s);
