import { z } from 'zod';

/**
 * The CAWS working spec: the written plan every change starts from. Shared because the renderer shows
 * it and the contract carries it; the validation rules that need more than a schema (retired forms,
 * readable messages) live in src/main/core/caws/validate.ts.
 */

/** Uppercase/digit segments joined by dashes, the last one a number: FEAT-0042, P03-TRUTH-001. */
export const SPEC_ID_PATTERN = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-\d+$/;
export const ACCEPTANCE_ID_PATTERN = /^A[1-9]\d*$/;
export const WAIVER_ID_PATTERN = /^WV-\d{4,}$/;
/** Rollback objective such as `5m`, `30m`, `1h`, `2d`. */
export const ROLLBACK_SLO_PATTERN = /^[1-9]\d*(s|m|h|d)$/;

export const SPEC_MODES = ['feature', 'refactor', 'fix', 'doc', 'chore'] as const;
export const LIFECYCLE_STATES = ['draft', 'active', 'closed', 'archived'] as const;
export const CONTRACT_TYPES = ['api', 'schema', 'contract-test', 'behavior'] as const;
export const RESOLUTIONS = ['completed', 'superseded', 'abandoned', 'rejected'] as const;
export const EVIDENCE_STATUSES = ['pass', 'fail', 'waived', 'pending'] as const;

/** Fields of older CAWS versions that must not come back: each is rejected with what replaced it. */
export const RETIRED_FIELDS: Record<string, string> = {
  change_budget: 'change_budget was retired: budgets come from the risk tier policy and can be widened only by a waiver',
  acceptance_criteria: 'acceptance_criteria was retired: use acceptance (items with id, given, when, then)',
  'scope.include': 'scope.include was retired: use scope.in',
  'scope.exclude': 'scope.exclude was retired: use scope.out',
};

const GLOB_CHARS = /[*?[\]{}!]/;

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** A path inside the repository: relative, forward slashes, no `..`, no NUL. */
const repoPath = text(500)
  .refine((p) => !p.includes('\0'), 'must not contain NUL bytes')
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p), 'must be relative to the repository root')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'must not contain ..');

const textList = (maxItems: number, maxLen = 500) => z.array(text(maxLen)).max(maxItems, `must have at most ${maxItems} items`);

export const BlastRadius = z.strictObject({
  modules: textList(100, 300),
  data_migration: z.boolean(),
});

export const Scope = z.strictObject({
  /** What the change may modify; globs (`src/**\/*.ts`) allowed. */
  in: z.array(repoPath).min(1, 'must name at least one path').max(200, 'must have at most 200 items'),
  /** Excluded paths; plain paths only, so the boundary is unambiguous. */
  out: z.array(repoPath.refine((p) => !GLOB_CHARS.test(p), 'must be a plain path without glob characters')).max(200).optional(),
  /** Supporting files the change may also touch (tests, fixtures, docs); they count toward the budget. */
  support: z.array(repoPath).max(200).optional(),
});

export const AcceptanceCriterion = z.strictObject({
  id: z.string().regex(ACCEPTANCE_ID_PATTERN, 'must be an acceptance id like A1, A2'),
  given: text(1000),
  when: text(1000),
  then: text(1000),
  /** Command that checks this criterion, run in the workspace. */
  test: text(500).optional(),
});

export const NonFunctional = z.strictObject({
  a11y: textList(50).optional(),
  perf: z.record(z.string().min(1).max(100), z.union([z.number(), z.string().max(200)])).optional(),
  security: textList(50).optional(),
  reliability: textList(50).optional(),
  privacy: textList(50).optional(),
  compatibility: textList(50).optional(),
  maintainability: textList(50).optional(),
});

export const Contract = z
  .strictObject({
    name: text(200),
    type: z.enum(CONTRACT_TYPES),
    /** Where the contract lives (schema file, OpenAPI document, contract test); optional only for behavior contracts. */
    path: repoPath.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.type !== 'behavior' && !c.path) ctx.addIssue({ code: 'custom', path: ['path'], message: `is required for ${c.type} contracts` });
  });

export const Observability = z.strictObject({
  logs: textList(50).optional(),
  metrics: textList(50).optional(),
  traces: textList(50).optional(),
});

export const Blocker = z.strictObject({
  description: text(1000),
  status: z.enum(['open', 'resolved']),
});

export const EvidenceEntry = z.strictObject({
  acceptance_id: z.string().regex(ACCEPTANCE_ID_PATTERN, 'must be an acceptance id like A1'),
  status: z.enum(EVIDENCE_STATUSES),
  ref: text(500),
  summary: text(2000).optional(),
  recorded_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
});

const shape = {
  id: z.string().regex(SPEC_ID_PATTERN, 'must be uppercase segments ending in a number, like FEAT-0042'),
  title: text(200).min(5, 'must be at least 5 characters'),
  risk_tier: z.union([z.literal(1), z.literal(2), z.literal(3)], { message: 'must be the integer 1, 2 or 3' }),
  mode: z.enum(SPEC_MODES),
  lifecycle_state: z.enum(LIFECYCLE_STATES),
  blast_radius: BlastRadius,
  scope: Scope,
  invariants: textList(50, 1000).min(1, 'must state at least one invariant'),
  acceptance: z.array(AcceptanceCriterion).min(1, 'must have at least one criterion').max(50),
  non_functional: NonFunctional,
  contracts: z.array(Contract).max(50),
  // Optional CAWS fields.
  operational_rollback_slo: z.string().regex(ROLLBACK_SLO_PATTERN, 'must be a duration like 5m, 30m, 1h').optional(),
  rollback: textList(50, 1000).optional(),
  observability: Observability.optional(),
  threats: textList(50, 1000).optional(),
  migrations: textList(50, 1000).optional(),
  resolution: z.enum(RESOLUTIONS).optional(),
  closure_notes: text(4000).optional(),
  blockers: z.array(Blocker).max(50).optional(),
  evidence: z.array(EvidenceEntry).max(200).optional(),
  waiver_ids: z.array(z.string().regex(WAIVER_ID_PATTERN, 'must be a waiver id like WV-0001')).max(20).optional(),
  created_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  updated_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
};

/** Top-level fields in the order a spec is written. */
export const SPEC_FIELDS = Object.keys(shape) as (keyof typeof shape)[];

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyList = (v: unknown) => Array.isArray(v) && v.length > 0;

/**
 * Rules that span fields. They run even when other fields failed, so one pass reports every
 * problem; they read the raw value defensively for that reason.
 */
function crossFieldRules(value: unknown, ctx: z.RefinementCtx): void {
  if (!isRecord(value)) return;
  const tier = value['risk_tier'];
  if (tier === 1) {
    if (!nonEmptyList(value['rollback'])) ctx.addIssue({ code: 'custom', path: ['rollback'], message: 'is required for risk tier 1 (at least one rollback step)' });
    const obs = value['observability'];
    const hasObs = isRecord(obs) && ['logs', 'metrics', 'traces'].some((k) => nonEmptyList(obs[k]));
    if (!hasObs) ctx.addIssue({ code: 'custom', path: ['observability'], message: 'is required for risk tier 1 (logs, metrics or traces)' });
    if (value['operational_rollback_slo'] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['operational_rollback_slo'], message: 'is required for risk tier 1' });
    }
  }
  if ((tier === 1 || tier === 2) && !nonEmptyList(value['contracts'])) {
    ctx.addIssue({ code: 'custom', path: ['contracts'], message: `must name at least one contract for risk tier ${tier}` });
  }
  const acceptance = Array.isArray(value['acceptance']) ? value['acceptance'] : [];
  const seen = new Map<string, number>();
  acceptance.forEach((item, i) => {
    if (!isRecord(item) || typeof item['id'] !== 'string') return;
    const first = seen.get(item['id']);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['acceptance', i, 'id'], message: `duplicates acceptance[${first}].id (${item['id']})` });
    else seen.set(item['id'], i);
  });
  if (Array.isArray(value['evidence'])) {
    value['evidence'].forEach((entry, i) => {
      if (isRecord(entry) && typeof entry['acceptance_id'] === 'string' && seen.size > 0 && !seen.has(entry['acceptance_id'])) {
        ctx.addIssue({ code: 'custom', path: ['evidence', i, 'acceptance_id'], message: `names ${entry['acceptance_id']}, which is not an acceptance criterion of this spec` });
      }
    });
  }
  const state = value['lifecycle_state'];
  const closed = state === 'closed' || state === 'archived';
  if (state === 'closed' && value['resolution'] === undefined) {
    ctx.addIssue({ code: 'custom', path: ['resolution'], message: 'is required once the spec is closed' });
  }
  if (!closed && value['resolution'] !== undefined && typeof state === 'string') {
    ctx.addIssue({ code: 'custom', path: ['resolution'], message: `is only set on closed or archived specs (lifecycle_state is ${state})` });
  }
  const scope = value['scope'];
  if (isRecord(scope) && Array.isArray(scope['in']) && Array.isArray(scope['out'])) {
    const outs = new Set(scope['out'].filter((p): p is string => typeof p === 'string').map(normalizeScopeEntry));
    scope['in'].forEach((p, i) => {
      if (typeof p === 'string' && outs.has(normalizeScopeEntry(p))) {
        ctx.addIssue({ code: 'custom', path: ['scope', 'in', i], message: `${p} is also listed in scope.out` });
      }
    });
  }
}

/** `./src/` and `src` name the same place. */
export function normalizeScopeEntry(p: string): string {
  return p.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

export const WorkingSpec = z.strictObject(shape).superRefine(crossFieldRules, { when: () => true });
export type WorkingSpec = z.infer<typeof WorkingSpec>;
export type AcceptanceCriterion = z.infer<typeof AcceptanceCriterion>;
export type SpecContract = z.infer<typeof Contract>;
export type SpecMode = (typeof SPEC_MODES)[number];
