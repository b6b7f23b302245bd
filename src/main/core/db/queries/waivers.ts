import { z } from 'zod';
import { GateName } from '../../../../shared/domain/governance';
import type { Db } from '../open';

/** A waiver as stored: no status column, since status depends on the clock. */
export type WaiverRecord = {
  id: string;
  title: string;
  gates: GateName[];
  reason: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  approver: string | null;
  approvedAt: number | null;
  /** The channel the approval came through (window, menu-bar, cli, api…). */
  approverVia: string | null;
  /** The operating-system user the app ran as when it was approved. */
  approverOsUser: string | null;
  revokedAt: number | null;
  revokedBy: string | null;
  revokeReason: string | null;
  specId: string | null;
  maxUses: number | null;
  budgetDelta: { files: number; lines: number } | null;
};

type Row = {
  id: string;
  title: string;
  gates: string;
  reason: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  approver: string | null;
  approved_at: number | null;
  approver_via: string | null;
  approver_os_user: string | null;
  revoked_at: number | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  spec_id: string | null;
  max_uses: number | null;
  delta_files: number | null;
  delta_lines: number | null;
};

const Gates = z.array(GateName);

function fromRow(r: Row): WaiverRecord {
  return {
    id: r.id,
    title: r.title,
    gates: Gates.parse(JSON.parse(r.gates)),
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    approver: r.approver,
    approvedAt: r.approved_at,
    approverVia: r.approver_via ?? null,
    approverOsUser: r.approver_os_user ?? null,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    revokeReason: r.revoke_reason,
    specId: r.spec_id,
    maxUses: r.max_uses,
    budgetDelta: r.delta_files === null && r.delta_lines === null ? null : { files: r.delta_files ?? 0, lines: r.delta_lines ?? 0 },
  };
}

/** Next id in the CAWS form WV-0001, WV-0002, …; call inside the inserting transaction. */
export function nextWaiverId(db: Db): string {
  const row = db.prepare("SELECT MAX(CAST(substr(id, 4) AS INTEGER)) AS n FROM waivers WHERE id LIKE 'WV-%'").get() as { n: number | null };
  return `WV-${String((row.n ?? 0) + 1).padStart(4, '0')}`;
}

export function insertWaiver(db: Db, w: WaiverRecord): void {
  db.prepare(
    `INSERT INTO waivers (id, title, gates, reason, created_by, created_at, expires_at, approver, approved_at,
       revoked_at, revoked_by, revoke_reason, spec_id, max_uses, delta_files, delta_lines)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    w.id,
    w.title,
    JSON.stringify(w.gates),
    w.reason,
    w.createdBy,
    w.createdAt,
    w.expiresAt,
    w.approver,
    w.approvedAt,
    w.revokedAt,
    w.revokedBy,
    w.revokeReason,
    w.specId,
    w.maxUses,
    w.budgetDelta?.files ?? null,
    w.budgetDelta?.lines ?? null,
  );
}

export function getWaiver(db: Db, id: string): WaiverRecord | undefined {
  const row = db.prepare('SELECT * FROM waivers WHERE id = ?').get(id) as Row | undefined;
  return row ? fromRow(row) : undefined;
}

export function listWaivers(db: Db): WaiverRecord[] {
  return (db.prepare('SELECT * FROM waivers ORDER BY created_at DESC, id DESC').all() as Row[]).map(fromRow);
}

export function markWaiverApproved(db: Db, id: string, approver: { who: string; via: string; osUser: string }, at: number): void {
  db.prepare('UPDATE waivers SET approver = ?, approver_via = ?, approver_os_user = ?, approved_at = ? WHERE id = ?').run(approver.who, approver.via, approver.osUser, at, id);
}

export function markWaiverRevoked(db: Db, id: string, by: string, reason: string, at: number): void {
  db.prepare('UPDATE waivers SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?').run(at, by, reason, id);
}

export function countWaiverUses(db: Db, id: string): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM waiver_uses WHERE waiver_id = ?').get(id) as { n: number }).n;
}

export function findWaiverUse(db: Db, waiverId: string, taskId: string, gate: string): { usedAt: number } | undefined {
  const row = db.prepare('SELECT used_at FROM waiver_uses WHERE waiver_id = ? AND task_id = ? AND gate = ?').get(waiverId, taskId, gate) as
    | { used_at: number }
    | undefined;
  return row ? { usedAt: row.used_at } : undefined;
}

export function insertWaiverUse(db: Db, use: { waiverId: string; taskId: string; gate: string; detail: string; usedAt: number }): void {
  db.prepare('INSERT INTO waiver_uses (waiver_id, task_id, gate, detail, used_at) VALUES (?, ?, ?, ?, ?)').run(
    use.waiverId,
    use.taskId,
    use.gate,
    use.detail,
    use.usedAt,
  );
}

export function waiverUsesForTask(db: Db, taskId: string): { waiverId: string; gate: string; detail: string; usedAt: number }[] {
  const rows = db.prepare('SELECT waiver_id, gate, detail, used_at FROM waiver_uses WHERE task_id = ? ORDER BY seq').all(taskId) as {
    waiver_id: string;
    gate: string;
    detail: string;
    used_at: number;
  }[];
  return rows.map((r) => ({ waiverId: r.waiver_id, gate: r.gate, detail: r.detail, usedAt: r.used_at }));
}
