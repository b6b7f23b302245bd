import { z } from 'zod';
import { ToolPermission, ToolServerConfig, type ToolGrant } from '../../../../shared/channels/tools';
import { Actor } from '../../../../shared/domain/events';
import type { Logger } from '../../observability/logger';
import type { Db } from '../open';

/** Queries of the tool tables (migration 0009). JSON columns are parsed like any untrusted input. */

// ---- servers -----------------------------------------------------------------------------------

export function storedServers(db: Db, logger: Logger): ToolServerConfig[] {
  const rows = db.prepare('SELECT name, config FROM tool_servers ORDER BY name').all() as { name: string; config: string }[];
  const out: ToolServerConfig[] = [];
  for (const row of rows) {
    const parsed = ToolServerConfig.safeParse(safeJson(row.config));
    if (parsed.success && parsed.data.name === row.name) out.push(parsed.data);
    else logger.warn({ server: row.name }, 'stored tool server configuration is invalid; ignoring it');
  }
  return out;
}

export function hasStoredServer(db: Db, name: string): boolean {
  return db.prepare('SELECT 1 FROM tool_servers WHERE name = ?').get(name) !== undefined;
}

export function upsertServer(db: Db, config: ToolServerConfig, by: string, at: number): void {
  db.prepare(
    `INSERT INTO tool_servers (name, config, updated_at, updated_by) VALUES (?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(config.name, JSON.stringify(config), at, by);
}

export function deleteServer(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM tool_servers WHERE name = ?').run(name).changes > 0;
}

// ---- permissions and preferences ---------------------------------------------------------------

/** '' in the tool column is the server's own default. */
export const SERVER_DEFAULT = '';

export type PermissionTable = Map<string, Map<string, ToolPermission>>;

export function permissions(db: Db): PermissionTable {
  const rows = db.prepare('SELECT server, tool, permission FROM tool_permissions').all() as { server: string; tool: string; permission: string }[];
  const table: PermissionTable = new Map();
  for (const r of rows) {
    const p = ToolPermission.safeParse(r.permission);
    if (!p.success) continue;
    let forServer = table.get(r.server);
    if (!forServer) table.set(r.server, (forServer = new Map()));
    forServer.set(r.tool, p.data);
  }
  return table;
}

export function setPermission(db: Db, server: string, tool: string, permission: ToolPermission | null, by: string, at: number): void {
  if (permission === null) {
    db.prepare('DELETE FROM tool_permissions WHERE server = ? AND tool = ?').run(server, tool);
    return;
  }
  db.prepare(
    `INSERT INTO tool_permissions (server, tool, permission, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(server, tool) DO UPDATE SET permission = excluded.permission, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(server, tool, permission, at, by);
}

export function preferences(db: Db): Map<string, string> {
  const rows = db.prepare('SELECT name, server FROM tool_preferences').all() as { name: string; server: string }[];
  return new Map(rows.map((r) => [r.name, r.server]));
}

export function setPreference(db: Db, name: string, server: string | null, by: string, at: number): void {
  if (server === null) {
    db.prepare('DELETE FROM tool_preferences WHERE name = ?').run(name);
    return;
  }
  db.prepare(
    `INSERT INTO tool_preferences (name, server, updated_at, updated_by) VALUES (?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET server = excluded.server, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(name, server, at, by);
}

// ---- grants ------------------------------------------------------------------------------------

type GrantRow = {
  id: number;
  tool: string;
  scope: string;
  task_id: string | null;
  actor_json: string;
  created_at: number;
  revoked_at: number | null;
  revoked_by_json: string | null;
};

const Scope = z.enum(['task', 'always']);

function grantFromRow(r: GrantRow): ToolGrant {
  return {
    id: r.id,
    tool: r.tool,
    scope: Scope.parse(r.scope),
    taskId: r.task_id,
    actor: Actor.parse(safeJson(r.actor_json)),
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by_json === null ? null : Actor.parse(safeJson(r.revoked_by_json)),
  };
}

export function insertGrant(db: Db, g: { tool: string; scope: 'task' | 'always'; taskId: string | null; actor: Actor; at: number }): ToolGrant {
  const info = db
    .prepare('INSERT INTO tool_grants (tool, scope, task_id, actor_json, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(g.tool, g.scope, g.scope === 'task' ? g.taskId : null, JSON.stringify(g.actor), g.at);
  return getGrant(db, Number(info.lastInsertRowid))!;
}

export function getGrant(db: Db, id: number): ToolGrant | undefined {
  const row = db.prepare('SELECT * FROM tool_grants WHERE id = ?').get(id) as GrantRow | undefined;
  return row ? grantFromRow(row) : undefined;
}

/** The live grant that covers `tool` in `taskId`, preferring the narrower one. */
export function liveGrant(db: Db, tool: string, taskId: string): ToolGrant | undefined {
  const row = db
    .prepare(
      `SELECT * FROM tool_grants WHERE tool = ? AND revoked_at IS NULL
         AND (scope = 'always' OR (scope = 'task' AND task_id = ?))
       ORDER BY CASE scope WHEN 'task' THEN 0 ELSE 1 END, id DESC LIMIT 1`,
    )
    .get(tool, taskId) as GrantRow | undefined;
  return row ? grantFromRow(row) : undefined;
}

export function listGrants(db: Db, filter: { taskId?: string | undefined; includeRevoked: boolean }): ToolGrant[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.taskId) {
    where.push("(task_id = ? OR scope = 'always')");
    args.push(filter.taskId);
  }
  if (!filter.includeRevoked) where.push('revoked_at IS NULL');
  const sql = `SELECT * FROM tool_grants ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT 1000`;
  return (db.prepare(sql).all(...args) as GrantRow[]).map(grantFromRow);
}

export function revokeGrant(db: Db, id: number, by: Actor, at: number): boolean {
  return db.prepare('UPDATE tool_grants SET revoked_at = ?, revoked_by_json = ? WHERE id = ? AND revoked_at IS NULL').run(at, JSON.stringify(by), id).changes > 0;
}

// ---- calls waiting on a human ------------------------------------------------------------------

export type ToolRequest = { taskId: string; fingerprint: string; tool: string; arguments: unknown; requestedAt: number };

export function recordRequest(db: Db, r: { taskId: string; fingerprint: string; tool: string; argumentsJson: string; at: number }): void {
  db.prepare(
    `INSERT INTO tool_requests (task_id, fingerprint, tool, arguments, requested_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(task_id, fingerprint) DO NOTHING`,
  ).run(r.taskId, r.fingerprint, r.tool, r.argumentsJson, r.at);
}

export function getRequest(db: Db, taskId: string, fingerprint: string): ToolRequest | undefined {
  const row = db.prepare('SELECT * FROM tool_requests WHERE task_id = ? AND fingerprint = ?').get(taskId, fingerprint) as
    | { task_id: string; fingerprint: string; tool: string; arguments: string; requested_at: number }
    | undefined;
  return row ? { taskId: row.task_id, fingerprint: row.fingerprint, tool: row.tool, arguments: safeJson(row.arguments), requestedAt: row.requested_at } : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
