/**
 * The analytics cache behind the Metrics page (ADR "The analytics cache is an SQLite table"): each
 * figure the page reads, stored under its key with the watermark of the rows it was computed from,
 * bounded in entries and bytes with the least recently used evicted first. `last_used` is a logical
 * clock (the largest in the table plus one), so recency needs no wall clock and holds across
 * processes sharing the database.
 *
 * A figure's watermark is the last seq of each event type it reads: `events(type, seq)` finds that
 * in O(log n), so a new `model.tokens` batch invalidates the throughput chart and nothing else.
 */
export const sql = /* sql */ `
CREATE TABLE analytics_cache (
  key TEXT PRIMARY KEY,
  watermark TEXT NOT NULL,
  value TEXT NOT NULL,
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  last_used INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX analytics_cache_lru ON analytics_cache(last_used);
CREATE INDEX events_type_seq ON events(type, seq);
`;
