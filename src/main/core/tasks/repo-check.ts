import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { RepositoryCheck } from '../../../shared/channels/task-actions';
import { git } from '../workspace/git';

/** The folders tasks may target; empty means any folder. */
export type AllowedRoots = () => readonly string[];

const inside = (child: string, parent: string) => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

const realOr = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};

/**
 * What the submit form checks before a task goes: the folder exists, it is a git repository's root, and
 * it lies inside the allowed roots (the same rules the core applies on submit).
 * Read-only: `git rev-parse` with optional locks off.
 */
export async function checkRepository(path: string, allowedRoots: AllowedRoots = () => []): Promise<RepositoryCheck> {
  const roots = allowedRoots().map(realOr);
  const base = { path, exists: false, isGit: false, allowed: false, allowedRoots: roots, problem: null, warning: null };
  if (!isAbsolute(path)) return { ...base, problem: 'must be an absolute path (starting with /)' };
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) return { ...base, problem: `${path} is not an existing folder` };
  const real = realOr(path);
  const allowed = roots.length === 0 || roots.some((root) => inside(real, root));
  const top = await git(['rev-parse', '--show-toplevel'], { cwd: real, timeoutMs: 10_000 }).catch(() => null);
  const isGit = top !== null && top.code === 0;
  const topLevel = isGit ? realOr(top.stdout.toString('utf8').trim()) : null;
  const checked = { ...base, path: real, exists: true, isGit, allowed };
  if (!allowed) return { ...checked, problem: `${real} is outside the folders tasks may target (${roots.join(', ')}); add it in Settings or choose another` };
  if (isGit && topLevel !== real) return { ...checked, problem: `${real} is inside the git repository ${topLevel}; choose the repository's root` };
  // Submitting refuses a folder that is not a repository's root unless the task explicitly allows it.
  if (!isGit) return { ...checked, problem: `${real} is not the root of a git repository; choose the repository's top folder (or run git init there)` };
  return checked;
}
