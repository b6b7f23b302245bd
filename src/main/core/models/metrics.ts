import type { ModelMetricsView } from '../../../shared/domain/model';

export type CallOutcome = {
  ok: boolean;
  latencyMs: number;
  tokens: number;
  durationMs: number;
  firstTokenMs?: number | undefined;
  /** Time from asking for the call to holding the model: the scheduler's admission and the load, if any. */
  queueWaitMs?: number | undefined;
};

/** Calls remembered per model for the error rate and latency. */
const WINDOW = 50;
/** Weight of the newest sample in the tokens-per-second average. */
const ALPHA = 0.3;
/** Generations shorter than this say little about speed. */
const MIN_TOKENS_FOR_SPEED = 4;

type Series = { calls: number; errors: number; recent: CallOutcome[]; tokensPerSecond: number | null };

/** Measured speed and reliability per model; routing and canary decisions read it. */
export class ModelMetrics {
  private readonly byModel = new Map<string, Series>();

  record(model: string, outcome: CallOutcome): void {
    const s = this.series(model);
    s.calls++;
    if (!outcome.ok) s.errors++;
    s.recent.push(outcome);
    if (s.recent.length > WINDOW) s.recent.shift();
    if (outcome.ok && outcome.tokens >= MIN_TOKENS_FOR_SPEED && outcome.durationMs > 0) {
      const tps = (outcome.tokens * 1000) / outcome.durationMs;
      s.tokensPerSecond = s.tokensPerSecond === null ? tps : ALPHA * tps + (1 - ALPHA) * s.tokensPerSecond;
    }
  }

  view(model: string): ModelMetricsView {
    const s = this.byModel.get(model);
    if (!s) return { calls: 0, errors: 0, errorRate: 0, tokensPerSecond: null, meanLatencyMs: null, meanFirstTokenMs: null, meanQueueWaitMs: null };
    const recentErrors = s.recent.filter((o) => !o.ok).length;
    const okLatencies = s.recent.filter((o) => o.ok).map((o) => o.latencyMs);
    const firstTokens = s.recent.flatMap((o) => (o.ok && o.firstTokenMs !== undefined ? [o.firstTokenMs] : []));
    const waits = s.recent.flatMap((o) => (o.queueWaitMs !== undefined ? [o.queueWaitMs] : []));
    return {
      calls: s.calls,
      errors: s.errors,
      errorRate: s.recent.length === 0 ? 0 : recentErrors / s.recent.length,
      tokensPerSecond: s.tokensPerSecond,
      meanLatencyMs: mean(okLatencies),
      meanFirstTokenMs: mean(firstTokens),
      meanQueueWaitMs: mean(waits),
    };
  }

  /** Models with at least one recorded call, in first-call order. */
  models(): string[] {
    return [...this.byModel.keys()];
  }

  samples(model: string): number {
    return this.byModel.get(model)?.recent.length ?? 0;
  }

  forget(model: string): void {
    this.byModel.delete(model);
  }

  private series(model: string): Series {
    let s = this.byModel.get(model);
    if (!s) {
      s = { calls: 0, errors: 0, recent: [], tokensPerSecond: null };
      this.byModel.set(model, s);
    }
    return s;
  }
}

function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}
