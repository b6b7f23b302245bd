import { SchedulerDecision, type DecisionKind } from '../../../../shared/domain/scheduler';
import type { Db } from '../open';

// Queries of the scheduler's tables (migration 0006): its decision timeline and its settings row.

type DecisionRow = {
  id: number;
  ts: number;
  kind: string;
  level: string;
  slots: number;
  in_use: number;
  reason: string;
  priority: string | null;
  label: string | null;
  task_id: string | null;
  waited_ms: number | null;
};

function fromRow(row: DecisionRow): SchedulerDecision {
  return SchedulerDecision.parse({
    id: row.id,
    ts: row.ts,
    kind: row.kind,
    level: row.level,
    slots: row.slots,
    inUse: row.in_use,
    reason: row.reason,
    ...(row.priority !== null ? { priority: row.priority } : {}),
    ...(row.label !== null ? { label: row.label } : {}),
    ...(row.task_id !== null ? { taskId: row.task_id } : {}),
    ...(row.waited_ms !== null ? { waitedMs: row.waited_ms } : {}),
  });
}

export function insertDecision(db: Db, d: Omit<SchedulerDecision, 'id'>): SchedulerDecision {
  const info = db
    .prepare(
      `INSERT INTO scheduler_decisions (ts, kind, level, slots, in_use, reason, priority, label, task_id, waited_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(d.ts, d.kind, d.level, d.slots, d.inUse, d.reason, d.priority ?? null, d.label ?? null, d.taskId ?? null, d.waitedMs ?? null);
  return { ...d, id: Number(info.lastInsertRowid) };
}

export type DecisionFilter = { limit: number; beforeId?: number; kinds?: DecisionKind[]; taskId?: string; sinceTs?: number };

/** Newest first. */
export function listDecisions(db: Db, filter: DecisionFilter): SchedulerDecision[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.beforeId !== undefined) {
    where.push('id < ?');
    params.push(filter.beforeId);
  }
  if (filter.kinds && filter.kinds.length > 0) {
    where.push(`kind IN (${filter.kinds.map(() => '?').join(', ')})`);
    params.push(...filter.kinds);
  }
  if (filter.taskId !== undefined) {
    where.push('task_id = ?');
    params.push(filter.taskId);
  }
  if (filter.sinceTs !== undefined) {
    where.push('ts >= ?');
    params.push(filter.sinceTs);
  }
  const sql = `SELECT * FROM scheduler_decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  const rows = db.prepare(sql).all(...params, filter.limit) as DecisionRow[];
  return rows.map(fromRow);
}

/** Keeps the newest `keep` decisions; the timeline is a window, not an archive. */
export function pruneDecisions(db: Db, keep: number): number {
  return db.prepare('DELETE FROM scheduler_decisions WHERE id <= (SELECT MAX(id) FROM scheduler_decisions) - ?').run(keep).changes;
}

export function loadSettingsRow(db: Db): unknown {
  const row = db.prepare('SELECT settings FROM scheduler_settings WHERE id = 1').get() as { settings: string } | undefined;
  if (!row) return undefined;
  try {
    return JSON.parse(row.settings) as unknown;
  } catch {
    return undefined;
  }
}

export function saveSettingsRow(db: Db, settings: unknown, ts: number): void {
  db.prepare(
    `INSERT INTO scheduler_settings (id, settings, updated_at) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
  ).run(JSON.stringify(settings), ts);
}
