import type { Db } from '../db/open';
import { filesOfCommits, searchCommits } from '../db/queries/retrieval';
import { best, isTestPath, SWEEPING_COMMIT_FILES } from './signals';
import { scopeWord } from './words';

/**
 * The lists a conventional-commit scope in the task (`feat(tools): …`) gives: a project that writes
 * scopes names the part of the tree a change is in, and its past commits of the same scope show
 * which files that part is made of.
 */

/** A path's segments as scopes compare: folders and the file name without extensions, separators removed. */
function segments(path: string): string[] {
  const parts = path.toLowerCase().split('/');
  const base = parts.pop() ?? '';
  return [...parts, base.replace(/\..*$/, '')].map((s) => s.replace(/[^a-z0-9]/g, ''));
}

/**
 * Of `candidates` (best first), the ones in a folder or file named after a scope, in the same order:
 * the scope says which of the files the task's words found are in the part it changes.
 */
export function scopedFiles(candidates: readonly string[], scopes: readonly string[]): string[] {
  if (scopes.length === 0) return [];
  const wanted = new Set(scopes);
  return candidates.filter((p) => segments(p).some((s) => wanted.has(s)));
}

const isDocPath = (path: string): boolean => /\.(md|mdx|rst|adoc|txt)$/i.test(path) || /(^|\/)docs?\//i.test(path);

/**
 * Of `candidates` (best first), the ones of the kind a conventional-commit type names, in the same
 * order: `docs` changes documentation, `test` changes tests; other types name no kind of file.
 */
export function typedFiles(candidates: readonly string[], type: string | null): string[] {
  if (type === 'docs' || type === 'doc') return candidates.filter(isDocPath);
  if (type === 'test' || type === 'tests') return candidates.filter(isTestPath);
  return [];
}

/**
 * Files changed by the most recent past commits of the same scope (at most `commits` of them), a
 * commit counting less the more files it changed and the older it is among them.
 */
export function scopeHistoryFiles(db: Db, scopes: readonly string[], commits = 40): string[] {
  if (scopes.length === 0) return [];
  const match = scopes.map((s) => `"${scopeWord(s)}"`).join(' OR ');
  const found = searchCommits(db, match, 1000)
    .filter((c) => c.fileCount <= SWEEPING_COMMIT_FILES)
    .sort((a, b) => a.age - b.age)
    .slice(0, commits);
  const weight = new Map(found.map((c, rank) => [c.id, 1 / (rank + 10) / Math.sqrt(c.fileCount)]));
  const score = new Map<string, number>();
  for (const f of filesOfCommits(db, found.map((c) => c.id))) score.set(f.path, (score.get(f.path) ?? 0) + (weight.get(f.id) ?? 0));
  return best(score, 50);
}
