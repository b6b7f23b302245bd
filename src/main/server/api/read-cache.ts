import type { Db } from '../../core/db/open';
import { dataVersion } from '../../core/db/queries/data-version';

/** Channels whose answers depend only on their input and the database (no clock, no other state). */
export const CACHEABLE_CHANNELS: ReadonlySet<string> = new Set(['listTasks']);

type Entry = { version: string; status: number; body: string };

/**
 * Serialized answers of read-only routes, kept while the database has not changed since. A hundred
 * clients polling the task list then cost one query and one serialization per change instead of one
 * per request. Keyed by the request's path and query; any write anywhere invalidates (see dataVersion).
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly db: Db,
    private readonly maxEntries = 64,
  ) {}

  /** The cached body for `key` if the database is unchanged, else undefined; and the version now. */
  lookup(key: string): { hit: Entry | undefined; version: string } {
    const version = dataVersion(this.db);
    const entry = this.entries.get(key);
    return { hit: entry && entry.version === version ? entry : undefined, version };
  }

  store(key: string, version: string, status: number, body: string): void {
    // A write between lookup and store makes `version` stale already; that entry just never hits.
    this.entries.delete(key);
    this.entries.set(key, { version, status, body });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
