import type { z } from 'zod';
import { RETIRED_FIELDS, RETIRED_MODES, SPEC_FIELDS, WorkingSpec } from '../../../shared/domain/working-spec';
import { formatPath } from '../../../shared/errors';

export type SpecIssue = { path: string; message: string };
export type SpecValidation = { ok: true; spec: WorkingSpec } | { ok: false; issues: SpecIssue[] };

/**
 * Validates an already-parsed value as a working spec (CAWS spec.v1 plus our safety rules). Every
 * problem is reported in one pass, each naming its field (`acceptance[2].id: …`), so a human or the
 * planner can fix them all at once.
 */
export function validateSpec(value: unknown): SpecValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, issues: [{ path: '', message: 'a working spec must be a mapping of fields (id, title, risk_tier, …)' }] };
  }
  const parsed = WorkingSpec.safeParse(value);
  if (parsed.success) return { ok: true, spec: parsed.data };
  return { ok: false, issues: dedupe(parsed.error.issues.flatMap((issue) => toSpecIssues(issue, value))) };
}

export function formatIssues(issues: readonly SpecIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}

/** `evidence[3].acceptance_id` -> `evidence[].acceptance_id`, the key of RETIRED_FIELDS. */
const retiredKey = (path: string) => path.replace(/\[\d+\]/g, '[]');

function toSpecIssues(issue: z.core.$ZodIssue, root: unknown): SpecIssue[] {
  const base = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = base ? `${base}.${key}` : key;
      const retired = RETIRED_FIELDS[retiredKey(path)];
      if (retired) return { path, message: retired };
      if (!base) return { path, message: `unknown field; a working spec has only ${SPEC_FIELDS.join(', ')}` };
      return { path, message: 'unknown field' };
    });
  }
  // A field that is absent is "required", whatever type or option list it would have had.
  if (issue.code !== 'custom' && issue.path.length > 0 && valueAt(root, issue.path) === undefined) return [{ path: base, message: 'is required' }];
  if (issue.code === 'invalid_union' && issue.path[0] === 'risk_tier') return [{ path: base, message: 'must be the integer 1, 2 or 3' }];
  // `mode: development` gets its own message from the cross-field rules.
  if (issue.code === 'invalid_value' && base === 'mode' && typeof valueAt(root, issue.path) === 'string' && RETIRED_MODES[valueAt(root, issue.path) as string]) return [];
  return [{ path: base, message: issue.message }];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function dedupe(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\0${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
