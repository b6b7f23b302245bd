import { z } from 'zod';

/**
 * The CAWS working spec: the written plan every change starts from. Shared because the renderer shows
 * it and the contract carries it; the validation rules that need more than a schema (retired forms,
 * readable messages) live in src/main/core/caws/validate.ts.
 */

/**
 * Uppercase/digit segments joined by dashes, the last one a number, optionally followed by lowercase
 * letters: FEAT-0042, P03-TRUTH-001, CAWS-FIX-12b. The same grammar as CAWS spec.v1.
 */
export const SPEC_ID_PATTERN = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-\d+[a-z]*$/;
/** A0, A1, A2… (CAWS numbers criteria from zero or one). */
export const ACCEPTANCE_ID_PATTERN = /^A\d+$/;
export const WAIVER_ID_PATTERN = /^WV-\d{4,}$/;
/** Rollback objective the app writes, such as `5m`, `30m`, `1h`, `2d`; CAWS itself accepts any text. */
export const ROLLBACK_SLO_PATTERN = /^[1-9]\d*(s|m|h|d)$/;
const WORKTREE_PATTERN = /^[a-zA-Z0-9_-]+$/;
const COMMIT_SHA_PATTERN = /^[0-9a-f]{7,40}$/;

export const SPEC_MODES = ['feature', 'refactor', 'fix', 'doc', 'chore'] as const;
export const LIFECYCLE_STATES = ['draft', 'active', 'closed', 'archived'] as const;
export const CONTRACT_TYPES = ['api', 'schema', 'contract-test', 'behavior'] as const;
export const RESOLUTIONS = ['completed', 'superseded', 'abandoned'] as const;
export const EVIDENCE_STATUSES = ['pass', 'fail', 'unchecked', 'waived'] as const;
export const SUCCESSOR_DISPOSITIONS = ['required', 'declined', 'absorbed'] as const;

/**
 * Forms that must not come back, each rejected with what replaced it. Keys are field paths with list
 * indexes written as `[]` (`evidence[].acceptance_id`). The first group is what CAWS itself retired;
 * the second is Agent Agency's own pre-CAWS-v1 vocabulary.
 */
export const RETIRED_FIELDS: Record<string, string> = {
  change_budget: 'change_budget was retired: budgets come from the risk tier policy and can be widened only by a waiver',
  acceptance_criteria: 'acceptance_criteria was retired: use acceptance (items with id, given, when, then)',
  status: 'status was retired: use lifecycle_state (draft, active, closed, archived) and resolution',
  'scope.include': 'scope.include was retired: use scope.in',
  'scope.exclude': 'scope.exclude was retired: use scope.out',
  'acceptance[].test': 'acceptance[].test was retired: use test_command',
  'non_functional.perf': 'non_functional.perf was retired: use performance (a list of statements)',
  'non_functional.a11y': 'non_functional.a11y was retired: use accessibility (a list of statements)',
  'evidence[].acceptance_id': 'evidence[].acceptance_id was retired: use criterion_id',
  'evidence[].ref': 'evidence[].ref was retired: use evidence_ref',
  'evidence[].summary': 'evidence[].summary is not a CAWS field: put it in evidence_ref or closure_notes',
  'blockers[].description': 'blockers[].description was retired: use reason',
  'blockers[].status': 'blockers[].status was retired: a blocker is listed while it blocks and removed once resolved',
  waiver_ids: 'waiver_ids is not a CAWS field: a waiver names the specs it covers (its spec scope)',
  threats: 'threats is not a CAWS field: state threats under non_functional.security',
  migrations: 'migrations is not a CAWS field: list migration files in scope.in and their undo steps in rollback',
};

/** Retired values of a field: `mode: development` is the one CAWS names. */
const RETIRED_MODES: Record<string, string> = {
  development: 'mode "development" was retired: choose feature, refactor, fix, doc or chore',
};

const GLOB_CHARS = /[*?]/;

/** Generous bounds: real specs carry long invariants and notes, but a spec is never megabytes. */
const text = (max = 20_000) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
/** Optional free text CAWS allows to be empty. */
const anyText = (max = 20_000) => z.string().max(max, `must be at most ${max} characters`);
const dateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });
const specRef = z.string().regex(SPEC_ID_PATTERN, 'must be a spec id like FEAT-0042');

/**
 * A path inside the repository: relative, no `..`, no NUL. Stricter than CAWS (which takes any
 * string): a spec is untrusted input and its scope decides what a worker may write.
 */
const repoPath = text(500)
  .refine((p) => !p.includes('\0'), 'must not contain NUL bytes')
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p), 'must be relative to the repository root')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'must not contain ..');

const textList = (maxItems = 500, maxLen = 20_000) => z.array(text(maxLen)).max(maxItems, `must have at most ${maxItems} items`);
const looseList = (maxItems = 500) => z.array(anyText()).max(maxItems, `must have at most ${maxItems} items`);

export const BlastRadius = z.strictObject({
  modules: textList(200, 300).min(1, 'must name at least one module'),
  data_migration: z.boolean().optional(),
});

export const Scope = z.strictObject({
  /** What the change may modify; globs (`src/**\/*.ts`) allowed. */
  in: z.array(repoPath).min(1, 'must name at least one path').max(500, 'must have at most 500 items'),
  /** Excluded paths; plain paths only, so the boundary is unambiguous. */
  out: z.array(repoPath.refine((p) => !GLOB_CHARS.test(p), 'must be a plain path without glob characters (* or ?)')).max(500).optional(),
  /** Supporting files the change may also touch (tests, fixtures, docs); they count toward the budget. */
  support: z.array(repoPath).max(500).optional(),
});

export const AcceptanceCriterion = z.strictObject({
  id: z.string().regex(ACCEPTANCE_ID_PATTERN, 'must be an acceptance id like A0, A1, A2'),
  given: text(),
  when: text(),
  then: text(),
  /** Command that checks this criterion, run in the workspace's sandbox. */
  test_command: anyText(2000).optional(),
  test_nodeids: z.array(anyText(1000)).max(200).optional(),
  evidence: anyText().optional(),
  narrative: anyText().optional(),
});

export const NonFunctional = z.strictObject({
  performance: looseList().optional(),
  security: looseList().optional(),
  accessibility: looseList().optional(),
  reliability: looseList().optional(),
});

export const Contract = z.strictObject({
  name: text(300),
  type: z.enum(CONTRACT_TYPES),
  /** Where the contract lives (schema file, OpenAPI document, contract test). */
  path: anyText(1000).optional(),
  description: anyText().optional(),
});

export const Blocker = z.strictObject({
  reason: text(),
  waiting_on: anyText(1000).optional(),
  since: dateTime.optional(),
});

export const Successor = z.strictObject({
  target_spec_id: specRef,
  disposition: z.enum(SUCCESSOR_DISPOSITIONS),
  rationale: text().optional(),
  absorbed_by: specRef.optional(),
});

export const ExperimentalMode = z.strictObject({
  enabled: z.boolean(),
  rationale: text(),
  expires_at: dateTime,
});

/** Per-criterion status, as `caws specs evidence` records it; the close gate reads it. */
export const EvidenceEntry = z.strictObject({
  criterion_id: z.string().regex(ACCEPTANCE_ID_PATTERN, 'must be an acceptance id like A1'),
  status: z.enum(EVIDENCE_STATUSES),
  recorded_at: dateTime,
  evidence_ref: text(2000).optional(),
  waiver_reason: text().optional(),
  test_nodeid: anyText(1000).optional(),
  command: anyText(2000).optional(),
  exit_code: z.int().optional(),
  artifact_path: anyText(1000).optional(),
  commit_sha: z.string().regex(COMMIT_SHA_PATTERN, 'must be a git commit id (7 to 40 lowercase hex digits)').optional(),
});

const shape = {
  id: z.string().regex(SPEC_ID_PATTERN, 'must be uppercase segments ending in a number, like FEAT-0042'),
  title: text(200),
  risk_tier: z.union([z.literal(1), z.literal(2), z.literal(3)], { message: 'must be the integer 1, 2 or 3' }),
  mode: z.enum(SPEC_MODES),
  lifecycle_state: z.enum(LIFECYCLE_STATES),
  resolution: z.enum(RESOLUTIONS).optional(),
  blockers: z.array(Blocker).max(100).optional(),
  supersedes: specRef.optional(),
  superseded_by: specRef.optional(),
  successors: z.array(Successor).max(100).optional(),
  worktree: z.string().regex(WORKTREE_PATTERN, 'must be a worktree name (letters, digits, _ and -)').optional(),
  operational_rollback_slo: anyText(200).optional(),
  blast_radius: BlastRadius,
  scope: Scope,
  invariants: textList().min(1, 'must state at least one invariant'),
  acceptance: z.array(AcceptanceCriterion).min(1, 'must have at least one criterion').max(500),
  non_functional: NonFunctional,
  contracts: z.array(Contract).max(200),
  observability: looseList().optional(),
  rollback: looseList().optional(),
  experimental_mode: ExperimentalMode.optional(),
  created_at: dateTime.optional(),
  updated_at: dateTime.optional(),
  owner: anyText(300).optional(),
  closure_notes: anyText().optional(),
  evidence: z.array(EvidenceEntry).max(2000).optional(),
};

/** Top-level fields in the order a spec is written (CAWS spec.v1's order). */
export const SPEC_FIELDS = Object.keys(shape) as (keyof typeof shape)[];
export { RETIRED_MODES };

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyList = (v: unknown) => Array.isArray(v) && v.length > 0;

/**
 * Rules that span fields: CAWS spec.v1's semantic rules plus two of ours (unique acceptance ids, a
 * path not both in and out of scope). They run even when other fields failed, so one pass reports
 * every problem; they read the raw value defensively for that reason.
 */
function crossFieldRules(value: unknown, ctx: z.RefinementCtx): void {
  if (!isRecord(value)) return;
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const tier = value['risk_tier'];
  const nf = value['non_functional'];
  if (tier === 1) {
    if (!nonEmptyList(value['rollback'])) issue(['rollback'], 'is required for risk tier 1 (at least one rollback step)');
    if (!nonEmptyList(value['observability'])) issue(['observability'], 'is required for risk tier 1 (at least one log, metric, trace or alert)');
    if (!isRecord(nf) || !nonEmptyList(nf['security'])) issue(['non_functional', 'security'], 'is required for risk tier 1 (at least one security requirement)');
  }
  if ((tier === 1 || tier === 2) && value['mode'] !== 'chore' && Array.isArray(value['contracts']) && value['contracts'].length === 0) {
    issue(['contracts'], `must name at least one contract for risk tier ${tier} (or use risk tier 3 or mode chore)`);
  }
  if (value['experimental_mode'] !== undefined && (tier === 1 || tier === 2)) issue(['experimental_mode'], 'is only allowed at risk tier 3');
  if (typeof value['mode'] === 'string' && RETIRED_MODES[value['mode']]) issue(['mode'], RETIRED_MODES[value['mode']]!);

  const acceptance = Array.isArray(value['acceptance']) ? value['acceptance'] : [];
  const seen = new Map<string, number>();
  acceptance.forEach((item, i) => {
    if (!isRecord(item) || typeof item['id'] !== 'string') return;
    const first = seen.get(item['id']);
    if (first !== undefined) issue(['acceptance', i, 'id'], `duplicates acceptance[${first}].id (${item['id']})`);
    else seen.set(item['id'], i);
  });
  if (Array.isArray(value['evidence'])) {
    value['evidence'].forEach((entry, i) => {
      if (!isRecord(entry)) return;
      const criterion = entry['criterion_id'];
      if (typeof criterion === 'string' && seen.size > 0 && !seen.has(criterion)) {
        issue(['evidence', i, 'criterion_id'], `names ${criterion}, which is not an acceptance criterion of this spec (${[...seen.keys()].join(', ')})`);
      }
      if (entry['status'] === 'waived' && (typeof entry['waiver_reason'] !== 'string' || entry['waiver_reason'].trim() === '')) {
        issue(['evidence', i, 'waiver_reason'], 'is required when status is waived');
      }
    });
  }

  const state = value['lifecycle_state'];
  const closed = state === 'closed' || state === 'archived';
  if (closed && value['resolution'] === undefined) issue(['resolution'], `is required once the spec is ${state}`);
  if (!closed && value['resolution'] !== undefined && typeof state === 'string') {
    issue(['resolution'], `is only set on closed or archived specs (lifecycle_state is ${state})`);
  }
  if (typeof value['supersedes'] === 'string' && value['supersedes'] === value['id']) issue(['supersedes'], 'names this spec itself');
  if (Array.isArray(value['successors'])) successorRules(value['successors'], value['id'], issue);
  scopeRules(value['scope'], issue);
}

function successorRules(list: unknown[], id: unknown, issue: (path: (string | number)[], message: string) => void): void {
  const targets = new Map<string, number>();
  list.forEach((s, i) => {
    if (!isRecord(s)) return;
    const target = s['target_spec_id'];
    const rationale = s['rationale'];
    if (s['disposition'] === 'declined' && (typeof rationale !== 'string' || rationale.trim() === '')) issue(['successors', i, 'rationale'], 'is required when disposition is declined');
    if (s['disposition'] === 'absorbed' && s['absorbed_by'] === undefined) issue(['successors', i, 'absorbed_by'], 'is required when disposition is absorbed');
    if (target === id) issue(['successors', i, 'target_spec_id'], 'names this spec itself');
    if (s['absorbed_by'] !== undefined && s['absorbed_by'] === id) issue(['successors', i, 'absorbed_by'], 'names this spec itself');
    if (s['absorbed_by'] !== undefined && s['absorbed_by'] === target) issue(['successors', i, 'absorbed_by'], 'equals target_spec_id, which asserts nothing; use disposition required');
    if (typeof target !== 'string') return;
    const first = targets.get(target);
    if (first !== undefined) issue(['successors', i, 'target_spec_id'], `duplicates successors[${first}] (${target})`);
    else targets.set(target, i);
  });
}

function scopeRules(scope: unknown, issue: (path: (string | number)[], message: string) => void): void {
  if (!isRecord(scope) || !Array.isArray(scope['out'])) return;
  const outs = scope['out'].filter((p): p is string => typeof p === 'string').map(normalizeScopeEntry).filter((p) => p !== '');
  for (const key of ['in', 'support'] as const) {
    const list = scope[key];
    if (!Array.isArray(list)) continue;
    list.forEach((p, i) => {
      if (typeof p !== 'string') return;
      const entry = normalizeScopeEntry(p);
      const same = outs.find((o) => o === entry);
      const shadow = outs.find((o) => entry.startsWith(`${o}/`));
      if (same !== undefined) issue(['scope', key, i], `${p} is also listed in scope.out`);
      else if (shadow !== undefined) issue(['scope', key, i], `${p} lies inside scope.out entry ${shadow}, which would refuse it`);
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
