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
  KNOB,
} from './signals';
import { queryTerms } from './words';

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
};

/** Measured with bench:retrieval on repositories other than the ones reported (see docs/retrieval.md). */
export const DEFAULT_WEIGHTS: RankWeights = { bm25: 1, path: 0.4, symbols: 1, mention: 1.5, history: 1, prior: 0.3, graph: 0.2, cochange: 0.5, pair: 0.5 };

/** Reciprocal rank fusion constant: larger flattens the difference between ranks. */
const RRF_K = 20;
/** How many of the first-stage best files seed the graph, co-change and test-pairing lists. */
const SEEDS = 5;

type Fused = Map<string, { score: number; signals: string[] }>;

/**
 * Ranks the indexed files for a task text by weighted reciprocal rank fusion of ranked lists:
 * BM25F over path words, symbol names and content (stemmed); BM25 over path words alone; files
 * defining identifiers the task names; files the task names; files changed by past commits whose
 * messages resemble the task; files changed often lately. The best of those then seed three more
 * lists: their import-graph neighbours, the files that changed with them, and their test or source.
 */
export function rankFiles(db: Db, task: string, options: { limit?: number; weights?: Partial<RankWeights> } = {}): RankedFile[] {
  const w = { ...DEFAULT_WEIGHTS, ...options.weights };
  const limit = options.limit ?? 10;
  const terms = queryTerms(task).slice(0, 40);
  const match = terms.length > 0 ? terms.map((t) => `"${t}"`).join(' OR ') : null;
  const paths = allPaths(db);
  const fused: Fused = new Map();
  if (match !== null) {
    fuse(fused, 'bm25', w.bm25, searchFts(db, match, [KNOB.colPath, KNOB.colSym, 1], 100).map((r) => r.path));
    fuse(fused, 'path', w.path, searchFts(db, `path_words : (${match})`, [1, 0, 0], 50).map((r) => r.path));
  }
  fuse(fused, 'symbols', w.symbols, definingFiles(db, task));
  fuse(fused, 'mention', w.mention, mentionedFiles(paths, task));
  const vague = KNOB.adapt > 0 ? Math.min(1, KNOB.adapt / Math.max(1, terms.length)) : 1;
  fuse(fused, 'history', w.history * vague, historyFiles(db, terms));
  fuse(fused, 'prior', w.prior * vague, frequentlyChangedFiles(db));
  const seeds = best(new Map([...fused].map(([p, v]) => [p, v.score])), SEEDS);
  const expansions: Fused = new Map();
  fuse(expansions, 'graph', w.graph, importNeighbourFiles(db, seeds));
  fuse(expansions, 'cochange', w.cochange, coChangedFiles(db, seeds.slice(0, KNOB.coSeeds)));
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
