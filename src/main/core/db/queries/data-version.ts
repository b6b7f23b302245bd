import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

// Together these say whether the database may have changed since a read: rows written by this
// connection, or a commit by any other connection. Equal pairs mean the read is still the answer.

/** Rows this connection has changed since it opened (about half a microsecond). */
export function localChanges(db: Db): number {
  return cachedStatement(db, 'SELECT total_changes() AS c').pluck().get() as number;
}

/**
 * Changes when another connection commits (PRAGMA data_version). In WAL mode it reads the shared
 * WAL index, which costs some 10-20 microseconds: callers that ask per request may reuse it briefly.
 */
export function otherCommits(db: Db): number {
  return cachedStatement(db, 'PRAGMA data_version').pluck().get() as number;
}
