import { describe, expect, it } from 'vitest';
import type { ModelMetricsView, RoleAssignment } from '../../../shared/domain/model';
import { canaryVerdict, route, type RouteInput } from './router';

const none: ModelMetricsView = { calls: 0, errors: 0, errorRate: 0, tokensPerSecond: null, meanLatencyMs: null, meanFirstTokenMs: null, meanQueueWaitMs: null };
const measured = (tokensPerSecond: number, errorRate = 0, calls = 20): ModelMetricsView => ({
  calls,
  errors: Math.round(calls * errorRate),
  errorRate,
  tokensPerSecond,
  meanLatencyMs: 100,
  meanFirstTokenMs: null,
  meanQueueWaitMs: null,
});

function input(assignment: Partial<RoleAssignment>, metrics: Record<string, ModelMetricsView>, extra: Partial<RouteInput> = {}): RouteInput {
  return {
    assignment: { role: 'worker', model: 'a', alternates: [], canary: null, ...assignment },
    metrics: (m) => metrics[m] ?? none,
    ready: () => true,
    sizeOf: (m) => ({ a: 8, b: 4, c: 2 })[m] ?? 1,
    preferSmallerModel: false,
    random: () => 0.99,
    ...extra,
  };
}

describe('routing', () => {
  it('uses the primary when it is the only candidate', () => {
    expect(route(input({}, {})).model).toBe('a');
  });

  it('picks the candidate with the best measured tokens per second', () => {
    expect(route(input({ alternates: ['b'] }, { a: measured(20), b: measured(35) }))).toMatchObject({ model: 'b', reason: 'faster and healthy' });
    expect(route(input({ alternates: ['b'] }, { a: measured(40), b: measured(35) })).model).toBe('a');
  });

  it('weighs speed by success rate and skips unhealthy models', () => {
    // b is faster but fails 30% of calls: 35 * 0.7 < 30.
    expect(route(input({ alternates: ['b'] }, { a: measured(30), b: measured(35, 0.3) })).model).toBe('a');
    // b fails most calls: skipped even though a is slower.
    expect(route(input({ alternates: ['b'] }, { a: measured(5), b: measured(50, 0.8) })).model).toBe('a');
    // Everything unhealthy: the primary.
    expect(route(input({ alternates: ['b'] }, { a: measured(5, 0.9), b: measured(50, 0.8) })).model).toBe('a');
  });

  it('leaves out alternates that are not ready', () => {
    expect(route(input({ alternates: ['b'] }, { a: measured(10), b: measured(99) }, { ready: (m) => m !== 'b' })).model).toBe('a');
  });

  it('now and then measures an alternate that has no figures yet', () => {
    const metrics = { a: measured(10) };
    expect(route(input({ alternates: ['b'] }, metrics, { random: () => 0.05 }))).toMatchObject({ model: 'b', reason: 'measuring an alternate' });
    expect(route(input({ alternates: ['b'] }, metrics, { random: () => 0.5 })).model).toBe('a');
  });

  it('prefers the smallest candidate when the scheduler asks', () => {
    expect(route(input({ alternates: ['b', 'c'] }, { a: measured(99) }, { preferSmallerModel: true })).model).toBe('c');
  });

  it('sends the canary share to the candidate', () => {
    const canary = { model: 'c', share: 0.25, maxErrorRate: 0.2, maxLatencyMs: 1000, minSamples: 5 };
    expect(route(input({ canary }, {}, { random: () => 0.1 }))).toMatchObject({ model: 'c', canary: true });
    expect(route(input({ canary }, {}, { random: () => 0.3 }))).toMatchObject({ model: 'a', canary: false });
  });
});

describe('canary thresholds', () => {
  const config = { model: 'c', share: 0.1, maxErrorRate: 0.2, maxLatencyMs: 500, minSamples: 5 };
  it('waits for enough samples', () => {
    expect(canaryVerdict(config, { calls: 4, errors: 4, totalLatencyMs: 0 })).toBeNull();
  });
  it('rolls back on error rate', () => {
    expect(canaryVerdict(config, { calls: 5, errors: 2, totalLatencyMs: 300 })).toBe('error rate 40% over 5 calls exceeds 20%');
  });
  it('rolls back on mean latency', () => {
    expect(canaryVerdict(config, { calls: 5, errors: 0, totalLatencyMs: 5 * 600 })).toBe('mean latency 600 ms over 5 calls exceeds 500 ms');
  });
  it('keeps a healthy canary', () => {
    expect(canaryVerdict(config, { calls: 10, errors: 1, totalLatencyMs: 9 * 100 })).toBeNull();
  });
});
