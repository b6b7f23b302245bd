import type { AnalyticsCache } from '../../../core/metrics/analytics-cache';
import type { MetricsRegistry } from './registry';

/**
 * The analytics cache behind the Metrics page: lookups by result, evictions by the bound that forced
 * them, invalidations, what it holds against its bounds, and the hit ratio since this process started
 * (`rate(hits) / (rate(hits) + rate(misses))` gives it over any range).
 */
export function registerAnalyticsCacheMetrics(registry: MetricsRegistry, cache: AnalyticsCache): void {
  const stats = () => cache.stats();
  const counter = (name: string, help: string, value: () => number) =>
    registry.gauge({ name, help, type: 'counter', collect: () => [{ value: value() }] });
  counter('agent_agency_analytics_cache_hits_total', 'Metrics figures served from the analytics cache.', () => stats().hits);
  counter('agent_agency_analytics_cache_misses_total', 'Metrics figures computed because the cache had no current value.', () => stats().misses);
  counter(
    'agent_agency_analytics_cache_invalidations_total',
    'Cached figures found stale: an event of a type they read was journaled after them.',
    () => stats().invalidations,
  );
  registry.gauge({
    name: 'agent_agency_analytics_cache_evictions_total',
    help: 'Least recently used entries dropped, by the bound (entries or bytes) that was exceeded.',
    type: 'counter',
    collect: () => {
      const s = stats();
      return [
        { labels: { reason: 'entries' }, value: s.evictions.entries },
        { labels: { reason: 'bytes' }, value: s.evictions.bytes },
      ];
    },
  });
  counter('agent_agency_analytics_cache_too_large_total', 'Figures larger than the whole byte bound, computed and never stored.', () => stats().tooLarge);
  registry.gauge({
    name: 'agent_agency_analytics_cache_entries',
    help: 'Entries in the analytics cache, and its bound.',
    collect: () => {
      const s = stats();
      return [
        { labels: { of: 'used' }, value: s.entries },
        { labels: { of: 'max' }, value: s.maxEntries },
      ];
    },
  });
  registry.gauge({
    name: 'agent_agency_analytics_cache_bytes',
    help: 'Bytes (keys and values, UTF-8) in the analytics cache, and its bound.',
    collect: () => {
      const s = stats();
      return [
        { labels: { of: 'used' }, value: s.bytes },
        { labels: { of: 'max' }, value: s.maxBytes },
      ];
    },
  });
  registry.gauge({
    name: 'agent_agency_analytics_cache_hit_ratio',
    help: 'Hits over lookups since this process started (0 before the first lookup).',
    collect: () => {
      const s = stats();
      const lookups = s.hits + s.misses;
      return [{ value: lookups === 0 ? 0 : s.hits / lookups }];
    },
  });
}
