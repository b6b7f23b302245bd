import type { ExplorerColumn, ExplorerTable } from '../../../shared/channels/explorer';
import type { Db } from '../db/open';

type MasterRow = { name: string; type: string; sql: string | null };
type ColumnRow = { name: string; type: string; notnull: number; dflt_value: string | null; pk: number };

export type TableShape = Omit<ExplorerTable, 'rowCount'>;

/** Tables and views with their columns, read from SQLite's own catalogue on a read-only connection. */
export function readSchema(db: Db): TableShape[] {
  const objects = db
    .prepare(
      `SELECT name, type, sql FROM sqlite_schema
       WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
       ORDER BY name`,
    )
    .all() as MasterRow[];
  const columnsOf = db.prepare('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)');
  return objects.map((o) => {
    let rows: ColumnRow[];
    try {
      rows = columnsOf.all(o.name) as ColumnRow[];
    } catch {
      // A virtual table whose module is not loaded cannot describe itself; show it without columns.
      rows = [];
    }
    const columns: ExplorerColumn[] = rows.map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.notnull === 1,
      primaryKey: c.pk,
      defaultValue: c.dflt_value,
    }));
    const kind = o.type === 'view' ? 'view' : /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(o.sql ?? '') ? 'virtual' : 'table';
    return { name: o.name, kind, columns, sql: o.sql };
  });
}
