import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

/**
 * Queries of `analytics_cache` (migration 25). `last_used` is a logical clock: a use sets it to the
 * table's largest plus one (read through the `last_used` index), so the smallest is the least
 * recently used entry whichever process used it.
 */

export type CacheRow = { key: string; watermark: string; value: string; bytes: number; lastUsed: number };

export function cacheEntry(db: Db, key: string): CacheRow | undefined {
  const row = cachedStatement(db, 'SELECT key, watermark, value, bytes, last_used FROM analytics_cache WHERE key = ?').get(key) as
    | { key: string; watermark: string; value: string; bytes: number; last_used: number }
    | undefined;
  return row ? { key: row.key, watermark: row.watermark, value: row.value, bytes: row.bytes, lastUsed: row.last_used } : undefined;
}

const NEXT_USE = '(SELECT COALESCE(MAX(last_used), 0) + 1 FROM analytics_cache)';

/** Marks an entry as the most recently used. */
export function touchCacheEntry(db: Db, key: string): void {
  cachedStatement(db, `UPDATE analytics_cache SET last_used = ${NEXT_USE} WHERE key = ?`).run(key);
}

/** Writes (or replaces) an entry as the most recently used. */
export function putCacheEntry(db: Db, e: { key: string; watermark: string; value: string; bytes: number; createdAt: number }): void {
  cachedStatement(db, 
    `INSERT INTO analytics_cache (key, watermark, value, bytes, last_used, created_at) VALUES (?, ?, ?, ?, ${NEXT_USE}, ?)
     ON CONFLICT (key) DO UPDATE SET watermark = excluded.watermark, value = excluded.value, bytes = excluded.bytes,
       last_used = excluded.last_used, created_at = excluded.created_at`,
  ).run(e.key, e.watermark, e.value, e.bytes, e.createdAt);
}

export function deleteCacheEntry(db: Db, key: string): boolean {
  return cachedStatement(db, 'DELETE FROM analytics_cache WHERE key = ?').run(key).changes > 0;
}

export function cacheTotals(db: Db): { entries: number; bytes: number } {
  const row = cachedStatement(db, 'SELECT COUNT(*) AS entries, COALESCE(SUM(bytes), 0) AS bytes FROM analytics_cache').get() as { entries: number; bytes: number };
  return { entries: row.entries, bytes: row.bytes };
}

/** Entries from the least recently used on, but never `keep` (the entry just written); the table is bounded, so all of them. */
export function leastRecentlyUsed(db: Db, keep: string): { key: string; bytes: number }[] {
  return cachedStatement(db, 'SELECT key, bytes FROM analytics_cache WHERE key <> ? ORDER BY last_used').all(keep) as { key: string; bytes: number }[];
}

/** Keys in use order, least recent first (tests and the ADR's figures). */
export function cacheKeysByUse(db: Db): string[] {
  return (cachedStatement(db, 'SELECT key FROM analytics_cache ORDER BY last_used').all() as { key: string }[]).map((r) => r.key);
}
