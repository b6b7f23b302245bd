import type { FinalVerdict, ReviewSubjectKind } from '../../../shared/domain/governance';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { unmetCriteria, type Standing } from '../claims/ledger';
import type { ReviewOutcome } from '../engine/step';

/** The council's verdict as the governance steps pass it on: settled against the criteria, in the engine's terms. */

/** Reasons a judge's model gave (the deterministic checks' findings, `REF: summary`, are left out: they are not claims). */
const FINDING = /^(?:CAWS-[A-Z-]+|gate:[\w-]+|criterion:[\w-]+|change:[\w-]+|plan:[\w-]+|contract:[^:]+|secret-in-diff|dynamic-code|blast-radius|data-migration|dependencies|fail-closed|claim refuted)\b/;
export const modelReasons = (reasons: readonly string[]): string[] => reasons.filter((r) => !FINDING.test(r));

/**
 * The verdict once each acceptance criterion's standing is known. An acceptance while a criterion is
 * not met by a verified claim becomes modify (the worker goes again with the reason), never an
 * escalation; the standing itself is kept in the claim table.
 */
export function settleCriteria(verdict: FinalVerdict, standing: readonly Standing[]): FinalVerdict {
  const unmet = unmetCriteria(standing);
  if (verdict.decision !== 'accept' || unmet.length === 0) return verdict;
  const why = `acceptance criteria not met by a verified claim: ${unmet.map((u) => `${u.criterionId} (${u.status}: ${u.evidence.slice(0, 200)})`).join('; ')}`;
  return { ...verdict, decision: 'modify', escalated: false, conditions: [], remediation: [why, ...verdict.remediation].slice(0, 20) };
}

/** Conditions of a conditional acceptance as acceptance criteria, numbered after the spec's own. */
export function withConditions(spec: WorkingSpec, conditions: readonly string[]): WorkingSpec {
  const taken = new Set(spec.acceptance.map((a) => a.then.trim().toLowerCase()));
  let next = Math.max(0, ...spec.acceptance.map((a) => Number(a.id.slice(1)))) + 1;
  const added = conditions
    .filter((c) => !taken.has(c.trim().toLowerCase()))
    .map((c) => ({ id: `A${next++}`, given: 'the council accepted the plan on this condition', when: 'the change is reviewed', then: c.trim(), narrative: 'added from a conditional council vote' }));
  return { ...spec, acceptance: [...spec.acceptance, ...added] };
}

/**
 * The council's verdict in the engine's terms. A split council in auto mode must not guess: it is
 * returned as a rejection, which the engine turns into an escalation a human resolves.
 */
export function toReviewOutcome(verdict: FinalVerdict, kind: ReviewSubjectKind): ReviewOutcome {
  const what = kind === 'plan' ? 'plan' : 'change';
  const score = `score ${verdict.score.toFixed(2)} / ${verdict.threshold}`;
  switch (verdict.decision) {
    case 'accept':
      return { decision: 'accept', summary: `council accepted the ${what} (${score})`, score: verdict.score };
    case 'reject':
      return {
        decision: 'reject',
        summary: `${verdict.vetoed ? 'constitutional veto' : 'council rejected'} (${score}): ${verdict.remediation.slice(0, 6).join('; ')}`.slice(0, 8000),
        score: verdict.score,
      };
    case 'modify':
      if (verdict.escalated) {
        return { decision: 'reject', summary: `the council is split after ${verdict.debateRounds} debate round(s) (${score}); a human must decide. ${verdict.remediation.slice(0, 6).join('; ')}`.slice(0, 8000), score: verdict.score };
      }
      return { decision: 'modify', summary: `council asks for changes (${score}): ${verdict.remediation.slice(0, 8).join('; ')}`.slice(0, 8000), score: verdict.score };
    default: {
      const never: never = verdict.decision;
      throw new Error(`unknown decision ${String(never)}`);
    }
  }
}
