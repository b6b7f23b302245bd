import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../../test/helpers';
import { ModelMetrics } from '../../../core/models/metrics';
import { loopbackHost } from '../../testing/loopback-host';
import { registerModelMetrics } from './models';
import { MetricsRegistry } from './registry';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe('per-model figures of the performance monitor', () => {
  it('keep speed, time to first token and latency of each model, leaving out what a model does not report', () => {
    const metrics = new ModelMetrics();
    metrics.record('local', { ok: true, latencyMs: 1000, tokens: 40, durationMs: 800, firstTokenMs: 200 });
    metrics.record('local', { ok: true, latencyMs: 3000, tokens: 40, durationMs: 800, firstTokenMs: 400, queueWaitMs: 600 });
    metrics.record('local', { ok: false, latencyMs: 50, tokens: 0, durationMs: 0, queueWaitMs: 200 });
    metrics.record('remote', { ok: true, latencyMs: 500, tokens: 10, durationMs: 500 });
    expect(metrics.view('local')).toMatchObject({ calls: 3, errors: 1, tokensPerSecond: 50, meanLatencyMs: 2000, meanFirstTokenMs: 300, meanQueueWaitMs: 400 });
    expect(metrics.view('remote').meanFirstTokenMs).toBeNull();

    const registry = new MetricsRegistry();
    registerModelMetrics(registry, metrics, () => [{ model: 'local', bytes: 5_000_000 }]);
    const text = registry.render();
    expect(text).toContain('agent_agency_model_tokens_per_second{model="local"} 50');
    expect(text).toContain('agent_agency_model_tokens_per_second{model="remote"} 20');
    expect(text).toContain('agent_agency_model_time_to_first_token_seconds{model="local"} 0.3');
    expect(text).not.toContain('agent_agency_model_time_to_first_token_seconds{model="remote"}');
    expect(text).toContain('agent_agency_model_call_duration_seconds{model="local"} 2');
    expect(text).toContain('agent_agency_model_calls_total{model="local"} 3');
    expect(text).toContain('agent_agency_model_queue_wait_seconds{model="local"} 0.4');
    expect(text).not.toContain('agent_agency_model_queue_wait_seconds{model="remote"}');
    expect(text).toContain('agent_agency_model_memory_bytes{model="local"} 5000000');
    expect(text).toContain('agent_agency_model_errors_total{model="local"} 1');
  });

  it('are served at /metrics for the models the app has called', async () => {
    const core = testCore({ scheduler: { autoStart: false } });
    cleanups.push(() => core.cleanup());
    const host = await loopbackHost({ core, api: { rateLimit: false } });
    cleanups.push(() => host.stop());
    core.models.metrics.record('worker-model', { ok: true, latencyMs: 900, tokens: 30, durationMs: 600, firstTokenMs: 150 });
    const res = await fetch(`${host.url}/metrics`, { headers: { authorization: `Bearer ${host.token}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('agent_agency_model_tokens_per_second{model="worker-model"} 50');
    expect(text).toContain('agent_agency_model_time_to_first_token_seconds{model="worker-model"} 0.15');
  });
});
