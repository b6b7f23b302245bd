import { z } from 'zod';

/*
 * The runtime tuner as the Models page sees it: one run per model (the running one, or the last),
 * each trial as it finishes. Kept apart from model.ts, which imports the trial for its events.
 */

/** One setting the tuner tried (the same fields as a model's runtime settings, all present). */
export const TunedSettingsView = z.object({
  batchSize: z.number().int().positive(),
  threads: z.number().int().positive(),
  contextSize: z.number().int().positive(),
  gpuLayers: z.number().int().nonnegative(),
  flashAttention: z.enum(['on', 'off']),
  kvCacheType: z.enum(['f16', 'q8_0', 'q4_0']),
});
export type TunedSettingsView = z.infer<typeof TunedSettingsView>;

/**
 * `counted`: measured, one of the budget's trials. `skipped`: counted but not measured (over the
 * memory budget) or failed to load, throughput 0. `discarded`: measured while the machine was under
 * serious or critical pressure, so heat decided its speed; not counted and not modelled.
 */
export const TuneTrialStatus = z.enum(['counted', 'skipped', 'discarded']);
export type TuneTrialStatus = z.infer<typeof TuneTrialStatus>;

export const TuneTrialView = z.object({
  /** 1-based order of measurement, discarded trials included. */
  n: z.number().int().positive(),
  settings: TunedSettingsView,
  /** Tokens per second over the fixed workload; 0 for a skipped trial. */
  tps: z.number().nonnegative(),
  /** Best counted throughput so far (0 before the first counted trial). */
  bestSoFar: z.number().nonnegative(),
  status: TuneTrialStatus,
  reason: z.string().nullable(),
});
export type TuneTrialView = z.infer<typeof TuneTrialView>;

export const TuneRunState = z.enum(['running', 'completed', 'cancelled', 'failed']);
export type TuneRunState = z.infer<typeof TuneRunState>;

/** A tuning run: live while `running`; the best is stored and used on the next load once `completed`. */
export const TuneRunView = z.object({
  model: z.string(),
  state: TuneRunState,
  /** Trials the run counts; null for a run read back from storage, which does not keep it. */
  budget: z.number().int().positive().nullable(),
  /** The compute backend measured on ("metal", "cpu", ...); null until the runtime answered. */
  backend: z.string().nullable(),
  startedAt: z.number().int(),
  finishedAt: z.number().int().nullable(),
  error: z.string().nullable(),
  trials: z.array(TuneTrialView),
  /** The defaults' throughput (the first trial, or the confirmed median once completed). */
  defaultTps: z.number().nonnegative().nullable(),
  bestTps: z.number().nonnegative().nullable(),
  /** bestTps / defaultTps; null until both are known and the default is above 0. */
  gain: z.number().nonnegative().nullable(),
  best: TunedSettingsView.nullable(),
});
export type TuneRunView = z.infer<typeof TuneRunView>;

/** Which model is being tuned, for the snapshot: one tune runs at a time on a machine. */
export const TuneJobBrief = z.object({ model: z.string(), budget: z.number().int().positive(), startedAt: z.number().int(), trials: z.number().int().nonnegative() });
export type TuneJobBrief = z.infer<typeof TuneJobBrief>;

/** Trials a tune from the app or the API may count: the defaults and at least two others, at most 60. */
export const TUNE_BUDGET = { min: 3, max: 60, default: 12 } as const;
