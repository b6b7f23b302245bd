import type { ModelMetrics } from '../../../core/models/metrics';
import type { MetricsRegistry } from './registry';

/**
 * The performance monitor's per-model figures (issue 20): generation speed, time to the first token
 * and mean call latency over each model's recent calls, and its calls and errors since this process
 * started. A model appears once it has been called; a figure it cannot report (a remote model's time
 * to first token, a speed before any long enough generation) is left out rather than shown as 0.
 */
export function registerModelMetrics(registry: MetricsRegistry, metrics: ModelMetrics, heldMemory: () => ReadonlyArray<{ model: string; bytes: number }> = () => []): void {
  const perModel = (value: (model: string) => number | null) => () =>
    metrics.models().flatMap((model) => {
      const v = value(model);
      return v === null ? [] : [{ labels: { model }, value: v }];
    });
  registry.gauge({
    name: 'agent_agency_model_tokens_per_second',
    help: 'Generation speed per model (moving average of recent generations of at least 4 tokens).',
    collect: perModel((m) => metrics.view(m).tokensPerSecond),
  });
  registry.gauge({
    name: 'agent_agency_model_time_to_first_token_seconds',
    help: 'Mean time to the first generated token over recent calls, per model (local models report it).',
    collect: perModel((m) => seconds(metrics.view(m).meanFirstTokenMs)),
  });
  registry.gauge({
    name: 'agent_agency_model_call_duration_seconds',
    help: 'Mean duration of recent successful calls per model, waiting for the model included.',
    collect: perModel((m) => seconds(metrics.view(m).meanLatencyMs)),
  });
  registry.gauge({
    name: 'agent_agency_model_queue_wait_seconds',
    help: 'Mean wait of recent calls before they held the model (scheduler admission, loading), per model.',
    collect: perModel((m) => seconds(metrics.view(m).meanQueueWaitMs)),
  });
  registry.gauge({
    name: 'agent_agency_model_memory_bytes',
    help: 'Memory each loaded local model holds now (the estimate its load was admitted with).',
    collect: () => heldMemory().map(({ model, bytes }) => ({ labels: { model }, value: bytes })),
  });
  registry.gauge({
    name: 'agent_agency_model_calls_total',
    help: 'Model calls since this process started, per model.',
    type: 'counter',
    collect: perModel((m) => metrics.view(m).calls),
  });
  registry.gauge({
    name: 'agent_agency_model_errors_total',
    help: 'Model calls that failed (not cancelled, not refused as bad input) since this process started, per model.',
    type: 'counter',
    collect: perModel((m) => metrics.view(m).errors),
  });
}

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
