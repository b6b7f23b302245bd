import { z } from 'zod';
import { EvalRunView } from '../domain/eval';
import { EstimateTaskInput, GetTaskEstimateInput, RunningEstimate, TaskEstimate } from '../domain/estimate';
import { ActiveStateKind } from '../domain/task';

const HOUR = 3_600_000;

export const GetMetricsInput = z.strictObject({
  /** How far back, in milliseconds (default seven days). */
  windowMs: z.number().int().min(HOUR).max(90 * 24 * HOUR).default(7 * 24 * HOUR),
});
export type GetMetricsInput = z.input<typeof GetMetricsInput>;

export const OutcomeBucket = z.object({
  /** Start of the bucket (ms since the epoch). */
  t: z.number().int(),
  completed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  cancelled: z.number().int().nonnegative(),
});

export const PhaseDuration = z.object({
  phase: ActiveStateKind,
  count: z.number().int().positive(),
  meanMs: z.number().nonnegative(),
  p50Ms: z.number().nonnegative(),
  p95Ms: z.number().nonnegative(),
  maxMs: z.number().nonnegative(),
});

export const ModelThroughput = z.object({
  model: z.string(),
  tokens: z.number().int().nonnegative(),
  /** Generation time the rate is measured over (between token batches of one stream). */
  seconds: z.number().nonnegative(),
  tokensPerSecond: z.number().nonnegative(),
});

export const CouncilOutcome = z.object({
  decision: z.enum(['accept', 'reject', 'modify']),
  count: z.number().int().nonnegative(),
});

export const QueuePoint = z.object({ t: z.number().int(), length: z.number().int().nonnegative() });

export const Metrics = z.object({
  from: z.number().int(),
  to: z.number().int(),
  bucketMs: z.number().int().positive(),
  outcomes: z.array(OutcomeBucket),
  phaseDurations: z.array(PhaseDuration),
  throughput: z.array(ModelThroughput),
  council: z.array(CouncilOutcome),
  /** Tasks waiting in the queue at the end of each bucket, then now. */
  queue: z.array(QueuePoint),
  totals: z.object({
    submitted: z.number().int().nonnegative(),
    completed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    cancelled: z.number().int().nonnegative(),
    queuedNow: z.number().int().nonnegative(),
    activeNow: z.number().int().nonnegative(),
  }),
});
export type Metrics = z.infer<typeof Metrics>;

export const ListEvalRunsInput = z.strictObject({ limit: z.number().int().min(1).max(200).default(50) });

/** Figures computed from the journal for the Metrics page. */
export const metricsChannels = {
  getMetrics: { input: GetMetricsInput, output: Metrics },
  /** Stored `agent-agency eval` runs with their models and totals, newest first. */
  listEvalRuns: { input: ListEvalRunsInput, output: z.array(EvalRunView) },
  /** What a task like this one used before (active time, tokens, peak memory), as a range; before submitting. */
  estimateTask: { input: EstimateTaskInput, output: TaskEstimate },
  /** A task's estimate with what it has used so far and the time the median leaves. */
  getTaskEstimate: { input: GetTaskEstimateInput, output: RunningEstimate },
} as const;
