import { z } from 'zod';
import type { Db } from '../open';

/** Queries of `source_integrity_records` (migration 5): hashes of the files a task read and wrote. */

export const SourceIntegrityKind = z.enum(['read', 'written']);
export type SourceIntegrityKind = z.infer<typeof SourceIntegrityKind>;

export const SourceIntegrityRecord = z.object({
  id: z.number().int(),
  taskId: z.string(),
  path: z.string(),
  sha256: z.string(),
  kind: SourceIntegrityKind,
  recordedAt: z.number().int(),
});
export type SourceIntegrityRecord = z.infer<typeof SourceIntegrityRecord>;

export function insertSourceIntegrity(db: Db, rec: Omit<SourceIntegrityRecord, 'id'>): number {
  const info = db
    .prepare('INSERT INTO source_integrity_records (task_id, path, sha256, kind, recorded_at) VALUES (?, ?, ?, ?, ?)')
    .run(rec.taskId, rec.path, rec.sha256, rec.kind, rec.recordedAt);
  return Number(info.lastInsertRowid);
}

export function sourceIntegrityForTask(db: Db, taskId: string): SourceIntegrityRecord[] {
  const rows = db
    .prepare('SELECT id, task_id, path, sha256, kind, recorded_at FROM source_integrity_records WHERE task_id = ? ORDER BY id')
    .all(taskId) as { id: number; task_id: string; path: string; sha256: string; kind: string; recorded_at: number }[];
  return rows.map((r) =>
    SourceIntegrityRecord.parse({ id: r.id, taskId: r.task_id, path: r.path, sha256: r.sha256, kind: r.kind, recordedAt: r.recorded_at }),
  );
}
