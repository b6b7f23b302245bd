import { AgentEvent, type NewEvent } from '../../../../shared/domain/events';
import type { Db } from '../open';

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
  const row = db.prepare('SELECT * FROM events WHERE idempotency_key = ?').get(key) as EventRow | undefined;
  return row ? fromRow(row) : undefined;
}

export function insertEvent(db: Db, taskId: string, event: NewEvent, key: string, ts: number): AgentEvent {
  const next = db
    .prepare('SELECT COALESCE(MAX(task_seq), 0) + 1 AS n FROM events WHERE task_id = ?')
    .get(taskId) as { n: number };
  const info = db
    .prepare(
      'INSERT INTO events (task_id, task_seq, type, ts, idempotency_key, payload) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(taskId, next.n, event.type, ts, key, JSON.stringify(event.payload));
  return { seq: Number(info.lastInsertRowid), taskId, taskSeq: next.n, ts, ...event } as AgentEvent;
}

export function eventsForTask(db: Db, taskId: string, afterTaskSeq = 0, limit = 10_000): AgentEvent[] {
  const rows = db
    .prepare('SELECT * FROM events WHERE task_id = ? AND task_seq > ? ORDER BY task_seq LIMIT ?')
    .all(taskId, afterTaskSeq, limit) as EventRow[];
  return rows.map(fromRow);
}

export function eventsAfter(db: Db, afterSeq: number, limit: number, taskId?: string): AgentEvent[] {
  const rows = (
    taskId
      ? db.prepare('SELECT * FROM events WHERE seq > ? AND task_id = ? ORDER BY seq LIMIT ?').all(afterSeq, taskId, limit)
      : db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit)
  ) as EventRow[];
  return rows.map(fromRow);
}

export function lastSeq(db: Db): number {
  const row = db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM events').get() as { s: number };
  return row.s;
}
