import type { Db } from '../open';

/** Queries of task_attachments: the files a task was submitted with and whether they were read. */

export type AttachmentRow = {
  taskId: string;
  ordinal: number;
  name: string;
  kind: 'text' | 'markdown' | 'pdf' | 'image';
  bytes: number;
  sha256: string;
  path: string;
  status: 'pending' | 'read' | 'not_read';
  extraction: 'text' | 'pdf' | 'ocr' | 'image' | null;
  detail: string;
  entityId: string | null;
  createdAt: number;
  readAt: number | null;
};

const COLUMNS = `task_id AS taskId, ordinal, name, kind, bytes, sha256, path, status, extraction, detail, entity_id AS entityId, created_at AS createdAt, read_at AS readAt`;

export function insertAttachments(db: Db, rows: readonly AttachmentRow[]): void {
  const insert = db.prepare(
    `INSERT INTO task_attachments (task_id, ordinal, name, kind, bytes, sha256, path, status, extraction, detail, entity_id, created_at, read_at)
     VALUES (@taskId, @ordinal, @name, @kind, @bytes, @sha256, @path, @status, @extraction, @detail, @entityId, @createdAt, @readAt)`,
  );
  for (const r of rows) insert.run(r);
}

export function attachmentsForTask(db: Db, taskId: string): AttachmentRow[] {
  return db.prepare(`SELECT ${COLUMNS} FROM task_attachments WHERE task_id = ? ORDER BY ordinal`).all(taskId) as AttachmentRow[];
}

export function markAttachment(
  db: Db,
  taskId: string,
  ordinal: number,
  outcome: { status: 'read' | 'not_read'; extraction: AttachmentRow['extraction']; detail: string; entityId: string | null; readAt: number },
): void {
  db.prepare('UPDATE task_attachments SET status = ?, extraction = ?, detail = ?, entity_id = ?, read_at = ? WHERE task_id = ? AND ordinal = ?').run(
    outcome.status,
    outcome.extraction,
    outcome.detail,
    outcome.entityId,
    outcome.readAt,
    taskId,
    ordinal,
  );
}
