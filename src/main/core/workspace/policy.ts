import { underEntry } from './glob';
import { checkPathSyntax, DEFAULT_PATH_LIMITS, type PathLimits } from './path-rules';
import { violation, type Violation } from './violations';

/** The spec's scope as the workspace needs it; a CAWS WorkingSpec's `scope` fits it as is. */
export type ScopeSpec = {
  in: readonly string[];
  out?: readonly string[] | undefined;
  /** Supporting files (tests, fixtures, docs) the change may also touch. */
  support?: readonly string[] | undefined;
};

export type ChangeBudget = { maxFiles: number; maxLines: number };

/** Where a change may write, before any file is looked at. */
export type PathPolicy = {
  scope: ScopeSpec;
  /** Paths or globs the app allows workers to write at all; a path must match one. */
  allow: readonly string[];
  /** Paths or globs never written, whatever the scope says (secrets, lock files …). */
  deny?: readonly string[];
  limits?: PathLimits;
};

export type PolicyCheck = { ok: true; path: string; segments: string[] } | { ok: false; violation: Violation };

/**
 * Checks one proposed path: its syntax, then the deny-list and scope.out (compared without regard to
 * case, so `SECRETS/x` cannot slip past `secrets` on a case-insensitive disk), then scope.in/support
 * and the allow-list (compared exactly, so a case trick can only make a path fall outside).
 */
export function checkPathPolicy(raw: unknown, policy: PathPolicy): PolicyCheck {
  const syntax = checkPathSyntax(raw, policy.limits ?? DEFAULT_PATH_LIMITS);
  if (!syntax.ok) return syntax;
  const { path } = syntax;
  const shown = typeof raw === 'string' ? raw : path;
  const ci = { caseInsensitive: true };
  const denied = policy.deny?.find((entry) => underEntry(path, entry, ci));
  if (denied !== undefined) return fail('deny-list', `${path} matches the deny-list entry "${denied}"`, shown);
  const out = policy.scope.out?.find((entry) => underEntry(path, entry, ci));
  if (out !== undefined) return fail('scope.out', `${path} is excluded by scope.out "${out}"`, shown);
  const inScope = [...policy.scope.in, ...(policy.scope.support ?? [])].some((entry) => underEntry(path, entry));
  if (!inScope) {
    const listed = [...policy.scope.in, ...(policy.scope.support ?? [])].join(', ');
    return fail('scope.in', `${path} is outside the spec's scope (${listed || 'empty'})`, shown);
  }
  if (!policy.allow.some((entry) => underEntry(path, entry))) {
    return fail('allow-list', `${path} is not on the allow-list`, shown);
  }
  return syntax;
}

function fail(rule: Violation['rule'], message: string, path: string): PolicyCheck {
  return { ok: false, violation: violation(rule, message, path) };
}
