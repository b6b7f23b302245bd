import type { CanaryConfig, ModelMetricsView, RoleAssignment } from '../../../shared/domain/model';

/** A model whose recent error rate is above this is skipped while another candidate is healthy. */
export const UNHEALTHY_ERROR_RATE = 0.5;
/** Calls a model must have made before its error rate counts against it. */
export const MIN_SAMPLES_FOR_HEALTH = 3;
/** Share of calls that try an unmeasured alternate, so it gets measured at all. */
export const EXPLORE_SHARE = 0.1;

export type RouteInput = {
  assignment: RoleAssignment;
  metrics: (model: string) => ModelMetricsView;
  /** Alternates take part only when they are ready (loaded, or remote); the primary always does. */
  ready: (model: string) => boolean;
  /** Bytes the model needs; used when the scheduler asks for a smaller model. */
  sizeOf: (model: string) => number;
  preferSmallerModel: boolean;
  random: () => number;
};

export type Route = { model: string; canary: boolean; reason: string };

/**
 * Picks the model for one call of a role: the canary share first, then the smallest candidate when
 * the scheduler is under pressure, else the healthy candidate with the best measured tokens per
 * second (weighted by its success rate), falling back to the primary.
 */
export function route(input: RouteInput): Route {
  const { assignment } = input;
  const canary = assignment.canary;
  if (canary && canary.share > 0 && input.random() < canary.share) {
    return { model: canary.model, canary: true, reason: `canary share ${canary.share}` };
  }
  const candidates = [assignment.model, ...assignment.alternates.filter((m) => m !== assignment.model && input.ready(m))];
  if (candidates.length === 1) return { model: assignment.model, canary: false, reason: 'only candidate' };
  if (input.preferSmallerModel) {
    const smallest = [...candidates].sort((a, b) => input.sizeOf(a) - input.sizeOf(b))[0]!;
    return { model: smallest, canary: false, reason: 'scheduler prefers a smaller model' };
  }
  const healthy = candidates.filter((m) => {
    const v = input.metrics(m);
    return v.calls < MIN_SAMPLES_FOR_HEALTH || v.errorRate <= UNHEALTHY_ERROR_RATE;
  });
  if (healthy.length === 0) return { model: assignment.model, canary: false, reason: 'no healthy candidate; primary' };
  const unmeasured = healthy.filter((m) => input.metrics(m).tokensPerSecond === null);
  if (unmeasured.length > 0 && (!unmeasured.includes(assignment.model) || unmeasured.length > 1) && input.random() < EXPLORE_SHARE) {
    const pick = unmeasured.find((m) => m !== assignment.model) ?? unmeasured[0]!;
    return { model: pick, canary: false, reason: 'measuring an alternate' };
  }
  let best = healthy.includes(assignment.model) ? assignment.model : healthy[0]!;
  let bestScore = score(input.metrics(best));
  for (const m of healthy) {
    const s = score(input.metrics(m));
    if (s > bestScore) {
      best = m;
      bestScore = s;
    }
  }
  return { model: best, canary: false, reason: best === assignment.model ? 'primary' : 'faster and healthy' };
}

function score(v: ModelMetricsView): number {
  if (v.tokensPerSecond === null) return -1;
  return v.tokensPerSecond * (1 - v.errorRate);
}

export type CanaryStats = { calls: number; errors: number; totalLatencyMs: number };

/** Why the canary must be rolled back, or null while it is within its thresholds. */
export function canaryVerdict(config: CanaryConfig, stats: CanaryStats): string | null {
  if (stats.calls < config.minSamples) return null;
  const errorRate = stats.errors / stats.calls;
  if (errorRate > config.maxErrorRate) {
    return `error rate ${(errorRate * 100).toFixed(0)}% over ${stats.calls} calls exceeds ${(config.maxErrorRate * 100).toFixed(0)}%`;
  }
  const ok = stats.calls - stats.errors;
  const meanLatency = ok > 0 ? stats.totalLatencyMs / ok : 0;
  if (meanLatency > config.maxLatencyMs) {
    return `mean latency ${Math.round(meanLatency)} ms over ${ok} calls exceeds ${config.maxLatencyMs} ms`;
  }
  return null;
}
