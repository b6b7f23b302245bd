import { z } from 'zod';
import { STANDING_GATES, StandingScope, type StandingApproval } from '../../../../shared/channels/intervention';
import { Actor } from '../../../../shared/domain/events';
import { ApprovalGate } from '../../../../shared/domain/task';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

type Row = {
  id: number;
  task_id: string;
  scope: string;
  gate: string;
  actor_json: string;
  created_at: number;
  revoked_at: number | null;
  revoked_by_json: string | null;
};

const actorJson = z.string().transform((s, ctx) => {
  try {
    return Actor.parse(JSON.parse(s));
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not an actor' });
    return z.NEVER;
  }
});

/** The gates a standing approval passes: its own gate kind (`phase`), or every phase boundary (`task`). */
export function coveredGates(scope: StandingScope, gate: ApprovalGate): ApprovalGate[] {
  return scope === 'task' ? [...STANDING_GATES] : [gate];
}

function fromRow(r: Row): StandingApproval {
  const scope = StandingScope.parse(r.scope);
  const gate = ApprovalGate.parse(r.gate);
  return {
    id: r.id,
    taskId: r.task_id,
    scope,
    gate,
    covers: coveredGates(scope, gate),
    actor: actorJson.parse(r.actor_json),
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by_json === null ? null : actorJson.parse(r.revoked_by_json),
  };
}

export function insertStandingApproval(db: Db, a: { taskId: string; scope: StandingScope; gate: ApprovalGate; actor: Actor; createdAt: number }): number {
  const info = cachedStatement(db, 'INSERT INTO standing_approvals (task_id, scope, gate, actor_json, created_at) VALUES (?, ?, ?, ?, ?)').run(
    a.taskId,
    a.scope,
    a.gate,
    JSON.stringify(a.actor),
    a.createdAt,
  );
  return Number(info.lastInsertRowid);
}

export function getStandingApproval(db: Db, id: number): StandingApproval | undefined {
  const row = cachedStatement(db, 'SELECT * FROM standing_approvals WHERE id = ?').get(id) as Row | undefined;
  return row ? fromRow(row) : undefined;
}

export function standingApprovalsForTask(db: Db, taskId: string, includeRevoked: boolean): StandingApproval[] {
  const sql = includeRevoked
    ? 'SELECT * FROM standing_approvals WHERE task_id = ? ORDER BY id'
    : 'SELECT * FROM standing_approvals WHERE task_id = ? AND revoked_at IS NULL ORDER BY id';
  return (cachedStatement(db, sql).all(taskId) as Row[]).map(fromRow);
}

/** The oldest live standing approval of the task that passes `gate`, if any. */
export function standingApprovalCovering(db: Db, taskId: string, gate: ApprovalGate): StandingApproval | undefined {
  return standingApprovalsForTask(db, taskId, false).find((a) => a.covers.includes(gate));
}

export function markStandingApprovalRevoked(db: Db, id: number, actor: Actor, at: number): void {
  cachedStatement(db, 'UPDATE standing_approvals SET revoked_at = ?, revoked_by_json = ? WHERE id = ? AND revoked_at IS NULL').run(
    at,
    JSON.stringify(actor),
    id,
  );
}
