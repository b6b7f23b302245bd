import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

/**
 * A token that changes whenever the database may have changed: rows written by this connection
 * (total_changes) or a commit by any other connection (data_version). Equal tokens mean a read
 * answered before is still the answer.
 */
export function dataVersion(db: Db): string {
  const row = cachedStatement(db, 'SELECT total_changes() AS c, data_version AS v FROM pragma_data_version').get() as { c: number; v: number };
  return `${row.c}.${row.v}`;
}
