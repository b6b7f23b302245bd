import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FakeClock, testCore } from '../../../../test/helpers';
import type { NewEvent } from '../../../shared/domain/events';
import { openDatabase, type Db } from '../db/open';
import { cacheKeysByUse } from '../db/queries/analytics-cache';
import { silentLogger } from '../observability/logger';
import { AnalyticsCache } from './analytics-cache';
import { MetricsService } from './metrics-service';

const HOUR = 3_600_000;
const Text = z.string();

describe('AnalyticsCache', () => {
  let db: Db;
  const clock = new FakeClock(1_000);
  beforeEach(() => {
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
  });
  afterEach(() => db.close());

  const cache = (o: { maxEntries?: number; maxBytes?: number } = {}) => new AnalyticsCache({ db, clock, logger: silentLogger(), ...o });
  /** Reads `key` at watermark w1; the value is computed (and counted) only on a miss. */
  const reader = (c: AnalyticsCache) => {
    const computed: string[] = [];
    const read = (key: string, value = `value of ${key}`, watermark = 'w1') =>
      c.read(key, watermark, Text, () => {
        computed.push(key);
        return value;
      });
    return { read, computed };
  };

  it('serves a stored value while its watermark holds, and recomputes once it moves', () => {
    const c = cache();
    const { read, computed } = reader(c);
    expect(read('a')).toBe('value of a');
    expect(read('a')).toBe('value of a');
    expect(computed).toEqual(['a']);
    expect(read('a', 'newer', 'w2')).toBe('newer');
    expect(read('a', 'newer', 'w2')).toBe('newer');
    expect(computed).toEqual(['a', 'a']);
    expect(c.stats()).toMatchObject({ hits: 2, misses: 2, invalidations: 1, entries: 1 });
  });

  it('evicts the least recently used entry when there are more entries than allowed', () => {
    const c = cache({ maxEntries: 3 });
    const { read, computed } = reader(c);
    read('a');
    read('b');
    read('c');
    // Using a makes b the least recently used.
    read('a');
    read('d');
    expect(cacheKeysByUse(db)).toEqual(['c', 'a', 'd']);
    expect(c.stats()).toMatchObject({ entries: 3, evictions: { entries: 1, bytes: 0 } });
    computed.length = 0;
    read('a');
    read('b');
    expect(computed).toEqual(['b']);
  });

  it('evicts by bytes, least recently used first, keeping the entry just written', () => {
    // Each entry: a 1-byte key and a 40-byte JSON string (38 characters and the quotes).
    const value = (ch: string) => ch.repeat(38);
    const c = cache({ maxEntries: 100, maxBytes: 130 });
    const { read } = reader(c);
    read('a', value('a'));
    read('b', value('b'));
    read('c', value('c'));
    expect(c.stats()).toMatchObject({ entries: 3, bytes: 123 });
    read('a', value('a'));
    read('d', value('d'));
    // 164 bytes > 130: b, the least recently used, goes; 123 bytes remain.
    expect(cacheKeysByUse(db)).toEqual(['c', 'a', 'd']);
    expect(c.stats()).toMatchObject({ entries: 3, bytes: 123, evictions: { entries: 0, bytes: 1 } });
    // A value that cannot fit at all is returned but never stored, and evicts nothing.
    expect(read('e', 'x'.repeat(200))).toHaveLength(200);
    expect(c.stats()).toMatchObject({ entries: 3, tooLarge: 1, evictions: { entries: 0, bytes: 1 } });
  });

  it('recomputes a stored value that no longer parses', () => {
    const c = cache();
    c.read('n', 'w', z.number(), () => 1);
    db.prepare("UPDATE analytics_cache SET value = '\"not a number\"' WHERE key = 'n'").run();
    expect(c.read('n', 'w', z.number(), () => 2)).toBe(2);
    expect(c.stats()).toMatchObject({ hits: 0, misses: 2 });
  });

  it('refuses bounds that make no sense', () => {
    expect(() => cache({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});

describe('the Metrics page through the cache', () => {
  let clock: FakeClock;
  let core: ReturnType<typeof testCore>;
  let key = 0;
  beforeEach(() => {
    clock = new FakeClock(Date.UTC(2027, 0, 10, 12, 0, 0));
    core = testCore({ clock, scheduler: { autoStart: false } });
  });
  afterEach(() => core.cleanup());

  const submit = () => core.tasks.submit({ description: 'measure me', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 }).id;
  const append = (taskId: string, event: NewEvent) => core.journal.append(taskId, event, `k${++key}`);
  const tokens = (t: string, count: number) => append(t, { type: 'model.tokens', payload: { model: 'small', role: 'worker', text: 'x', count } });
  // Computes every figure afresh: the oracle.
  const uncached = () => new MetricsService({ db: core.db, clock, logger: core.logger, cache: false });

  it('a new event invalidates the charts that read its type, and only those', () => {
    const metrics = new MetricsService({ db: core.db, clock, logger: core.logger });
    const t = submit();
    tokens(t, 10);
    clock.advance(1000);
    tokens(t, 30);
    const first = metrics.compute(24 * HOUR);
    // Six cached figures: outcomes, phases, throughput, council, the queue's past points, submissions.
    expect(metrics.cache.stats()).toMatchObject({ hits: 0, misses: 6 });
    expect(metrics.compute(24 * HOUR)).toEqual(first);
    expect(metrics.cache.stats()).toMatchObject({ hits: 6, misses: 6 });

    clock.advance(1000);
    tokens(t, 50);
    const after = metrics.compute(24 * HOUR);
    // Only the throughput chart reads model.tokens: one miss, five hits, and the new batch counted.
    expect(metrics.cache.stats()).toMatchObject({ hits: 11, misses: 7, invalidations: 1 });
    expect(after.throughput).toEqual([{ model: 'small', tokens: 80, seconds: 2, tokensPerSecond: 40 }]);
    expect(after).toEqual(uncached().compute(24 * HOUR));

    append(t, { type: 'task.failed', payload: { reason: 'no' } });
    expect(metrics.compute(24 * HOUR).totals.failed).toBe(1);
    expect(metrics.cache.stats()).toMatchObject({ hits: 16, misses: 8 });
  });

  it('gives the same figures as computing afresh, over a day of events and clock moves', () => {
    // Room for every figure of the three windows, so entries live across steps and must be invalidated.
    const metrics = new MetricsService({ db: core.db, clock, logger: core.logger, cache: { maxEntries: 40 } });
    const oracle = uncached();
    const tasks = [submit(), submit(), submit()];
    let rnd = 7;
    const next = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let step = 0; step < 60; step++) {
      const t = tasks[Math.floor(next() * tasks.length)]!;
      const r = next();
      if (r < 0.4) tokens(t, 1 + Math.floor(next() * 40));
      else if (r < 0.5) append(t, { type: 'phase.completed', payload: { phase: 'planning', durationMs: Math.floor(next() * 5000) } });
      else if (r < 0.55) append(t, { type: 'council.verdict', payload: { decision: next() < 0.5 ? 'accept' : 'reject', score: 0.5 } });
      else if (r < 0.6) tasks.push(submit());
      clock.advance(Math.floor(next() * 20 * 60_000));
      for (const w of [HOUR, 24 * HOUR, 7 * 24 * HOUR]) {
        const expected = oracle.compute(w);
        // Twice: the second read of a window is served from the cache unless an eviction took it.
        expect(metrics.compute(w)).toEqual(expected);
        expect(metrics.compute(w)).toEqual(expected);
      }
    }
    const s = metrics.cache.stats();
    expect(s.hits).toBeGreaterThan(s.misses);
    expect(s.invalidations).toBeGreaterThan(0);
    expect(s.entries).toBeLessThanOrEqual(40);
  });

  it('keeps its entries across a restart: a new service on the same database hits', () => {
    submit();
    new MetricsService({ db: core.db, clock, logger: core.logger }).compute(24 * HOUR);
    const again = new MetricsService({ db: core.db, clock, logger: core.logger });
    again.compute(24 * HOUR);
    expect(again.cache.stats()).toMatchObject({ hits: 6, misses: 0 });
  });
});
