import type { JsonValue } from '../canonical';
import type { Db } from '../open';
import { sealLegacyRecords, type ChainRecord } from './chain';

/**
 * Reads of the chain columns of `events` (migration 5) as provenance checks them, and the records
 * that still lack a signature in `provenance_signatures`. Writing and hashing live in chain.ts.
 */

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
