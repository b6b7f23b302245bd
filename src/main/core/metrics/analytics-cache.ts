import { z } from 'zod';
import type { Db } from '../db/open';
import { cacheEntry, cacheTotals, deleteCacheEntry, leastRecentlyUsed, putCacheEntry, touchCacheEntry } from '../db/queries/analytics-cache';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';

export type AnalyticsCacheOptions = {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Most entries kept (default 256). */
  maxEntries?: number;
  /** Most bytes kept, keys and values together, UTF-8 (default 8 MiB). */
  maxBytes?: number;
};

export const AnalyticsCacheLimits = z.object({
  maxEntries: z.number().int().min(1).max(1_000_000),
  maxBytes: z.number().int().min(1).max(1024 ** 3),
});

export type EvictionReason = 'entries' | 'bytes';

/** Counts since this process started (Prometheus counters), with the table's size read when asked. */
export type AnalyticsCacheStats = {
  hits: number;
  misses: number;
  /** Entries found with another watermark: the rows they were computed from have changed since. */
  invalidations: number;
  evictions: Record<EvictionReason, number>;
  /** Values larger than the whole byte bound: computed, returned, never stored. */
  tooLarge: number;
  entries: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
};

/**
 * A bounded cache of computed figures in the `analytics_cache` table (see the ADR on the analytics
 * cache): a value is served only while the watermark it was stored with is still the current one,
 * the least recently used entries go first when the entries or the bytes exceed their bound, and
 * every value read back is parsed with its schema (a row that does not parse is recomputed).
 */
export class AnalyticsCache {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly logger: Logger;
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly counts = { hits: 0, misses: 0, invalidations: 0, tooLarge: 0, evictions: { entries: 0, bytes: 0 } };
  private readonly storeTx: (key: string, watermark: string, value: string, bytes: number) => Record<EvictionReason, number>;

  constructor(options: AnalyticsCacheOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger;
    const limits = AnalyticsCacheLimits.parse({ maxEntries: options.maxEntries ?? 256, maxBytes: options.maxBytes ?? 8 * 1024 * 1024 });
    this.maxEntries = limits.maxEntries;
    this.maxBytes = limits.maxBytes;
    this.storeTx = this.db.transaction((key: string, watermark: string, value: string, bytes: number) => {
      putCacheEntry(this.db, { key, watermark, value, bytes, createdAt: this.clock.now() });
      return this.evict(key);
    });
  }

  /**
   * The value stored under `key` if it was computed at `watermark`; otherwise `compute()`'s, stored
   * for next time. A failure to read or write the table never fails the caller: it computes.
   */
  read<T>(key: string, watermark: string, schema: z.ZodType<T>, compute: () => T): T {
    const hit = this.lookup(key, watermark, schema);
    if (hit !== undefined) {
      this.counts.hits++;
      return hit.value;
    }
    this.counts.misses++;
    const value = compute();
    this.store(key, watermark, value);
    return value;
  }

  stats(): AnalyticsCacheStats {
    let totals = { entries: 0, bytes: 0 };
    try {
      totals = cacheTotals(this.db);
    } catch (e) {
      this.logger.debug({ err: e }, 'analytics cache: table not readable');
    }
    return { ...this.counts, evictions: { ...this.counts.evictions }, ...totals, maxEntries: this.maxEntries, maxBytes: this.maxBytes };
  }

  private lookup<T>(key: string, watermark: string, schema: z.ZodType<T>): { value: T } | undefined {
    try {
      const row = cacheEntry(this.db, key);
      if (!row) return undefined;
      if (row.watermark !== watermark) {
        this.counts.invalidations++;
        deleteCacheEntry(this.db, key);
        return undefined;
      }
      const parsed = schema.safeParse(parseJson(row.value));
      if (!parsed.success) {
        this.logger.warn({ key, issues: parsed.error.issues.slice(0, 3) }, 'analytics cache: a stored value does not parse; recomputing');
        deleteCacheEntry(this.db, key);
        return undefined;
      }
      touchCacheEntry(this.db, key);
      return { value: parsed.data };
    } catch (e) {
      this.logger.warn({ err: e, key }, 'analytics cache: lookup failed; computing');
      return undefined;
    }
  }

  private store(key: string, watermark: string, value: unknown): void {
    try {
      const text = JSON.stringify(value);
      const bytes = Buffer.byteLength(key, 'utf8') + Buffer.byteLength(text, 'utf8');
      if (bytes > this.maxBytes) {
        this.counts.tooLarge++;
        return;
      }
      // Counted once committed: a rolled-back store evicted nothing.
      const evicted = this.storeTx(key, watermark, text, bytes);
      this.counts.evictions.entries += evicted.entries;
      this.counts.evictions.bytes += evicted.bytes;
    } catch (e) {
      this.logger.warn({ err: e, key }, 'analytics cache: could not store a value');
    }
  }

  /** Drops the least recently used entries (never `kept`, just written) until both bounds hold. */
  private evict(kept: string): Record<EvictionReason, number> {
    const evicted: Record<EvictionReason, number> = { entries: 0, bytes: 0 };
    let { entries, bytes } = cacheTotals(this.db);
    if (entries <= this.maxEntries && bytes <= this.maxBytes) return evicted;
    for (const victim of leastRecentlyUsed(this.db, kept)) {
      if (entries <= this.maxEntries && bytes <= this.maxBytes) break;
      const reason: EvictionReason = entries > this.maxEntries ? 'entries' : 'bytes';
      deleteCacheEntry(this.db, victim.key);
      entries--;
      bytes -= victim.bytes;
      evicted[reason]++;
    }
    return evicted;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
