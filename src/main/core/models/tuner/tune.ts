import type { PressureLevel } from '../../../../shared/domain/scheduler';
import { GaussianProcess, seededRandom, suggestNext, type Random } from './gp';
import { decode, encode, feasible, type Dimension, type TunedSettings } from './space';

/** One measured trial of the fixed workload. */
export type Trial = {
  index: number;
  settings: TunedSettings;
  /** Tokens per second over the workload (prompt and generated tokens together); 0 when it failed. */
  tps: number;
  /** Why a trial did not count: over the memory budget, failed to load, or too hot. */
  skipped?: string;
  /** Best counted throughput so far, this trial included. */
  bestSoFar: number;
};

/** `pressure`: the hottest level the measurer saw while measuring, when it watched (counts as `pressure()` does). */
export type Measure = (settings: TunedSettings, signal?: AbortSignal) => Promise<{ tps: number; pressure?: PressureLevel }>;

export type TuneOptions = {
  space: readonly Dimension[];
  /** The settings a model loads with untuned: measured first, the baseline of `gain`. */
  defaults: TunedSettings;
  /** Trials that count (the default measurement included). */
  budget: number;
  measure: Measure;
  /**
   * Bytes a setting needs, from the fit check's estimate, and the room it must fit: a number, or read
   * again before every trial (models loaded or unloaded meanwhile change it).
   */
  memoryNeeded: (settings: TunedSettings) => number;
  memoryBudget: number | (() => number | Promise<number>);
  /** The scheduler's pressure level: trials under serious or critical pressure are discarded. */
  pressure: () => PressureLevel;
  random?: Random;
  /** Each trial as it finishes (the chart follows it). */
  onTrial?: (trial: Trial) => void;
  /** Each measurement thrown away for heat (not a trial: it does not count against the budget). */
  onDiscard?: (discard: { settings: TunedSettings; tps: number; reason: string }) => void;
  /** Extra alternating measurements of the defaults and the best after the search. Default 0. */
  confirmRounds?: number;
  signal?: AbortSignal;
};

export type TuneResult = {
  default_tps: number;
  best_tps: number;
  /** best / default. */
  gain: number;
  best: TunedSettings;
  trials: Trial[];
  /** Trials measured under serious or critical pressure and thrown away. */
  discarded: number;
};

/** Most measurements thrown away for heat before the search gives up waiting for a cool machine. */
const MAX_DISCARDS = 10;

/**
 * Bayesian optimisation of the inference settings: the defaults first, then each next setting where
 * the Gaussian process expects the largest improvement in measured throughput. A setting over the
 * memory budget is never loaded, and one that fails to load counts as a trial with throughput 0 that
 * is not suggested again; a trial measured while the scheduler reports serious or critical pressure
 * is discarded and not counted, because heat, not the setting, decided its speed.
 */
export async function tune(options: TuneOptions): Promise<TuneResult> {
  const random = options.random ?? seededRandom(0x5eed);
  const gp = new GaussianProcess();
  const trials: Trial[] = [];
  let best: { x: number[]; y: number; settings: TunedSettings } | undefined;
  let defaultTps = 0;
  let discarded = 0;
  const tried = new Set<string>();
  const budget = Math.max(1, Math.floor(options.budget));
  while (trials.length < budget) {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('tuning was cancelled');
    const first = trials.length === 0;
    // The space is discrete: a setting measured once is not suggested again while new ones remain;
    // one llama.cpp refuses is never suggested.
    const fresh = (x: number[]) => {
      const s = decode(options.space, x);
      return feasible(s) && !tried.has(JSON.stringify(s));
    };
    const x = first ? encode(options.space, options.defaults) : suggestNext(gp, options.space.length, best, random, 512, fresh);
    const settings = first ? options.defaults : decode(options.space, x);
    tried.add(JSON.stringify(settings));
    let tps = 0;
    let skipped: string | undefined;
    const needed = options.memoryNeeded(settings);
    const room = typeof options.memoryBudget === 'number' ? options.memoryBudget : await options.memoryBudget();
    if (needed > room) {
      skipped = `needs ${Math.round(needed / 2 ** 20)} MB, over the ${Math.round(Math.max(0, room) / 2 ** 20)} MB free in the budget`;
    } else {
      const before = options.pressure();
      let during: PressureLevel = 'nominal';
      try {
        const m = await options.measure(settings, options.signal);
        tps = m.tps;
        during = m.pressure ?? 'nominal';
      } catch (e) {
        if (options.signal?.aborted) throw e;
        skipped = `failed: ${e instanceof Error ? e.message : String(e)}`;
      }
      const after = options.pressure();
      const hot = [after, during, before].find(isHot);
      if (hot) {
        discarded++;
        options.onDiscard?.({ settings, tps, reason: `measured under ${hot} pressure` });
        if (discarded > MAX_DISCARDS) throw new Error(`the machine stayed under ${hot} pressure for ${discarded} trials; tune again when it is cooler`);
        continue;
      }
    }
    if (first) defaultTps = tps;
    // A setting that could not run says nothing about its neighbours' speed (a KV type the backend
    // refuses is no reason to avoid its thread count): it is remembered as tried, not modelled.
    if (!skipped) gp.add(x, tps);
    if (!best || tps > best.y) best = { x, y: tps, settings };
    const trial: Trial = { index: trials.length, settings, tps, ...(skipped ? { skipped } : {}), bestSoFar: best.y };
    trials.push(trial);
    options.onTrial?.(trial);
  }
  const bestSettings = best?.settings ?? options.defaults;
  let bestTps = best?.y ?? 0;
  // One measurement each can be luck on a busy machine: re-measure the defaults and the best,
  // alternating, and report the medians (the search's own figures stay in `trials`).
  const confirm = Math.max(0, Math.floor(options.confirmRounds ?? 0));
  if (confirm > 0 && JSON.stringify(bestSettings) !== JSON.stringify(options.defaults) && bestTps > 0) {
    const d: number[] = [defaultTps];
    const b: number[] = [bestTps];
    for (let i = 0; i < confirm; i++) {
      const pairs: Array<[TunedSettings, number[]]> = [
        [options.defaults, d],
        [bestSettings, b],
      ];
      if (i % 2 === 1) pairs.reverse();
      for (const [settings, into] of pairs) {
        try {
          into.push((await options.measure(settings, options.signal)).tps);
        } catch (e) {
          if (options.signal?.aborted) throw e;
        }
      }
    }
    defaultTps = median(d);
    bestTps = median(b);
  }
  return {
    default_tps: defaultTps,
    best_tps: bestTps,
    gain: defaultTps > 0 ? bestTps / defaultTps : 0,
    best: bestSettings,
    trials,
    discarded,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const isHot = (level: PressureLevel) => level === 'serious' || level === 'critical';
