import type { Db } from '../db/open';
import { allPaths, findDefinitions, importNeighbours, searchFts } from '../db/queries/retrieval';
import { namedIdentifiers, queryTerms } from './words';

/** One ranked file and the signals that put it there. */
export type RankedFile = { path: string; score: number; signals: string[] };

export type RankWeights = { bm25: number; path: number; symbols: number; graph: number; mention: number };

/** Measured with bench:retrieval (a higher path or graph weight lost recall there). */
export const DEFAULT_WEIGHTS: RankWeights = { bm25: 1, path: 0.4, symbols: 1, graph: 0.2, mention: 1.5 };

/** Reciprocal rank fusion constant: larger flattens the difference between ranks. */
const RRF_K = 20;

/**
 * Ranks the indexed files for a task text by fusing ranked lists (reciprocal rank fusion): BM25 over
 * path words, symbol names and content; BM25 over path words alone; files defining identifiers the
 * task names; files whose name the task mentions; and import-graph neighbours of the best of those.
 */
export function rankFiles(db: Db, task: string, options: { limit?: number; weights?: Partial<RankWeights> } = {}): RankedFile[] {
  const w = { ...DEFAULT_WEIGHTS, ...options.weights };
  const limit = options.limit ?? 10;
  const terms = queryTerms(task).slice(0, 40);
  const lists: Array<{ name: keyof RankWeights; paths: string[] }> = [];
  if (terms.length > 0) {
    const any = terms.map((t) => `"${t}"`).join(' OR ');
    lists.push({ name: 'bm25', paths: searchFts(db, any, [4, 3, 1], 100).map((r) => r.path) });
    lists.push({ name: 'path', paths: searchFts(db, `path_words : (${any})`, [1, 0, 0], 50).map((r) => r.path) });
  }
  lists.push({ name: 'symbols', paths: symbolList(db, task) });
  lists.push({ name: 'mention', paths: mentioned(db, task) });
  const fused = fuse(lists, w);
  const top = [...fused.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, 3).map(([p]) => p);
  const graph = graphList(db, top);
  if (graph.length > 0) {
    for (const [path, v] of fuse([{ name: 'graph', paths: graph }], w)) {
      const cur = fused.get(path);
      if (cur) {
        cur.score += v.score;
        cur.signals.push('graph');
      } else fused.set(path, v);
    }
  }
  return [...fused.entries()]
    .map(([path, v]) => ({ path, score: v.score, signals: v.signals }))
    .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path))
    .slice(0, limit);
}

function fuse(lists: ReadonlyArray<{ name: keyof RankWeights; paths: readonly string[] }>, w: RankWeights): Map<string, { score: number; signals: string[] }> {
  const out = new Map<string, { score: number; signals: string[] }>();
  for (const list of lists) {
    list.paths.forEach((path, rank) => {
      const add = w[list.name] / (RRF_K + rank + 1);
      const cur = out.get(path);
      if (cur) {
        cur.score += add;
        cur.signals.push(list.name);
      } else out.set(path, { score: add, signals: [list.name] });
    });
  }
  return out;
}

/** Files defining identifiers the task names; rarer names count more. */
function symbolList(db: Db, task: string): string[] {
  const hits = findDefinitions(db, namedIdentifiers(task).slice(0, 60));
  const score = new Map<string, number>();
  for (const h of hits) score.set(h.path, (score.get(h.path) ?? 0) + 1 / Math.log2(1 + Math.max(1, h.spread)));
  return [...score.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 50).map(([p]) => p);
}

/** Files whose path or distinctive file name the task mentions. */
function mentioned(db: Db, task: string): string[] {
  const lower = task.toLowerCase();
  const out: Array<{ path: string; strength: number }> = [];
  for (const path of allPaths(db)) {
    const p = path.toLowerCase();
    const base = p.slice(p.lastIndexOf('/') + 1);
    if (lower.includes(p)) out.push({ path, strength: 3 });
    else if (base.length >= 5 && new RegExp(`(^|[^a-z0-9])${escapeRe(base)}([^a-z0-9]|$)`).test(lower)) out.push({ path, strength: 2 });
  }
  return out.sort((a, b) => b.strength - a.strength || a.path.localeCompare(b.path)).map((o) => o.path);
}

/** Files importing or imported by the top files, most connected first. */
function graphList(db: Db, top: readonly string[]): string[] {
  const topSet = new Set(top);
  const count = new Map<string, number>();
  for (const e of importNeighbours(db, top)) {
    for (const p of [e.from, e.to]) if (!topSet.has(p)) count.set(p, (count.get(p) ?? 0) + 1);
  }
  return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 20).map(([p]) => p);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
