import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolAccess } from '../../../shared/channels/tools';
import { checkPathSyntax } from '../workspace/path-rules';
import { checkPathPolicy, type PathPolicy } from '../workspace/policy';

export type PathDecision = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Checks one path a tool call names, before the call: `ok` carries the resolved absolute path.
 * Injected into the gateway so the workspace's own rules decide.
 */
export type CheckPath = (taskId: string, path: string, access: ToolAccess) => Promise<PathDecision>;

export type WorkspacePathGuardOptions = {
  /** The task's workspace folder (its checkout), or null when it has none. */
  workspaceRoot(taskId: string): string | null | Promise<string | null>;
  /** The task's write policy (scope and allow-list); without one a write anywhere in the workspace passes. */
  writePolicy?(taskId: string): PathPolicy | undefined | Promise<PathPolicy | undefined>;
};

/**
 * The workspace allow-list applied to tool arguments: a path must resolve, after `..` and every
 * symbolic link that exists, to somewhere inside the task's workspace; it must pass the
 * workspace's path rules (no `.git`, no look-alike separators…); and a write must pass the task's
 * scope and allow-list. Relative paths are taken from the workspace root.
 */
export function workspacePathGuard(options: WorkspacePathGuardOptions): CheckPath {
  return async (taskId, raw, access) => {
    const root = await options.workspaceRoot(taskId);
    if (!root) return { ok: false, reason: 'the task has no workspace, so its tools may not name files' };
    let candidate: string;
    try {
      candidate = toFsPath(raw);
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
    const realRoot = await realpath(root).catch(() => null);
    if (!realRoot) return { ok: false, reason: 'the task workspace does not exist' };
    const absolute = isAbsolute(candidate) ? resolve(candidate) : resolve(realRoot, candidate);
    const real = await realpathOfNearest(absolute);
    const rel = relative(realRoot, real);
    if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      return { ok: false, reason: `${raw} is outside the task workspace` };
    }
    if (rel === '') {
      return access === 'read' ? { ok: true, path: real } : { ok: false, reason: 'a tool may not write the workspace folder itself' };
    }
    const posix = rel.split(sep).join('/');
    const syntax = checkPathSyntax(posix);
    if (!syntax.ok) return { ok: false, reason: syntax.violation.message };
    if (access === 'write') {
      const policy = await options.writePolicy?.(taskId);
      if (policy) {
        const check = checkPathPolicy(posix, policy);
        if (!check.ok) return { ok: false, reason: check.violation.message };
      }
    }
    return { ok: true, path: real };
  };
}

function toFsPath(raw: string): string {
  if (raw.includes('\0')) throw new Error('the path contains a NUL byte');
  if (/^file:\/\//i.test(raw)) return fileURLToPath(raw);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw new Error(`${raw} is a URL, not a file path`);
  // The server's shell-like expansion of ~ would point at the user's home: outside by definition.
  if (raw.startsWith('~')) throw new Error(`${raw} points into the home folder, outside the task workspace`);
  return raw;
}

/**
 * The real path of `p`: the deepest part that exists is resolved through its links, the rest is
 * appended (a file about to be created does not exist yet, its folder does).
 */
async function realpathOfNearest(p: string): Promise<string> {
  const rest: string[] = [];
  let current = p;
  for (;;) {
    try {
      const real = await realpath(current);
      return rest.length ? resolve(real, ...rest.reverse()) : real;
    } catch {
      const parent = dirname(current);
      if (parent === current) return p;
      rest.push(basename(current));
      current = parent;
    }
  }
}
