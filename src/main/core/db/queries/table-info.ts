import type { Db } from '../open';

/** Whether `table` exists with all of `columns` (tables written by other areas may be absent in older databases). */
export function tableHasColumns(db: Db, table: string, columns: readonly string[]): boolean {
  const have = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[]).map((c) => c.name));
  return columns.every((c) => have.has(c));
}
