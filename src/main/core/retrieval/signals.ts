import type { Db } from '../db/open';
import { allPaths, coChanges, fileChanges, filesOfCommits, findDefinitions, importNeighbours, searchCommits } from '../db/queries/retrieval';
import { namedIdentifiers } from './words';

/**
 * The ranked lists the retrieval service fuses. Each returns paths best first; none reads the
 * repository, only the index (and the history stored in it, which ends at the indexed state).
 */

/** Commits touching more files than this are sweeping changes (formatting, renames, releases of everything): they say little about which files belong together. */
export const SWEEPING_COMMIT_FILES = 30;
/** How quickly an old change counts less in the change-frequency prior (in commits). */
const PRIOR_HALF_LIFE = 100;

type Scores = Map<string, number>;
const add = (m: Scores, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
export const best = (m: Scores, n: number): string[] =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([p]) => p);

/** Files defining identifiers the task names; rarer names count more. */
export function definingFiles(db: Db, task: string): string[] {
  const score: Scores = new Map();
  for (const h of findDefinitions(db, namedIdentifiers(task).slice(0, 60))) add(score, h.path, 1 / Math.log2(1 + Math.max(1, h.spread)));
  return best(score, 50);
}

/** Files whose path or distinctive file name the task mentions. */
export function mentionedFiles(paths: readonly string[], task: string): string[] {
  const lower = task.toLowerCase();
  const out: Array<{ path: string; strength: number }> = [];
  for (const path of paths) {
    const p = path.toLowerCase();
    const base = p.slice(p.lastIndexOf('/') + 1);
    if (lower.includes(p)) out.push({ path, strength: 3 });
    else if (base.length >= 5 && new RegExp(`(^|[^a-z0-9])${escapeRe(base)}([^a-z0-9]|$)`).test(lower)) out.push({ path, strength: 2 });
  }
  return out.sort((a, b) => b.strength - a.strength || a.path.localeCompare(b.path)).map((o) => o.path);
}

/**
 * Files changed by past commits whose messages resemble the task (the "similar fixed reports" signal
 * of bug localisation): a commit counts by its rank (`rankOffset` flattens the difference between
 * ranks), less when it changed many files.
 */
export function historyFiles(db: Db, terms: readonly string[], tuning: { commits: number; rankOffset: number }): string[] {
  if (terms.length === 0) return [];
  const match = terms.map((t) => `"${t}"`).join(' OR ');
  const commits = searchCommits(db, match, tuning.commits).filter((c) => c.fileCount <= SWEEPING_COMMIT_FILES);
  const weight = new Map(commits.map((c, rank) => [c.id, 1 / (rank + tuning.rankOffset) / Math.sqrt(c.fileCount)]));
  const score: Scores = new Map();
  for (const f of filesOfCommits(db, commits.map((c) => c.id))) add(score, f.path, weight.get(f.id) ?? 0);
  return best(score, 50);
}

/** Files changed often and lately: a prior that knows nothing of the task. */
export function frequentlyChangedFiles(db: Db): string[] {
  const score: Scores = new Map();
  for (const c of fileChanges(db, SWEEPING_COMMIT_FILES)) add(score, c.path, Math.pow(0.5, c.age / PRIOR_HALF_LIFE));
  return best(score, 50);
}

/**
 * Files that changed together with the seeds in past commits, by how often (P(other | seed)), for the
 * better seeds more; a pair seen fewer than `minTogether` times is chance.
 */
export function coChangedFiles(db: Db, seeds: readonly string[], minTogether: number): string[] {
  const seedSet = new Set(seeds);
  const seedWeight = new Map(seeds.map((s, i) => [s, 1 / (i + 1)]));
  const pairs = coChanges(db, seeds, SWEEPING_COMMIT_FILES);
  const changesOfSeed = new Map<string, Set<number>>();
  const together = new Map<string, number>();
  for (const p of pairs) {
    const key = `${p.seed}\0${p.other}`;
    together.set(key, (together.get(key) ?? 0) + 1);
    let ages = changesOfSeed.get(p.seed);
    if (!ages) changesOfSeed.set(p.seed, (ages = new Set()));
    ages.add(p.age);
  }
  const score: Scores = new Map();
  for (const [key, n] of together) {
    const [seed, other] = key.split('\0') as [string, string];
    if (seedSet.has(other) || n < minTogether) continue;
    add(score, other, ((seedWeight.get(seed) ?? 0) * n) / (changesOfSeed.get(seed)!.size + 1));
  }
  return best(score, 20);
}

/** Files importing or imported by the seeds, most connected first. */
export function importNeighbourFiles(db: Db, seeds: readonly string[]): string[] {
  const seedSet = new Set(seeds);
  const count: Scores = new Map();
  for (const e of importNeighbours(db, seeds)) for (const p of [e.from, e.to]) if (!seedSet.has(p)) add(count, p, 1);
  return best(count, 20);
}

/** A file's name without test markers and extensions: `foo.test.ts`, `test_foo.py`, `foo_spec.rb` → `foo`. */
export function stemOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  return base
    .replace(/\.[a-z0-9]+$/, '')
    .replace(/([._-](test|tests|spec|specs))+$/, '')
    .replace(/^(test|tests|spec)[._-]/, '');
}

export const isTestPath = (path: string): boolean => /(^|\/)(tests?|__tests__|spec)\/|[._-](test|spec)\.[a-z0-9]+$|(^|\/)test_[^/]+$/i.test(path);

/** For each seed, its counterpart: the test of a source file, the source of a test (same name stem). */
export function pairedFiles(paths: readonly string[], seeds: readonly string[]): string[] {
  const byStem = new Map<string, string[]>();
  for (const p of paths) {
    const stem = stemOf(p);
    if (stem.length < 3 || stem === 'index' || stem === '__init__') continue;
    const list = byStem.get(stem);
    if (list) list.push(p);
    else byStem.set(stem, [p]);
  }
  const seedSet = new Set(seeds);
  const out: string[] = [];
  for (const seed of seeds) {
    const test = isTestPath(seed);
    for (const other of byStem.get(stemOf(seed)) ?? []) if (!seedSet.has(other) && isTestPath(other) !== test && !out.includes(other)) out.push(other);
  }
  return out;
}

export { allPaths };
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
