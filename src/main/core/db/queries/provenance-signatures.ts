import { z } from 'zod';
import type { Db } from '../open';

/** Queries of `provenance_signatures` (migration 5): the JWS signatures over decisions and chain heads. */

export const SignatureKind = z.enum(['decision', 'task-head', 'chain-head']);
export type SignatureKind = z.infer<typeof SignatureKind>;

export const StoredSignature = z.object({
  id: z.number().int(),
  taskId: z.string().nullable(),
  kind: SignatureKind,
  subjectSeq: z.number().int(),
  subjectTaskSeq: z.number().int().nullable(),
  subjectHash: z.string(),
  kid: z.string(),
  jws: z.string(),
  createdAt: z.number().int(),
});
export type StoredSignature = z.infer<typeof StoredSignature>;

type SignatureRow = {
  id: number;
  task_id: string | null;
  kind: string;
  subject_seq: number;
  subject_task_seq: number | null;
  subject_hash: string;
  kid: string;
  jws: string;
  created_at: number;
};

function toSignature(row: SignatureRow): StoredSignature {
  return StoredSignature.parse({
    id: row.id,
    taskId: row.task_id,
    kind: row.kind,
    subjectSeq: row.subject_seq,
    subjectTaskSeq: row.subject_task_seq,
    subjectHash: row.subject_hash,
    kid: row.kid,
    jws: row.jws,
    createdAt: row.created_at,
  });
}

/** Stores a signature once per (kind, subject); returns false when one was already there. */
export function insertSignature(db: Db, sig: Omit<StoredSignature, 'id'>): boolean {
  const info = db
    .prepare(
      `INSERT OR IGNORE INTO provenance_signatures
         (task_id, kind, subject_seq, subject_task_seq, subject_hash, kid, jws, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(sig.taskId, sig.kind, sig.subjectSeq, sig.subjectTaskSeq, sig.subjectHash, sig.kid, sig.jws, sig.createdAt);
  return info.changes > 0;
}

export function signaturesForTask(db: Db, taskId: string): StoredSignature[] {
  return (db.prepare('SELECT * FROM provenance_signatures WHERE task_id = ? ORDER BY id').all(taskId) as SignatureRow[]).map(toSignature);
}

export function allSignatures(db: Db): StoredSignature[] {
  return (db.prepare('SELECT * FROM provenance_signatures ORDER BY id').all() as SignatureRow[]).map(toSignature);
}

export function lastSignature(db: Db, kind: SignatureKind, taskId?: string): StoredSignature | undefined {
  const row = (
    taskId
      ? db.prepare('SELECT * FROM provenance_signatures WHERE kind = ? AND task_id = ? ORDER BY id DESC LIMIT 1').get(kind, taskId)
      : db.prepare('SELECT * FROM provenance_signatures WHERE kind = ? ORDER BY id DESC LIMIT 1').get(kind)
  ) as SignatureRow | undefined;
  return row ? toSignature(row) : undefined;
}
