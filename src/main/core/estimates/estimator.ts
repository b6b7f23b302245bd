import type { EstimateLevel, EstimateRange, SizeClass, TaskEstimate } from '../../../shared/domain/estimate';
import { SIZE_CLASSES } from '../../../shared/domain/estimate';
import type { ExecutionMode, RiskTier } from '../../../shared/domain/task';
import type { TaskTotals } from '../db/queries/task-resource-history';

/** Fewer finished tasks than this in a group: try a coarser one. */
export const MIN_SAMPLES = 5;

export type EstimateFeatures = { riskTier: RiskTier; mode: ExecutionMode; repoFiles: number | null; model: string | null };

export function sizeClassOf(files: number | null): SizeClass | null {
  if (files === null) return null;
  if (files < 100) return SIZE_CLASSES[0];
  if (files < 1000) return SIZE_CLASSES[1];
  if (files < 10_000) return SIZE_CLASSES[2];
  return SIZE_CLASSES[3];
}

type Level = { level: Exclude<EstimateLevel, 'none'>; words: (f: EstimateFeatures, size: SizeClass | null) => string; matches: (row: TaskTotals, f: EstimateFeatures, size: SizeClass | null) => boolean };

const tierMode = (r: TaskTotals, f: EstimateFeatures) => r.riskTier === f.riskTier && r.mode === f.mode;
const sameSize = (r: TaskTotals, size: SizeClass | null) => size !== null && sizeClassOf(r.repoFiles) === size;

/** Most specific first; a level that needs a feature the task lacks is skipped. */
const LEVELS: readonly Level[] = [
  {
    level: 'tier_mode_size_model',
    words: (f, s) => `tier ${f.riskTier}, ${f.mode}, ${s}, model ${f.model}`,
    matches: (r, f, s) => tierMode(r, f) && sameSize(r, s) && f.model !== null && r.model === f.model,
  },
  { level: 'tier_mode_size', words: (f, s) => `tier ${f.riskTier}, ${f.mode}, ${s}`, matches: (r, f, s) => tierMode(r, f) && sameSize(r, s) },
  { level: 'tier_mode', words: (f) => `tier ${f.riskTier}, ${f.mode}`, matches: (r, f) => tierMode(r, f) },
  { level: 'tier', words: (f) => `tier ${f.riskTier}, any mode`, matches: (r, f) => r.riskTier === f.riskTier },
  { level: 'all', words: () => 'any tier and mode', matches: () => true },
];

/**
 * Estimates a task's active time, tokens and peak memory from finished tasks like it: the most
 * specific group (tier, mode, repository size, model; then dropping the model, the size, the mode,
 * the tier) with at least MIN_SAMPLES tasks gives the 10th–90th percentile range and the median.
 * With fewer tasks everywhere, the most specific group that has any is used and marked thin; with
 * none, the estimate says there is no history rather than inventing a figure.
 */
export function estimateFrom(history: readonly TaskTotals[], f: EstimateFeatures): TaskEstimate {
  const size = sizeClassOf(f.repoFiles);
  const features = { riskTier: f.riskTier, mode: f.mode, repoFiles: f.repoFiles, sizeClass: size, model: f.model };
  const usable = LEVELS.filter((l) => (l.level !== 'tier_mode_size_model' || (f.model !== null && size !== null)) && (l.level !== 'tier_mode_size' || size !== null));
  const groups = usable.map((l) => ({ l, rows: history.filter((r) => l.matches(r, f, size)) }));
  const enough = groups.find((g) => g.rows.length >= MIN_SAMPLES);
  const chosen = enough ?? groups.find((g) => g.rows.length > 0);
  if (!chosen) {
    return {
      features,
      basis: { level: 'none', samples: 0, thin: true, description: 'No history: no task has finished yet, so there is nothing to estimate from.' },
      durationMs: null,
      tokens: null,
      peakMemoryBytes: null,
    };
  }
  const thin = chosen.rows.length < MIN_SAMPLES;
  const skipped = groups.slice(0, groups.indexOf(chosen)).map((g) => `${g.l.words(f, size)} (${g.rows.length})`);
  const n = chosen.rows.length;
  const description = [
    `From ${n} finished task${n === 1 ? '' : 's'} at ${chosen.l.words(f, size)}`,
    skipped.length ? `; narrower groups had too few: ${skipped.join(', ')}` : '',
    thin ? `. Only ${n}: a rough range (the whole spread), not a forecast` : '',
    '.',
  ].join('');
  return {
    features,
    basis: { level: chosen.l.level, samples: n, thin, description },
    durationMs: range(chosen.rows.map((r) => r.durationMs)),
    tokens: range(chosen.rows.map((r) => r.tokens)),
    // A task whose steps were never sampled says nothing about memory.
    peakMemoryBytes: range(chosen.rows.map((r) => r.peakMemoryBytes).filter((b) => b > 0)),
  };
}

/** 10th, 50th and 90th percentiles (linear between order statistics); null for no values. */
export function range(values: readonly number[]): EstimateRange | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return { p10: quantile(s, 0.1), p50: quantile(s, 0.5), p90: quantile(s, 0.9), samples: s.length };
}

export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
