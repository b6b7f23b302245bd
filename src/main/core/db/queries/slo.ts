import { z } from 'zod';
import { AlertHistoryEntry, AlertView, SloChange, SloDefinition } from '../../../../shared/channels/slo';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

/** Journal reads for the SLOs, their definitions, and alerts with their append-only history. */

export type JournalRow = { taskId: string; type: string; ts: number; payload: Record<string, unknown> };

/** Events of the given types with `from < ts <= to`, oldest first (served by the events(type, ts) index). */
export function eventsOfTypes(db: Db, types: readonly string[], from: number, to: number): JournalRow[] {
  const out: JournalRow[] = [];
  for (const type of types) {
    const rows = cachedStatement(db, 'SELECT task_id, type, ts, payload FROM events WHERE type = ? AND ts > ? AND ts <= ? ORDER BY seq').all(type, from, to) as Array<{
      task_id: string;
      type: string;
      ts: number;
      payload: string;
    }>;
    for (const r of rows) out.push({ taskId: r.task_id, type: r.type, ts: r.ts, payload: z.record(z.string(), z.unknown()).parse(JSON.parse(r.payload)) });
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** Events of the given types for the given tasks (any time), oldest first. */
export function eventsOfTasks(db: Db, taskIds: readonly string[], types: readonly string[]): JournalRow[] {
  const out: JournalRow[] = [];
  const stmt = cachedStatement(db, 'SELECT task_id, type, ts, payload FROM events WHERE task_id = ? AND type = ? ORDER BY seq');
  for (const id of new Set(taskIds)) {
    for (const type of types) {
      for (const r of stmt.all(id, type) as Array<{ task_id: string; type: string; ts: number; payload: string }>) {
        out.push({ taskId: r.task_id, type: r.type, ts: r.ts, payload: z.record(z.string(), z.unknown()).parse(JSON.parse(r.payload)) });
      }
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

export function readSloDefinitions(db: Db): SloDefinition[] {
  const rows = cachedStatement(db, 'SELECT definition_json FROM slo_definitions ORDER BY id').all() as Array<{ definition_json: string }>;
  return rows.map((r) => SloDefinition.parse(JSON.parse(r.definition_json)));
}

export function writeSloDefinition(db: Db, d: SloDefinition, now: number, by: string): void {
  cachedStatement(
    db,
    `INSERT INTO slo_definitions (id, definition_json, updated_at, updated_by) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET definition_json = excluded.definition_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(d.id, JSON.stringify(d), now, by);
}

/** Appends one change of a definition to its append-only history. */
export function appendSloChange(db: Db, ts: number, actor: string, before: SloDefinition | null, after: SloDefinition): void {
  cachedStatement(db, 'INSERT INTO slo_definition_history (ts, slo_id, actor, before_json, after_json) VALUES (?, ?, ?, ?, ?)').run(
    ts,
    after.id,
    actor,
    before ? JSON.stringify(before) : null,
    JSON.stringify(after),
  );
}

export function listSloChanges(db: Db, sloId: string | undefined, limit: number): SloChange[] {
  const rows = (
    sloId
      ? cachedStatement(db, 'SELECT * FROM slo_definition_history WHERE slo_id = ? ORDER BY seq DESC LIMIT ?').all(sloId, limit)
      : cachedStatement(db, 'SELECT * FROM slo_definition_history ORDER BY seq DESC LIMIT ?').all(limit)
  ) as Array<{ seq: number; ts: number; slo_id: string; actor: string; before_json: string | null; after_json: string }>;
  return rows.map((r) =>
    SloChange.parse({ seq: r.seq, ts: r.ts, sloId: r.slo_id, actor: r.actor, before: r.before_json ? JSON.parse(r.before_json) : null, after: JSON.parse(r.after_json) }),
  );
}

type AlertRow = {
  id: string;
  slo_id: string;
  rule: string;
  severity: 'page' | 'ticket';
  state: 'firing' | 'resolved';
  fired_at: number;
  resolved_at: number | null;
  summary: string;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  silenced_until: number | null;
  silenced_by: string | null;
};

const toView = (r: AlertRow): AlertView =>
  AlertView.parse({
    id: r.id,
    sloId: r.slo_id,
    rule: r.rule,
    severity: r.severity,
    state: r.state,
    firedAt: r.fired_at,
    resolvedAt: r.resolved_at,
    summary: r.summary,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: r.acknowledged_at,
    silencedUntil: r.silenced_until,
    silencedBy: r.silenced_by,
  });

export function getAlert(db: Db, id: string): AlertView | undefined {
  const r = cachedStatement(db, 'SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
  return r && toView(r);
}

export function firingAlert(db: Db, sloId: string, rule: string): AlertView | undefined {
  const r = cachedStatement(db, "SELECT * FROM alerts WHERE slo_id = ? AND rule = ? AND state = 'firing' ORDER BY fired_at DESC LIMIT 1").get(sloId, rule) as AlertRow | undefined;
  return r && toView(r);
}

/** The newest alert of an SLO rule, firing or not (a silence is kept on it). */
export function latestAlert(db: Db, sloId: string, rule: string): AlertView | undefined {
  const r = cachedStatement(db, 'SELECT * FROM alerts WHERE slo_id = ? AND rule = ? ORDER BY fired_at DESC LIMIT 1').get(sloId, rule) as AlertRow | undefined;
  return r && toView(r);
}

export function listAlertRows(db: Db, state: 'firing' | 'resolved' | 'all', limit: number): AlertView[] {
  const rows = (
    state === 'all'
      ? cachedStatement(db, 'SELECT * FROM alerts ORDER BY fired_at DESC LIMIT ?').all(limit)
      : cachedStatement(db, 'SELECT * FROM alerts WHERE state = ? ORDER BY fired_at DESC LIMIT ?').all(state, limit)
  ) as AlertRow[];
  return rows.map(toView);
}

export function insertAlert(db: Db, a: AlertView): void {
  cachedStatement(
    db,
    `INSERT INTO alerts (id, slo_id, rule, severity, state, fired_at, resolved_at, summary, acknowledged_by, acknowledged_at, silenced_until, silenced_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(a.id, a.sloId, a.rule, a.severity, a.state, a.firedAt, a.resolvedAt, a.summary, a.acknowledgedBy, a.acknowledgedAt, a.silencedUntil, a.silencedBy);
}

export function resolveAlertRow(db: Db, id: string, at: number): void {
  cachedStatement(db, "UPDATE alerts SET state = 'resolved', resolved_at = ? WHERE id = ? AND state = 'firing'").run(at, id);
}

export function acknowledgeAlertRow(db: Db, id: string, by: string, at: number): void {
  cachedStatement(db, 'UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?').run(by, at, id);
}

export function silenceAlertRow(db: Db, id: string, by: string, until: number): void {
  cachedStatement(db, 'UPDATE alerts SET silenced_by = ?, silenced_until = ? WHERE id = ?').run(by, until, id);
}

export function appendAlertHistory(db: Db, ts: number, alertId: string, kind: AlertHistoryEntry['kind'], actor: string | null, detail: Record<string, unknown>): void {
  cachedStatement(db, 'INSERT INTO alert_history (ts, alert_id, kind, actor, detail_json) VALUES (?, ?, ?, ?, ?)').run(ts, alertId, kind, actor, JSON.stringify(detail));
}

export function listAlertHistory(db: Db, limit: number): AlertHistoryEntry[] {
  const rows = cachedStatement(db, 'SELECT * FROM alert_history ORDER BY seq DESC LIMIT ?').all(limit) as Array<{
    seq: number;
    ts: number;
    alert_id: string;
    kind: AlertHistoryEntry['kind'];
    actor: string | null;
    detail_json: string;
  }>;
  return rows.map((r) => AlertHistoryEntry.parse({ seq: r.seq, ts: r.ts, alertId: r.alert_id, kind: r.kind, actor: r.actor, detail: JSON.parse(r.detail_json) }));
}

export function countAlertsFired(db: Db): Array<{ sloId: string; n: number }> {
  return (cachedStatement(db, 'SELECT slo_id AS sloId, COUNT(*) AS n FROM alerts GROUP BY slo_id').all() as Array<{ sloId: string; n: number }>);
}
