import { Actor } from '../../../../shared/domain/events';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

export type GuidanceRow = { id: number; taskId: string; text: string; actor: Actor; at: number };

type Row = { id: number; task_id: string; text: string; actor_json: string; created_at: number };

const fromRow = (r: Row): GuidanceRow => ({
  id: r.id,
  taskId: r.task_id,
  text: r.text,
  actor: Actor.parse(JSON.parse(r.actor_json)),
  at: r.created_at,
});

export function insertGuidance(db: Db, g: { taskId: string; eventSeq: number; text: string; actor: Actor; at: number }): number {
  const info = cachedStatement(db, 'INSERT INTO task_guidance (task_id, event_seq, text, actor_json, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(g.taskId, g.eventSeq, g.text, JSON.stringify(g.actor), g.at);
  return Number(info.lastInsertRowid);
}

/** Guidance no finished step has received yet, oldest first; `afterId` skips what was already handed out. */
export function pendingGuidance(db: Db, taskId: string, afterId = 0): GuidanceRow[] {
  const rows = cachedStatement(db, 'SELECT * FROM task_guidance WHERE task_id = ? AND consumed_by_run IS NULL AND id > ? ORDER BY id')
    .all(taskId, afterId) as Row[];
  return rows.map(fromRow);
}

/** Marks guidance as received by a step that finished; it is not delivered again. */
export function consumeGuidance(db: Db, ids: readonly number[], runId: number): void {
  const stmt = cachedStatement(db, 'UPDATE task_guidance SET consumed_by_run = ? WHERE id = ? AND consumed_by_run IS NULL');
  for (const id of ids) stmt.run(runId, id);
}
