import type { Db } from '../db/open';
import { searchFts } from '../db/queries/retrieval';
import {
  allPaths,
  best,
  coChangedFiles,
  definingFiles,
  frequentlyChangedFiles,
  historyFiles,
  importNeighbourFiles,
  mentionedFiles,
  pairedFiles,
} from './signals';
import { scopedFiles, scopeHistoryFiles, typedFiles } from './scope-signals';
import { commitScopes, commitType, queryTerms } from './words';

/** One ranked file and the signals that put it there. */
export type RankedFile = { path: string; score: number; signals: string[] };

export type RankWeights = {
  bm25: number;
  path: number;
  symbols: number;
  mention: number;
  history: number;
  prior: number;
  graph: number;
  cochange: number;
  pair: number;
  /** Files the task's words found that are in a folder or file named after the task's commit scope. */
  scope: number;
  /** Files the task's words found that are of the kind its commit type names (`docs`, `test`). */
  type: number;
  /** Files changed by past commits of the task's commit scope. */
  scopeHistory: number;
  /** Files nearest the task by the embedding model (each by its best chunk); used only when given. */
  vector: number;
};

/**
 * Chosen with bench/retrieval-tune.bench.ts (a random grid, then one step around the best) for the
 * best mean recall@10 over five repositories' last 40 commits — the four bench:retrieval reports on
 * and one more; see docs/retrieval.md. Chosen on the reported repositories, so their figures are
 * not held-out figures. `vector` was not tuned (no real embedding model was at hand; see
 * docs/retrieval.md): it counts like `bm25`, the other list ranking by what a file says.
 */
export const DEFAULT_WEIGHTS: RankWeights = { bm25: 1.5, path: 0.8, symbols: 1.5, mention: 1.5, history: 1, prior: 0.225, graph: 0.15, cochange: 0.375, pair: 0.25, scope: 1, type: 1, scopeHistory: 1, vector: 1.5 };

/** How the lists are built (chosen with bench:retrieval together with the weights). */
export type RankTuning = {
  /** Query terms used, in the order the task gives them (a long task's later words add noise). */
  terms: number;
  /** BM25F column weights of path words and symbol names (content is 1). */
  pathColumn: number;
  symbolColumn: number;
  /** Past commits whose messages are searched, and the rank offset that flattens their order. */
  historyCommits: number;
  historyRankOffset: number;
  /** Changes together below which a co-change pair is chance. */
  coChangeMin: number;
  /** How many of the first-stage best files seed the graph, co-change and test-pairing lists. */
  seeds: number;
};

export const DEFAULT_TUNING: RankTuning = { terms: 80, pathColumn: 4, symbolColumn: 3, historyCommits: 40, historyRankOffset: 10, coChangeMin: 2, seeds: 5 };

/** Reciprocal rank fusion constant: larger flattens the difference between ranks. */
const RRF_K = 20;

type Fused = Map<string, { score: number; signals: string[] }>;

/**
 * Ranks the indexed files for a task text by weighted reciprocal rank fusion of ranked lists:
 * BM25F over path words, symbol names and content; BM25 over path words alone; files
 * defining identifiers the task names; files the task names; files changed by past commits whose
 * messages resemble the task; files changed often lately; when the task begins with a conventional-commit
 * header (`feat(tools): …`), the BM25F hits in a folder or file named after its scope, the BM25F hits of
 * the kind its type names (`docs`, `test`) and the files past commits of the same scope changed; with `vector`, the files nearest the task
 * by an embedding model (FileVectors.nearestFiles). The best of those then seed three more
 * lists: their import-graph neighbours, the files that changed with them, and their test or source.
 */
export function rankFiles(
  db: Db,
  task: string,
  options: { limit?: number; weights?: Partial<RankWeights>; tuning?: Partial<RankTuning>; vector?: readonly string[] } = {},
): RankedFile[] {
  const w = { ...DEFAULT_WEIGHTS, ...options.weights };
  const t = { ...DEFAULT_TUNING, ...options.tuning };
  const limit = options.limit ?? 10;
  const terms = queryTerms(task).slice(0, t.terms);
  const match = terms.length > 0 ? terms.map((t) => `"${t}"`).join(' OR ') : null;
  const paths = allPaths(db);
  const fused: Fused = new Map();
  const scopes = commitScopes(task);
  if (match !== null) {
    const bm25 = searchFts(db, match, [t.pathColumn, t.symbolColumn, 1], 100).map((r) => r.path);
    fuse(fused, 'bm25', w.bm25, bm25);
    fuse(fused, 'path', w.path, searchFts(db, `path_words : (${match})`, [1, 0, 0], 50).map((r) => r.path));
    fuse(fused, 'scope', w.scope, scopedFiles(bm25, scopes));
    fuse(fused, 'type', w.type, typedFiles(bm25, commitType(task)));
  }
  if (w.scopeHistory > 0) fuse(fused, 'scope-history', w.scopeHistory, scopeHistoryFiles(db, scopes));
  fuse(fused, 'symbols', w.symbols, definingFiles(db, task));
  fuse(fused, 'mention', w.mention, mentionedFiles(paths, task));
  fuse(fused, 'history', w.history, historyFiles(db, terms, { commits: t.historyCommits, rankOffset: t.historyRankOffset }));
  fuse(fused, 'prior', w.prior, frequentlyChangedFiles(db));
  // Only files still in the index: a vector list is read before the caller ranks, never after a change.
  if (options.vector) {
    const indexed = new Set(paths);
    fuse(fused, 'vector', w.vector, options.vector.filter((p) => indexed.has(p)));
  }
  const seeds = best(new Map([...fused].map(([p, v]) => [p, v.score])), t.seeds);
  const expansions: Fused = new Map();
  fuse(expansions, 'graph', w.graph, importNeighbourFiles(db, seeds));
  fuse(expansions, 'cochange', w.cochange, coChangedFiles(db, seeds, t.coChangeMin));
  fuse(expansions, 'pair', w.pair, pairedFiles(paths, seeds));
  for (const [path, v] of expansions) {
    const cur = fused.get(path);
    if (cur) {
      cur.score += v.score;
      cur.signals.push(...v.signals);
    } else fused.set(path, v);
  }
  return [...fused.entries()]
    .map(([path, v]) => ({ path, score: v.score, signals: v.signals }))
    .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path))
    .slice(0, limit);
}

function fuse(into: Fused, name: string, weight: number, paths: readonly string[]): void {
  if (weight <= 0) return;
  paths.forEach((path, rank) => {
    const add = weight / (RRF_K + rank + 1);
    const cur = into.get(path);
    if (cur) {
      cur.score += add;
      cur.signals.push(name);
    } else into.set(path, { score: add, signals: [name] });
  });
}
