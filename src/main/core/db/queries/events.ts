import { AgentEvent, type NewEvent } from '../../../../shared/domain/events';
import { chainNextEvent, hashRecord, type ChainedEvent } from './chain';
import type { JsonValue } from '../canonical';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';
import { CANCELLATION_JOURNALED } from './tasks';

type EventRow = {
  seq: number;
  task_id: string;
  task_seq: number;
  type: string;
  ts: number;
  payload: string;
};

function fromRow(row: EventRow): AgentEvent {
  return AgentEvent.parse({
    seq: row.seq,
    taskId: row.task_id,
    taskSeq: row.task_seq,
    type: row.type,
    ts: row.ts,
    payload: JSON.parse(row.payload),
  }) as AgentEvent;
}

export function findByIdempotencyKey(db: Db, key: string): AgentEvent | undefined {
  const row = cachedStatement(db, 'SELECT * FROM events WHERE idempotency_key = ?').get(key) as EventRow | undefined;
  return row ? fromRow(row) : undefined;
}

/** Appends one record, hash-chained to the one before it (see provenance/chain.ts). */
export function insertEvent(db: Db, taskId: string, event: NewEvent, key: string, ts: number): AgentEvent {
  const write = () => {
    const written = appendEvent(db, taskId, event, key, ts);
    if (written.duplicate) throw new Error(`idempotency key ${key} was already used`);
    return written.event;
  };
  // Numbering and linking need the write lock held from the read to the insert.
  return db.inTransaction ? write() : db.transaction(write).immediate();
}

/**
 * The tip of the hash chain as this connection last wrote it: the newest record's seq and hash, and
 * the newest record of recently written tasks. It saves the three reads of chainNextEvent per append.
 * It is trusted only while the journal's newest row is still exactly that record (one indexed read):
 * another writer's append or a rolled-back transaction changes the newest row, and the tip is then
 * rebuilt from the table.
 */
type ChainTip = { seq: number; hash: string; tasks: Map<string, { taskSeq: number; hash: string }> };
const tips = new WeakMap<Db, ChainTip>();
/** Tasks whose newest record the tip remembers; older ones are read from the table when needed. */
const TIP_TASKS = 512;

/**
 * Appends one record unless its idempotency key was already used (then returns the first record).
 * Must run inside an immediate transaction, which holds the write lock from the reads to the insert.
 * The key's uniqueness is checked by the table's UNIQUE constraint rather than a read before every
 * insert; a duplicate is the rare case.
 */
export function appendEvent(db: Db, taskId: string, event: NewEvent, key: string, ts: number): { event: AgentEvent; duplicate: boolean } {
  const payload = JSON.stringify(event.payload);
  const link = tipLink(db, taskId, event.type, ts, payload) ?? chainNextEvent(db, taskId, event.type, ts, payload);
  const written = insertLinked(db, taskId, event, key, ts, payload, link);
  if (written === 'conflict') throw new Error('the journal changed under a write transaction');
  return written;
}

/**
 * The same append as one autocommit INSERT, without a transaction around it, when the chain tip is
 * known: the insert is atomic by itself, and it cannot link to a stale tip, because every writer
 * numbers a record max(seq) + 1 — a record appended by anyone since the tip was read takes the seq
 * this one wants (PRIMARY KEY) or its task's next task_seq (UNIQUE), and the insert fails. Returns
 * undefined when the caller must take the transactional path (tip unknown, or such a conflict).
 * With `refuseCancelled`, the same read that checks the tip also says whether the task's
 * cancellation is journaled (see cancellationJournaled), and 'cancelled' is returned instead of a
 * write: one read per append instead of two, each of which opens a read transaction on the WAL.
 */
export function appendEventUnlocked(
  db: Db,
  taskId: string,
  event: NewEvent,
  key: string,
  ts: number,
  refuseCancelled = false,
): { event: AgentEvent; duplicate: boolean } | 'cancelled' | undefined {
  if (!tips.has(db)) return undefined;
  const head = journalHead(db, taskId);
  if (refuseCancelled && head?.cancelled === 1) return 'cancelled';
  const payload = JSON.stringify(event.payload);
  const link = tipLink(db, taskId, event.type, ts, payload, head);
  if (!link) return undefined;
  const written = insertLinked(db, taskId, event, key, ts, payload, link);
  return written === 'conflict' ? undefined : written;
}

type JournalHead = { seq: number; record_hash: string | null; cancelled: 0 | 1 };

/** The journal's newest record and whether `taskId`'s cancellation is journaled, in one read. */
function journalHead(db: Db, taskId: string): JournalHead | undefined {
  return cachedStatement(db, `SELECT seq, record_hash, ${CANCELLATION_JOURNALED} AS cancelled FROM events ORDER BY seq DESC LIMIT 1`).get({ task: taskId }) as
    | JournalHead
    | undefined;
}

function insertLinked(
  db: Db,
  taskId: string,
  event: NewEvent,
  key: string,
  ts: number,
  payload: string,
  link: ChainedEvent,
): { event: AgentEvent; duplicate: boolean } | 'conflict' {
  try {
    cachedStatement(db,
      `INSERT INTO events (seq, task_id, task_seq, type, ts, idempotency_key, payload, prev_hash, task_prev_hash, record_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(link.seq, taskId, link.taskSeq, event.type, ts, key, payload, link.prevHash, link.taskPrevHash, link.recordHash);
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      tips.delete(db);
      throw e;
    }
    const existing = code === 'SQLITE_CONSTRAINT_UNIQUE' ? findByIdempotencyKey(db, key) : undefined;
    if (existing) return { event: existing, duplicate: true };
    tips.delete(db);
    return 'conflict';
  }
  let tip = tips.get(db);
  if (!tip) {
    tip = { seq: link.seq, hash: link.recordHash, tasks: new Map() };
    tips.set(db, tip);
  }
  tip.seq = link.seq;
  tip.hash = link.recordHash;
  tip.tasks.delete(taskId);
  tip.tasks.set(taskId, { taskSeq: link.taskSeq, hash: link.recordHash });
  if (tip.tasks.size > TIP_TASKS) tip.tasks.delete(tip.tasks.keys().next().value!);
  return { event: { seq: link.seq, taskId, taskSeq: link.taskSeq, ts, ...event } as AgentEvent, duplicate: false };
}

/** The next link from the remembered tip, if the journal's newest row (`head`, else read now) is still that tip. */
function tipLink(db: Db, taskId: string, type: string, ts: number, payloadJson: string, head?: JournalHead): ChainedEvent | undefined {
  const tip = tips.get(db);
  if (!tip) return undefined;
  const newest =
    head ??
    (cachedStatement(db, 'SELECT seq, record_hash FROM events ORDER BY seq DESC LIMIT 1').get() as { seq: number; record_hash: string | null } | undefined);
  if (!newest || newest.seq !== tip.seq || newest.record_hash !== tip.hash) {
    tips.delete(db);
    return undefined;
  }
  let ofTask = tip.tasks.get(taskId);
  if (!ofTask) {
    const row = cachedStatement(db, 'SELECT task_seq, record_hash FROM events WHERE task_id = ? ORDER BY task_seq DESC LIMIT 1').get(taskId) as
      | { task_seq: number; record_hash: string | null }
      | undefined;
    if (row && row.record_hash === null) {
      tips.delete(db);
      return undefined;
    }
    ofTask = row ? { taskSeq: row.task_seq, hash: row.record_hash! } : { taskSeq: 0, hash: '' };
  }
  const seq = tip.seq + 1;
  const taskSeq = ofTask.taskSeq + 1;
  const prevHash = tip.hash;
  const taskPrevHash = ofTask.taskSeq > 0 ? ofTask.hash : null;
  const recordHash = hashRecord({ seq, taskId, taskSeq, type, ts, payload: JSON.parse(payloadJson) as JsonValue, prevHash, taskPrevHash });
  return { seq, taskSeq, prevHash, taskPrevHash, recordHash };
}

export function eventsForTask(db: Db, taskId: string, afterTaskSeq = 0, limit = 10_000): AgentEvent[] {
  const rows = cachedStatement(db, 'SELECT * FROM events WHERE task_id = ? AND task_seq > ? ORDER BY task_seq LIMIT ?')
    .all(taskId, afterTaskSeq, limit) as EventRow[];
  return rows.map(fromRow);
}

/** The newest `limit` events of a task, oldest first (what a detail view shows of a long task). */
export function latestEventsForTask(db: Db, taskId: string, limit: number): AgentEvent[] {
  const rows = cachedStatement(db, 'SELECT * FROM (SELECT * FROM events WHERE task_id = ? ORDER BY task_seq DESC LIMIT ?) ORDER BY task_seq')
    .all(taskId, limit) as EventRow[];
  return rows.map(fromRow);
}

export function eventsAfter(db: Db, afterSeq: number, limit: number, taskId?: string): AgentEvent[] {
  const rows = (
    taskId
      ? cachedStatement(db, 'SELECT * FROM events WHERE seq > ? AND task_id = ? ORDER BY seq LIMIT ?').all(afterSeq, taskId, limit)
      : cachedStatement(db, 'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit)
  ) as EventRow[];
  return rows.map(fromRow);
}

export function lastSeq(db: Db): number {
  const row = cachedStatement(db, 'SELECT COALESCE(MAX(seq), 0) AS s FROM events').get() as { s: number };
  return row.s;
}

/** The raw payloads of a task's newest events of one type, newest first, for readers that parse only what they need. */
export function latestPayloadsOfType(db: Db, taskId: string, type: string, limit: number): unknown[] {
  const rows = cachedStatement(db, 'SELECT payload FROM events WHERE task_id = ? AND type = ? ORDER BY task_seq DESC LIMIT ?').all(taskId, type, limit) as {
    payload: string;
  }[];
  return rows.map((r) => JSON.parse(r.payload) as unknown);
}

/** Every event type the journal holds, once each. */
export function distinctEventTypes(db: Db): string[] {
  return (cachedStatement(db, 'SELECT DISTINCT type FROM events').all() as { type: string }[]).map((r) => r.type);
}

/** Tool calls a task made so far (journaled `tool.called`: a refused call costs nothing) and their total duration. */
export function toolUsage(db: Db, taskId: string): { calls: number; durationMs: number } {
  const row = cachedStatement(
    db,
    `SELECT COUNT(*) AS calls, COALESCE(SUM(json_extract(payload, '$.durationMs')), 0) AS duration
       FROM events WHERE task_id = ? AND type = 'tool.called'`,
  ).get(taskId) as { calls: number; duration: number };
  return { calls: row.calls, durationMs: row.duration };
}
