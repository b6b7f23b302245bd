import { z } from 'zod';
import { Actor } from '../../../../shared/domain/events';
import { ApprovalGate } from '../../../../shared/domain/task';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

export type ApprovalStatus = 'pending' | 'granted' | 'denied' | 'overridden' | 'withdrawn';

export type TaskApproval = {
  id: number;
  taskId: string;
  gate: ApprovalGate;
  phase: string;
  round: number;
  summary: string;
  status: ApprovalStatus;
  requestedAt: number;
  decidedAt: number | null;
  actor: Actor | null;
  reason: string | null;
};

type Row = {
  id: number;
  task_id: string;
  gate: string;
  phase: string;
  round: number;
  summary: string;
  status: string;
  requested_at: number;
  decided_at: number | null;
  actor_json: string | null;
  reason: string | null;
};

const Status = z.enum(['pending', 'granted', 'denied', 'overridden', 'withdrawn']);

function fromRow(r: Row): TaskApproval {
  return {
    id: r.id,
    taskId: r.task_id,
    gate: ApprovalGate.parse(r.gate),
    phase: r.phase,
    round: r.round,
    summary: r.summary,
    status: Status.parse(r.status),
    requestedAt: r.requested_at,
    decidedAt: r.decided_at,
    actor: r.actor_json === null ? null : Actor.parse(JSON.parse(r.actor_json)),
    reason: r.reason,
  };
}

export function insertApproval(
  db: Db,
  a: { taskId: string; gate: ApprovalGate; phase: string; round: number; summary: string; requestedAt: number },
): number {
  const insert = cachedStatement(
    db,
    `INSERT INTO task_approvals (task_id, gate, phase, round, summary, status, requested_at)
     VALUES (?, ?, ?, ?, ?, 'pending', ?)`,
  );
  const info = insert.run(a.taskId, a.gate, a.phase, a.round, a.summary, a.requestedAt);
  return Number(info.lastInsertRowid);
}

export function pendingApproval(db: Db, taskId: string): TaskApproval | undefined {
  const row = cachedStatement(db, "SELECT * FROM task_approvals WHERE task_id = ? AND status = 'pending'").get(taskId) as Row | undefined;
  return row ? fromRow(row) : undefined;
}

export function resolvePendingApproval(
  db: Db,
  taskId: string,
  status: Exclude<ApprovalStatus, 'pending'>,
  at: number,
  actor: Actor | undefined,
  reason: string | undefined,
): void {
  cachedStatement(
    db,
    `UPDATE task_approvals SET status = ?, decided_at = ?, actor_json = ?, reason = ?
     WHERE task_id = ? AND status = 'pending'`,
  ).run(status, at, actor ? JSON.stringify(actor) : null, reason ?? null, taskId);
}

/** Approvals granted to one phase and round (what a step that asked finds when it runs again). */
export function grantedApprovals(db: Db, taskId: string, phase: string, round: number): TaskApproval[] {
  const select = cachedStatement(
    db,
    "SELECT * FROM task_approvals WHERE task_id = ? AND phase = ? AND round = ? AND status IN ('granted', 'overridden') ORDER BY id",
  );
  const rows = select.all(taskId, phase, round) as Row[];
  return rows.map(fromRow);
}

export function approvalsForTask(db: Db, taskId: string): TaskApproval[] {
  return (cachedStatement(db, 'SELECT * FROM task_approvals WHERE task_id = ? ORDER BY id').all(taskId) as Row[]).map(fromRow);
}
