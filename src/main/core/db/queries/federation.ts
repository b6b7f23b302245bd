import { z } from 'zod';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

/** Federation: the append-only log, this installation's membership, and the coordinator's records. */

export type FederationLogEntry = { seq: number; ts: number; kind: string; detail: Record<string, unknown> };

export function appendFederationLog(db: Db, ts: number, kind: string, detail: Record<string, unknown>): void {
  cachedStatement(db, 'INSERT INTO federation_log (ts, kind, detail_json) VALUES (?, ?, ?)').run(ts, kind, JSON.stringify(detail));
}

export function listFederationLog(db: Db, opts: { since?: number; until?: number; limit?: number } = {}): FederationLogEntry[] {
  const rows = cachedStatement(db, 'SELECT * FROM federation_log WHERE ts >= ? AND ts <= ? ORDER BY seq DESC LIMIT ?').all(
    opts.since ?? 0,
    opts.until ?? Number.MAX_SAFE_INTEGER,
    opts.limit ?? 200,
  ) as Array<{ seq: number; ts: number; kind: string; detail_json: string }>;
  return rows.map((r) => ({ seq: r.seq, ts: r.ts, kind: r.kind, detail: z.record(z.string(), z.unknown()).parse(JSON.parse(r.detail_json)) }));
}

export type Membership = {
  coordinatorUrl: string;
  coordinatorKey: string;
  federationId: string;
  name: string;
  policy: Record<string, unknown>;
  joinedAt: number;
  leftAt: number | null;
  periodStart: number;
  rhoSpent: number;
  rounds: number;
};

type MembershipRow = {
  coordinator_url: string;
  coordinator_key: string;
  federation_id: string;
  name: string;
  policy_json: string;
  joined_at: number;
  left_at: number | null;
  period_start: number;
  rho_spent: number;
  rounds: number;
};

export function readMembership(db: Db): Membership | undefined {
  const r = cachedStatement(db, 'SELECT * FROM federation_membership WHERE id = 1').get() as MembershipRow | undefined;
  if (!r) return undefined;
  return {
    coordinatorUrl: r.coordinator_url,
    coordinatorKey: r.coordinator_key,
    federationId: r.federation_id,
    name: r.name,
    policy: z.record(z.string(), z.unknown()).parse(JSON.parse(r.policy_json)),
    joinedAt: r.joined_at,
    leftAt: r.left_at,
    periodStart: r.period_start,
    rhoSpent: r.rho_spent,
    rounds: r.rounds,
  };
}

export function writeMembership(db: Db, m: Membership): void {
  cachedStatement(
    db,
    `INSERT INTO federation_membership (id, coordinator_url, coordinator_key, federation_id, name, policy_json, joined_at, left_at, period_start, rho_spent, rounds)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET coordinator_url = excluded.coordinator_url, coordinator_key = excluded.coordinator_key,
       federation_id = excluded.federation_id, name = excluded.name, policy_json = excluded.policy_json, joined_at = excluded.joined_at,
       left_at = excluded.left_at, period_start = excluded.period_start, rho_spent = excluded.rho_spent, rounds = excluded.rounds`,
  ).run(m.coordinatorUrl, m.coordinatorKey, m.federationId, m.name, JSON.stringify(m.policy), m.joinedAt, m.leftAt, m.periodStart, m.rhoSpent, m.rounds);
}

export type RosterStatus = 'active' | 'revoked' | 'left';
export type RosterEntry = { memberKey: string; name: string; status: RosterStatus; joinedAt: number; changedAt: number };

export function listRoster(db: Db): RosterEntry[] {
  const rows = cachedStatement(db, 'SELECT * FROM federation_roster ORDER BY joined_at, member_key').all() as Array<{
    member_key: string;
    name: string;
    status: RosterStatus;
    joined_at: number;
    changed_at: number;
  }>;
  return rows.map((r) => ({ memberKey: r.member_key, name: r.name, status: r.status, joinedAt: r.joined_at, changedAt: r.changed_at }));
}

export function upsertRosterEntry(db: Db, e: RosterEntry): void {
  cachedStatement(
    db,
    `INSERT INTO federation_roster (member_key, name, status, joined_at, changed_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (member_key) DO UPDATE SET name = excluded.name, status = excluded.status, changed_at = excluded.changed_at`,
  ).run(e.memberKey, e.name, e.status, e.joinedAt, e.changedAt);
}

export type Invitation = { id: string; name: string; expiresAt: number; usedBy: string | null };

export function insertInvitation(db: Db, inv: Invitation): void {
  cachedStatement(db, 'INSERT INTO federation_invitations (id, name, expires_at, used_by) VALUES (?, ?, ?, ?)').run(inv.id, inv.name, inv.expiresAt, inv.usedBy);
}

export function getInvitation(db: Db, id: string): Invitation | undefined {
  const r = cachedStatement(db, 'SELECT * FROM federation_invitations WHERE id = ?').get(id) as
    | { id: string; name: string; expires_at: number; used_by: string | null }
    | undefined;
  return r && { id: r.id, name: r.name, expiresAt: r.expires_at, usedBy: r.used_by };
}

export function markInvitationUsed(db: Db, id: string, memberKey: string): boolean {
  return cachedStatement(db, 'UPDATE federation_invitations SET used_by = ? WHERE id = ? AND used_by IS NULL').run(memberKey, id).changes === 1;
}

export type RoundRecord = {
  id: string;
  openedAt: number;
  closedAt: number | null;
  outcome: 'done' | 'failed' | null;
  participants: number;
  dropped: number;
  detail: Record<string, unknown>;
};

export function upsertRound(db: Db, r: RoundRecord): void {
  cachedStatement(
    db,
    `INSERT INTO federation_rounds (id, opened_at, closed_at, outcome, participants, dropped, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET closed_at = excluded.closed_at, outcome = excluded.outcome, participants = excluded.participants,
       dropped = excluded.dropped, detail_json = excluded.detail_json`,
  ).run(r.id, r.openedAt, r.closedAt, r.outcome, r.participants, r.dropped, JSON.stringify(r.detail));
}

export function listRounds(db: Db, limit = 50): RoundRecord[] {
  const rows = cachedStatement(db, 'SELECT * FROM federation_rounds ORDER BY opened_at DESC LIMIT ?').all(limit) as Array<{
    id: string;
    opened_at: number;
    closed_at: number | null;
    outcome: 'done' | 'failed' | null;
    participants: number;
    dropped: number;
    detail_json: string;
  }>;
  return rows.map((r) => ({
    id: r.id,
    openedAt: r.opened_at,
    closedAt: r.closed_at,
    outcome: r.outcome,
    participants: r.participants,
    dropped: r.dropped,
    detail: z.record(z.string(), z.unknown()).parse(JSON.parse(r.detail_json)),
  }));
}
