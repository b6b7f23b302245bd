import type { CawsViolation, TierBudget } from '../../../shared/domain/governance';
import { normalizeScopeEntry, WAIVER_ID_PATTERN } from '../../../shared/domain/working-spec';
import { checkBudget, describeBudget, measureChange, type ChangedFile } from './budget';
import { classifyPath } from './scope';
import { validateSpec } from './validate';

/**
 * CAWS compliance of a spec (and, when given, of a change against it): which rules hold, which are
 * broken, and what would improve the spec. Rule ids double as the constitutional references a
 * council verdict cites.
 */
export type ComplianceReport = {
  /** Share of evaluated rules that hold, 0..1. */
  compliance: number;
  violations: CawsViolation[];
  suggestions: string[];
  /** Every rule evaluated, held or not. */
  rulesChecked: string[];
  specId: string | null;
};

export const RULES = {
  specValid: 'CAWS-SPEC-VALID',
  lifecycle: 'CAWS-LIFECYCLE',
  blockers: 'CAWS-BLOCKERS',
  testable: 'CAWS-ACCEPTANCE-TESTABLE',
  migration: 'CAWS-DATA-MIGRATION',
  protectedPaths: 'CAWS-PROTECTED-PATHS',
  scopeBoundary: 'CAWS-SCOPE-BOUNDARY',
  budget: 'CAWS-BUDGET',
  waivers: 'CAWS-WAIVER-REFS',
} as const;

export type ComplianceInput = {
  spec: unknown;
  /** The change under review, when there is one. */
  changedFiles?: readonly ChangedFile[];
  /** Effective budget (tier policy widened by waivers). */
  budget?: TierBudget;
  /** Status of waivers the spec names, by id; absent ids are unknown waivers. */
  waiverStatus?: ReadonlyMap<string, string>;
  /** Gates an active waiver lets pass; their rules are reported as held under waiver. */
  waivedGates?: ReadonlySet<string>;
};

/** Paths no change may touch whatever its scope says: repository internals and the rules themselves. */
const PROTECTED = ['.git', '.caws/policy.yaml', '.caws/waivers'];
const WAIVER_ID = WAIVER_ID_PATTERN;

export function checkCompliance(input: ComplianceInput): ComplianceReport {
  const violations: CawsViolation[] = [];
  const suggestions: string[] = [];
  const rulesChecked: string[] = [];
  let held = 0;
  const rule = (id: string, ok: boolean, failures: Omit<CawsViolation, 'rule'>[] = []) => {
    rulesChecked.push(id);
    if (ok) held++;
    else violations.push(...failures.map((f) => ({ rule: id, ...f })));
  };

  const validation = validateSpec(input.spec);
  rule(
    RULES.specValid,
    validation.ok,
    validation.ok ? [] : validation.issues.map((i) => ({ path: i.path, message: i.message })),
  );
  const specId = typeof (input.spec as { id?: unknown } | null)?.id === 'string' ? ((input.spec as { id: string }).id) : null;
  if (!validation.ok) {
    suggestions.push('Fix the fields named in the violations; the spec cannot be executed until it validates.');
    return finish();
  }
  const spec = validation.spec;

  const closed = spec.lifecycle_state === 'closed' || spec.lifecycle_state === 'archived';
  rule(RULES.lifecycle, !closed, [{ path: 'lifecycle_state', message: `a ${spec.lifecycle_state} spec cannot drive new work; open a new spec` }]);

  // CAWS lists a blocker while it blocks and removes it once resolved.
  const open = (spec.blockers ?? []).map((b, i) => ({ b, i }));
  rule(
    RULES.blockers,
    open.length === 0,
    open.map(({ b, i }) => ({ path: `blockers[${i}]`, message: `open blocker: ${b.reason}${b.waiting_on ? ` (waiting on ${b.waiting_on})` : ''}` })),
  );

  const untested = spec.acceptance.map((a, i) => ({ a, i })).filter(({ a }) => !a.test_command?.trim());
  if (spec.risk_tier === 1) {
    rule(RULES.testable, untested.length === 0, untested.map(({ a, i }) => ({ path: `acceptance[${i}].test_command`, message: `${a.id} needs a test command at risk tier 1` })));
  } else if (untested.length > 0) {
    suggestions.push(`Give ${untested.map(({ a }) => a.id).join(', ')} a test command so the criteria are checked, not just stated.`);
  }

  if (spec.blast_radius.data_migration) {
    const missing: Omit<CawsViolation, 'rule'>[] = [];
    if (!spec.rollback?.length) missing.push({ path: 'rollback', message: 'a data migration must say how it is rolled back' });
    rule(RULES.migration, missing.length === 0, missing);
  }

  const touchesProtected = spec.scope.in
    .map((p, i) => ({ p: normalizeScopeEntry(p), i }))
    .filter(({ p }) => PROTECTED.some((x) => p === '' || p === '.' || p === '**' || p === x || p.startsWith(`${x}/`)));
  rule(
    RULES.protectedPaths,
    touchesProtected.length === 0,
    touchesProtected.map(({ p, i }) => ({ path: `scope.in[${i}]`, message: `${p || '.'} would let the change touch ${PROTECTED.join(', ')}` })),
  );

  if (spec.blast_radius.modules.length === 0) suggestions.push('Name the modules in blast_radius.modules so reviewers can judge the reach of the change.');
  const nf = spec.non_functional;
  if (Object.values(nf).every((v) => v === undefined || (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0))) {
    suggestions.push('State at least one non-functional requirement (performance, security, accessibility, reliability).');
  }
  if (spec.risk_tier !== 1 && !spec.rollback?.length) suggestions.push('Add rollback steps; they are required at tier 1 and cheap to write.');

  const waived = (spec.evidence ?? []).map((e, i) => ({ e, i })).filter(({ e }) => e.status === 'waived' && e.evidence_ref && WAIVER_ID.test(e.evidence_ref));
  if (waived.length > 0) {
    // Evidence waived by one of our waivers (`evidence_ref: WV-0001`) counts only while that waiver is active.
    const bad = waived.filter(({ e }) => input.waiverStatus?.get(e.evidence_ref!) !== 'active');
    rule(
      RULES.waivers,
      bad.length === 0,
      bad.map(({ e, i }) => ({ path: `evidence[${i}].evidence_ref`, message: `${e.evidence_ref} is ${input.waiverStatus?.get(e.evidence_ref!) ?? 'unknown'}; only active waivers count` })),
    );
  }

  if (input.changedFiles) {
    const outside = input.changedFiles
      .map((f) => ({ f, v: classifyPath(spec.scope, f.path) }))
      .filter(({ v }) => !v.inScope);
    const scopeWaived = input.waivedGates?.has('scope') ?? false;
    rule(
      RULES.scopeBoundary,
      outside.length === 0 || scopeWaived,
      outside.map(({ f, v }) => ({
        path: 'scope',
        message: v.inScope ? '' : v.reason === 'excluded' ? `${f.path} is excluded by scope.out (${v.entry})` : `${f.path} is outside scope.in and scope.support`,
      })),
    );
    if (input.budget) {
      const check = checkBudget(measureChange(input.changedFiles), input.budget);
      const budgetWaived = input.waivedGates?.has('budget') ?? false;
      rule(RULES.budget, check.within || budgetWaived, [{ path: `risk_tier`, message: `change exceeds the tier ${spec.risk_tier} budget: ${describeBudget(check)}` }]);
    }
  }
  return finish();

  function finish(): ComplianceReport {
    return {
      compliance: rulesChecked.length === 0 ? 0 : held / rulesChecked.length,
      violations,
      suggestions,
      rulesChecked,
      specId,
    };
  }
}

