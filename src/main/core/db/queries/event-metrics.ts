import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

/*
 * Reads of the events table for the Metrics page. Each is bounded by a time window (the (type, ts)
 * index) and a row limit; payload fields are read with `json_extract`, NULL for a payload that is
 * not JSON. Values are returned raw: the metrics service parses them as untrusted.
 */

/** `json_extract` that yields NULL for a payload that is not JSON instead of failing the query. */
const field = (path: string) => `CASE WHEN json_valid(payload) THEN json_extract(payload, '${path}') END`;

/** Terminal events and state changes since `from`, in journal order: the outcome is the state kind entered. */
export function outcomeRows(db: Db, from: number, limit: number): { task_id: string; ts: number; outcome: unknown }[] {
  return db
    .prepare(
      `SELECT task_id, ts, CASE type WHEN 'task.state' THEN ${field('$.to.kind')} ELSE substr(type, 6) END AS outcome
       FROM events
       WHERE type IN ('task.completed', 'task.failed', 'task.cancelled', 'task.state') AND ts >= ?
       ORDER BY seq LIMIT ?`,
    )
    .all(from, limit) as { task_id: string; ts: number; outcome: unknown }[];
}

/** Phase and duration of each `phase.completed` since `from`. */
export function phaseCompletedRows(db: Db, from: number, limit: number): unknown[] {
  return db
    .prepare(`SELECT ${field('$.phase')} AS phase, ${field('$.durationMs')} AS durationMs FROM events WHERE type = 'phase.completed' AND ts >= ? LIMIT ?`)
    .all(from, limit);
}

/** `model.tokens` batches since `from`, newest first. */
export function tokenBatchRows(db: Db, from: number, limit: number): unknown[] {
  return db
    .prepare(
      `SELECT task_id, ts, ${field('$.model')} AS model, ${field('$.role')} AS role, ${field('$.count')} AS count
       FROM events WHERE type = 'model.tokens' AND ts >= ? ORDER BY seq DESC LIMIT ?`,
    )
    .all(from, limit);
}

/** Journaled council verdicts since `from`, counted by decision. */
export function verdictDecisionCounts(db: Db, from: number): { decision: unknown; n: number }[] {
  return db
    .prepare(`SELECT ${field('$.decision')} AS decision, count(*) AS n FROM events WHERE type = 'council.verdict' AND ts >= ? GROUP BY 1`)
    .all(from) as { decision: unknown; n: number }[];
}

/**
 * How the queue changed: +1 when a task is created or sent back to `queued`, -1 on its first move
 * away from it. `before` is the sum up to `from`; `changes` are the non-zero steps after it.
 */
const QUEUE_DELTA = `CASE
    WHEN type = 'task.created' THEN 1
    WHEN to_kind = 'queued' AND from_kind IS NOT 'queued' THEN 1
    WHEN from_kind = 'queued' AND to_kind IS NOT 'queued' THEN -1
    ELSE 0 END`;
const QUEUE_SOURCE = `SELECT type, ts, seq, ${field('$.from.kind')} AS from_kind, ${field('$.to.kind')} AS to_kind
  FROM events WHERE type IN ('task.created', 'task.state')`;

export function queueLengthBefore(db: Db, from: number): number {
  return (db.prepare(`SELECT COALESCE(SUM(${QUEUE_DELTA}), 0) AS n FROM (${QUEUE_SOURCE} AND ts < ?)`).get(from) as { n: number }).n;
}

export function queueChangesSince(db: Db, from: number, limit: number): { ts: number; d: number }[] {
  return db
    .prepare(`SELECT ts, ${QUEUE_DELTA} AS d FROM (${QUEUE_SOURCE} AND ts >= ?) WHERE d <> 0 ORDER BY seq LIMIT ?`)
    .all(from, limit) as { ts: number; d: number }[];
}

export function countEventsOfType(db: Db, type: string, from: number): number {
  return (db.prepare('SELECT count(*) AS n FROM events WHERE type = ? AND ts >= ?').get(type, from) as { n: number }).n;
}

/**
 * The last seq of each event type (0 when there is none), through `events(type, seq)`: O(log n) per
 * type, so a cached figure can say exactly which of the journal's rows it has seen.
 */
export function lastSeqOfTypes(db: Db, types: readonly string[]): number[] {
  const stmt = cachedStatement(db, 'SELECT COALESCE(MAX(seq), 0) AS s FROM events WHERE type = ?');
  return types.map((t) => (stmt.get(t) as { s: number }).s);
}

/** Tokens a task's models generated, by model and role (from its `model.tokens` batches). */
export function taskTokensByModel(db: Db, taskId: string): { model: unknown; role: unknown; tokens: number }[] {
  return cachedStatement(
    db,
    `SELECT ${field('$.model')} AS model, ${field('$.role')} AS role, COALESCE(SUM(${field('$.count')}), 0) AS tokens
     FROM events WHERE task_id = ? AND type = 'model.tokens' GROUP BY 1, 2`,
  ).all(taskId) as { model: unknown; role: unknown; tokens: number }[];
}

/** A task's active time so far: the durations of its completed phases, and when its open phase (if any) began. */
export function taskPhaseTimes(db: Db, taskId: string): { completedMs: number; openSince: number | null } {
  const done = cachedStatement(
    db,
    `SELECT COALESCE(SUM(${field('$.durationMs')}), 0) AS ms, COUNT(*) AS n FROM events WHERE task_id = ? AND type = 'phase.completed'`,
  ).get(taskId) as { ms: number; n: number };
  const started = cachedStatement(db, `SELECT ts FROM events WHERE task_id = ? AND type = 'phase.started' ORDER BY task_seq`).all(taskId) as { ts: number }[];
  // Phases start and complete in turn: one more start than completions means one is open.
  const open = started.length > done.n ? started[started.length - 1]!.ts : null;
  return { completedMs: typeof done.ms === 'number' ? done.ms : 0, openSince: open };
}
