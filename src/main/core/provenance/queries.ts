import { z } from 'zod';
import type { Db } from '../db/open';
import type { JsonValue } from '../db/canonical';
import { sealLegacyRecords, type ChainRecord } from '../db/queries/chain';

/** Queries of the provenance tables (migration 5) and the chain columns of `events`. */

type ChainRow = {
  seq: number;
  task_id: string;
  task_seq: number;
  type: string;
  ts: number;
  payload: string;
  prev_hash: string | null;
  task_prev_hash: string | null;
  record_hash: string | null;
};

const CHAIN_COLUMNS = 'seq, task_id, task_seq, type, ts, payload, prev_hash, task_prev_hash, record_hash';

function toRecord(row: ChainRow): ChainRecord {
  return {
    seq: row.seq,
    taskId: row.task_id,
    taskSeq: row.task_seq,
    type: row.type,
    ts: row.ts,
    payload: JSON.parse(row.payload) as JsonValue,
    prevHash: row.prev_hash,
    taskPrevHash: row.task_prev_hash,
    recordHash: row.record_hash ?? '',
  };
}

/** Hashes records older than the chain, if any are left (see chain.ts), so every record has one. */
export function ensureSealed(db: Db): number {
  const unsealed = db.prepare('SELECT 1 FROM events WHERE record_hash IS NULL LIMIT 1').get();
  if (!unsealed) return 0;
  return db.transaction(() => sealLegacyRecords(db)).immediate();
}

/** A task's records exactly as stored (payload as written, not as a schema would reshape it). */
export function chainRecordsForTask(db: Db, taskId: string): ChainRecord[] {
  const rows = db.prepare(`SELECT ${CHAIN_COLUMNS} FROM events WHERE task_id = ? ORDER BY task_seq`).all(taskId) as ChainRow[];
  return rows.map(toRecord);
}

export function chainRecordBySeq(db: Db, seq: number): ChainRecord | undefined {
  const row = db.prepare(`SELECT ${CHAIN_COLUMNS} FROM events WHERE seq = ?`).get(seq) as ChainRow | undefined;
  return row ? toRecord(row) : undefined;
}

export function lastChainRecord(db: Db, taskId?: string): ChainRecord | undefined {
  const row = (
    taskId
      ? db.prepare(`SELECT ${CHAIN_COLUMNS} FROM events WHERE task_id = ? ORDER BY task_seq DESC LIMIT 1`).get(taskId)
      : db.prepare(`SELECT ${CHAIN_COLUMNS} FROM events ORDER BY seq DESC LIMIT 1`).get()
  ) as ChainRow | undefined;
  return row ? toRecord(row) : undefined;
}

/** Every record in journal order, one at a time (the journal can be larger than memory wants). */
export function* iterateChain(db: Db): Generator<ChainRecord & { sealed: boolean }> {
  for (const row of db.prepare(`SELECT ${CHAIN_COLUMNS} FROM events ORDER BY seq`).iterate() as IterableIterator<ChainRow>) {
    yield { ...toRecord(row), sealed: row.record_hash !== null };
  }
}

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

/** Records of the given types that have no decision signature yet (a crash between commit and signing). */
export function unsignedRecords(db: Db, types: readonly string[]): ChainRecord[] {
  if (types.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT ${CHAIN_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM events e
       LEFT JOIN provenance_signatures s ON s.kind = 'decision' AND s.subject_seq = e.seq
       WHERE e.type IN (${types.map(() => '?').join(', ')}) AND s.id IS NULL AND e.record_hash IS NOT NULL
       ORDER BY e.seq`,
    )
    .all(...types) as ChainRow[];
  return rows.map(toRecord);
}

/** Tasks whose last record is terminal but whose head was never signed. */
export function unsignedTerminalTasks(db: Db, terminalTypes: readonly string[]): string[] {
  const rows = db
    .prepare(
      `SELECT e.task_id AS taskId FROM events e
       WHERE e.type IN (${terminalTypes.map(() => '?').join(', ')})
         AND e.task_seq = (SELECT MAX(task_seq) FROM events WHERE task_id = e.task_id)
         AND NOT EXISTS (SELECT 1 FROM provenance_signatures s WHERE s.kind = 'task-head' AND s.subject_seq = e.seq)`,
    )
    .all(...terminalTypes) as { taskId: string }[];
  return rows.map((r) => r.taskId);
}

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
