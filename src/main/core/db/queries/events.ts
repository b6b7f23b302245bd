import { AgentEvent, type NewEvent } from '../../../../shared/domain/events';
import { chainNextEvent } from '../../provenance/chain';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

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
    const payload = JSON.stringify(event.payload);
    const link = chainNextEvent(db, taskId, event.type, ts, payload);
    cachedStatement(db, 
      `INSERT INTO events (seq, task_id, task_seq, type, ts, idempotency_key, payload, prev_hash, task_prev_hash, record_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(link.seq, taskId, link.taskSeq, event.type, ts, key, payload, link.prevHash, link.taskPrevHash, link.recordHash);
    return { seq: link.seq, taskId, taskSeq: link.taskSeq, ts, ...event } as AgentEvent;
  };
  // Numbering and linking need the write lock held from the read to the insert.
  return db.inTransaction ? write() : db.transaction(write).immediate();
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
