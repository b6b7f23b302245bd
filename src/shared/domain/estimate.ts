import { z } from 'zod';
import { ExecutionMode, RiskTier, TaskId } from './task';

/** Repository sizes that estimates group by, in tracked files. */
export const SIZE_CLASSES = ['under 100 files', '100–999 files', '1,000–9,999 files', '10,000 files or more'] as const;
export const SizeClass = z.enum(SIZE_CLASSES);
export type SizeClass = z.infer<typeof SizeClass>;

/** A figure's spread in the history it was estimated from: the 10th, 50th and 90th percentiles. */
export const EstimateRange = z.object({
  p10: z.number().nonnegative(),
  p50: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  /** Finished tasks it was computed from. */
  samples: z.number().int().positive(),
});
export type EstimateRange = z.infer<typeof EstimateRange>;

/** The groups an estimate may come from, most specific first. */
export const ESTIMATE_LEVELS = ['tier_mode_size_model', 'tier_mode_size', 'tier_mode', 'tier', 'all', 'none'] as const;
export const EstimateLevel = z.enum(ESTIMATE_LEVELS);
export type EstimateLevel = z.infer<typeof EstimateLevel>;

export const TaskEstimate = z.object({
  /** What the task is, as the estimate grouped it. */
  features: z.object({
    riskTier: RiskTier,
    mode: ExecutionMode,
    repoFiles: z.number().int().nonnegative().nullable(),
    sizeClass: SizeClass.nullable(),
    model: z.string().nullable(),
  }),
  basis: z.object({
    level: EstimateLevel,
    /** Finished tasks in the group used (0 for `none`). */
    samples: z.number().int().nonnegative(),
    /** Fewer tasks than the estimator trusts: the range is the group's whole spread, said to be rough. */
    thin: z.boolean(),
    /** In words: which tasks it came from, and which narrower groups had too few. */
    description: z.string(),
  }),
  /** Active time (the sum of its phases: queue, pauses and waits for a person excluded); null with no history. */
  durationMs: EstimateRange.nullable(),
  tokens: EstimateRange.nullable(),
  peakMemoryBytes: EstimateRange.nullable(),
});
export type TaskEstimate = z.infer<typeof TaskEstimate>;

/** A task's estimate with what it has used so far. */
export const RunningEstimate = TaskEstimate.extend({
  taskId: TaskId,
  progress: z.object({
    /** Active time so far: completed phases plus the open one. */
    activeMs: z.number().nonnegative(),
    tokens: z.number().int().nonnegative(),
    peakMemoryBytes: z.number().int().nonnegative(),
    finished: z.boolean(),
  }),
  /** The median's remaining active time (0 once past it); null with no history or once finished. */
  remainingMs: z.number().nonnegative().nullable(),
});
export type RunningEstimate = z.infer<typeof RunningEstimate>;

export const EstimateTaskInput = z.strictObject({
  riskTier: RiskTier.default(2),
  mode: ExecutionMode.default('dry-run'),
  /** The target repository; its tracked files are counted (absent: the size is not used). */
  repoPath: z.string().trim().min(1, 'must not be empty').max(4096, 'is too long').optional(),
  /** The worker's model; absent: the model the worker role has now. */
  model: z.string().min(1).max(300).optional(),
});
export type EstimateTaskInput = z.input<typeof EstimateTaskInput>;

export const GetTaskEstimateInput = z.strictObject({ taskId: TaskId });
