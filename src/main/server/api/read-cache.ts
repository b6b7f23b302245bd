import { createHash } from 'node:crypto';
import { constants, gzipSync } from 'node:zlib';
import type { Db } from '../../core/db/open';
import { localChanges, otherCommits } from '../../core/db/queries/data-version';

/** Channels whose answers depend only on their input and the database (no clock, no other state). */
export const CACHEABLE_CHANNELS: ReadonlySet<string> = new Set(['listTasks']);

export type CachedAnswer = {
  version: string;
  status: number;
  body: string;
  /** A strong validator of `body` (a digest, so it never repeats for another body after a restart). */
  etag: string;
  /** `body` gzipped, made the first time a client that accepts gzip asks for this version. */
  gzip?: Buffer;
};

/**
 * Serialized answers of read-only routes, kept while the database has not changed since. A hundred
 * clients polling the task list then cost one query and one serialization per change instead of one
 * per request. Keyed by the request's path and query; any write anywhere invalidates (see lookup).
 */
export class ReadCache {
  private readonly entries = new Map<string, CachedAnswer>();
  /** Other connections' commit counter as read in this event-loop turn (see lookup). */
  private others: number | undefined;

  constructor(
    private readonly db: Db,
    private readonly maxEntries = 64,
  ) {}

  /**
   * The cached answer for `key` if the database is unchanged, else undefined; and the version now.
   * This connection's own writes are checked on every call. Another connection's commits (PRAGMA
   * data_version, the costly half) are read once per event-loop turn: every request answered in
   * one turn was already received when the turn began, so a commit its client could know of had
   * happened before the first read of the turn.
   */
  lookup(key: string): { hit: CachedAnswer | undefined; version: string } {
    if (this.others === undefined) {
      this.others = otherCommits(this.db);
      setImmediate(() => (this.others = undefined));
    }
    const version = `${localChanges(this.db)}.${this.others}`;
    const entry = this.entries.get(key);
    return { hit: entry && entry.version === version ? entry : undefined, version };
  }

  /** Keeps an answer; returns it with its validator. */
  store(key: string, version: string, status: number, body: string): CachedAnswer {
    // A write between lookup and store makes `version` stale already; that entry just never hits.
    const entry: CachedAnswer = { version, status, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}

/**
 * The answer gzipped, made once per cached version. A page of 100 summaries is ~33 KB of JSON and
 * ~3 KB gzipped; copying and parsing the bytes, not the query, is what a hundred polling clients
 * cost. Level 1: the rows repeat their field names, so the fastest level already shrinks them ~10x.
 */
export function gzipped(entry: CachedAnswer): Buffer {
  entry.gzip ??= gzipSync(entry.body, { level: constants.Z_BEST_SPEED });
  return entry.gzip;
}

/** Whether an Accept-Encoding header allows gzip (q=0 refuses it). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  for (const part of value.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** Whether an If-None-Match header names `etag` (or `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
