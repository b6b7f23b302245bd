/**
 * Why a change was blocked. Every rule has a stable name so that the user, the audit bundle and the
 * council can tell exactly which safety rule stopped it.
 */
export const VIOLATION_RULES = [
  'path.empty',
  'path.absolute',
  'path.traversal',
  'path.unsafe-character',
  'path.unicode',
  'path.too-long',
  'path.reserved-name',
  'path.git-internal',
  'path.symlink',
  'path.not-a-directory',
  'path.not-a-file',
  'path.case-collision',
  'path.outside-workspace',
  'scope.in',
  'scope.out',
  'allow-list',
  'deny-list',
  'changeset.empty',
  'changeset.malformed',
  'changeset.too-large',
  'changeset.duplicate-path',
  'budget.files',
  'budget.lines',
  'workspace.size',
] as const;
export type ViolationRule = (typeof VIOLATION_RULES)[number];

export type Violation = {
  rule: ViolationRule;
  /** The path as the proposer wrote it (not normalized), so the message matches what was asked. */
  path?: string;
  message: string;
};

export function violation(rule: ViolationRule, message: string, path?: string): Violation {
  return path === undefined ? { rule, message } : { rule, path, message };
}

/** One line per violation, each starting with the rule it broke. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.rule}: ${v.message}`).join('; ');
}
