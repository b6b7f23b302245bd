import type { Statement } from 'better-sqlite3';
import type { Db } from '../open';
import { canonicalHash, type JsonValue } from '../canonical';

/**
 * The fields of one journal record that its hash covers. `prevHash` links it to the record before it
 * in the whole journal, `taskPrevHash` to the record before it in the same task; both are null for a
 * first record. Because the links are inside the hashed form, removing, inserting, reordering or
 * editing a record breaks the chain at that point.
 */
export type ChainFields = {
  seq: number;
  taskId: string;
  taskSeq: number;
  type: string;
  ts: number;
  payload: JsonValue;
  prevHash: string | null;
  taskPrevHash: string | null;
};

export type ChainRecord = ChainFields & { recordHash: string };

/** sha256 (hex) of the canonical JSON of exactly the chained fields. */
export function hashRecord(fields: ChainFields): string {
  return canonicalHash({
    seq: fields.seq,
    taskId: fields.taskId,
    taskSeq: fields.taskSeq,
    type: fields.type,
    ts: fields.ts,
    payload: fields.payload,
    prevHash: fields.prevHash,
    taskPrevHash: fields.taskPrevHash,
  });
}

export type ChainedEvent = {
  seq: number;
  taskSeq: number;
  prevHash: string | null;
  taskPrevHash: string | null;
  recordHash: string;
};

type Statements = {
  nextSeq: Statement<[], { n: number }>;
  lastGlobal: Statement<[], { record_hash: string | null }>;
  lastOfTask: Statement<[string], { task_seq: number; record_hash: string | null }>;
};

const cache = new WeakMap<Db, Statements>();

function statements(db: Db): Statements {
  let s = cache.get(db);
  if (!s) {
    s = {
      // AUTOINCREMENT never reuses a number, so the next one is past both the counter and the rows.
      nextSeq: db.prepare(
        `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
                    COALESCE((SELECT MAX(seq) FROM events), 0)) + 1 AS n`,
      ),
      lastGlobal: db.prepare('SELECT record_hash FROM events ORDER BY seq DESC LIMIT 1'),
      lastOfTask: db.prepare('SELECT task_seq, record_hash FROM events WHERE task_id = ? ORDER BY task_seq DESC LIMIT 1'),
    };
    cache.set(db, s);
  }
  return s;
}

/**
 * Numbers and links the next record of `taskId`. Must run inside the transaction that inserts it
 * (the journal's immediate transaction holds the write lock, so no other writer can slip between).
 * `payloadJson` is the exact text that will be stored: the hash covers what a reader will get back.
 */
export function chainNextEvent(db: Db, taskId: string, type: string, ts: number, payloadJson: string): ChainedEvent {
  const s = statements(db);
  let last = s.lastGlobal.get();
  if (last && last.record_hash === null) {
    sealLegacyRecords(db);
    last = s.lastGlobal.get();
  }
  const prevHash = last?.record_hash ?? null;
  const ofTask = s.lastOfTask.get(taskId);
  const seq = s.nextSeq.get()!.n;
  const taskSeq = ofTask ? ofTask.task_seq + 1 : 1;
  const taskPrevHash = ofTask?.record_hash ?? null;
  const payload = JSON.parse(payloadJson) as JsonValue;
  const recordHash = hashRecord({ seq, taskId, taskSeq, type, ts, payload, prevHash, taskPrevHash });
  return { seq, taskSeq, prevHash, taskPrevHash, recordHash };
}

type RawRow = { seq: number; task_id: string; task_seq: number; type: string; ts: number; payload: string; record_hash: string | null };

/**
 * Records written before the chain existed (databases older than migration 5) are hashed once, in
 * order, the first time a new record is appended after them. The update trigger allows exactly this:
 * filling in the hash columns of a record that has none, nothing else.
 */
export function sealLegacyRecords(db: Db): number {
  const rows = db
    .prepare('SELECT seq, task_id, task_seq, type, ts, payload, record_hash FROM events ORDER BY seq')
    .all() as RawRow[];
  const update = db.prepare('UPDATE events SET prev_hash = ?, task_prev_hash = ?, record_hash = ? WHERE seq = ?');
  let lastGlobal: string | null = null;
  const lastByTask = new Map<string, string>();
  let sealed = 0;
  for (const row of rows) {
    let hash = row.record_hash;
    const prevHash = lastGlobal;
    const taskPrevHash = lastByTask.get(row.task_id) ?? null;
    if (hash === null) {
      hash = hashRecord({
        seq: row.seq,
        taskId: row.task_id,
        taskSeq: row.task_seq,
        type: row.type,
        ts: row.ts,
        payload: JSON.parse(row.payload) as JsonValue,
        prevHash,
        taskPrevHash,
      });
      update.run(prevHash, taskPrevHash, hash, row.seq);
      sealed++;
    }
    lastGlobal = hash;
    lastByTask.set(row.task_id, hash);
  }
  return sealed;
}
