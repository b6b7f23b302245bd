import type { Db } from '../open';

export type SpecSource = 'planner' | 'user' | 'repository';

export type SpecVersionRow = {
  taskId: string | null;
  specId: string;
  version: number;
  yaml: string;
  source: SpecSource;
  author: string;
  createdAt: number;
};

type Row = { task_id: string | null; spec_id: string; version: number; yaml: string; source: SpecSource; author: string; created_at: number };

const fromRow = (r: Row): SpecVersionRow => ({
  taskId: r.task_id,
  specId: r.spec_id,
  version: r.version,
  yaml: r.yaml,
  source: r.source,
  author: r.author,
  createdAt: r.created_at,
});

/** Appends the next version of a task's spec; earlier versions stay as history. */
export function insertSpecVersion(db: Db, row: Omit<SpecVersionRow, 'version'> & { taskId: string }): SpecVersionRow {
  const next = db.prepare('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM specs WHERE task_id = ?').get(row.taskId) as { v: number };
  db.prepare(
    'INSERT INTO specs (task_id, spec_id, version, yaml, source, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(row.taskId, row.specId, next.v, row.yaml, row.source, row.author, row.createdAt);
  return { ...row, version: next.v };
}

export function latestSpecForTask(db: Db, taskId: string): SpecVersionRow | undefined {
  const row = db.prepare('SELECT * FROM specs WHERE task_id = ? ORDER BY version DESC LIMIT 1').get(taskId) as Row | undefined;
  return row ? fromRow(row) : undefined;
}

export function specVersionsForTask(db: Db, taskId: string): SpecVersionRow[] {
  return (db.prepare('SELECT * FROM specs WHERE task_id = ? ORDER BY version').all(taskId) as Row[]).map(fromRow);
}

/** Keeps the task row's `spec` column (what task views show) in step with the latest version. */
export function setTaskSpec(db: Db, taskId: string, yaml: string, at: number): void {
  db.prepare('UPDATE tasks SET spec = ?, updated_at = ? WHERE id = ?').run(yaml, at, taskId);
}
