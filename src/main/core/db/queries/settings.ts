import type { Db } from '../open';

/** Key-value settings; keys are namespaced by area (`governance.policy`), values are JSON text. */
export function getSetting(db: Db, key: string): { value: string; updatedAt: number; updatedBy: string } | undefined {
  const row = db.prepare('SELECT value, updated_at, updated_by FROM settings WHERE key = ?').get(key) as
    | { value: string; updated_at: number; updated_by: string }
    | undefined;
  return row ? { value: row.value, updatedAt: row.updated_at, updatedBy: row.updated_by } : undefined;
}

export function setSetting(db: Db, key: string, value: string, updatedBy: string, at: number): void {
  db.prepare(
    `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(key, value, at, updatedBy);
}
