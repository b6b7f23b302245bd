import { z } from 'zod';
import type { Db } from '../open';

/**
 * Queries of `source_integrity_records` (migrations 5 and 27): hashes of the sources a task read and
 * wrote (workspace and repository files, attachments, knowledge-base chunks), and which of them each
 * claim was checked against (`task_claim_sources`). Records are append-only: a source that changed
 * is a later record of the same source with another hash.
 */

export const SourceIntegrityKind = z.enum(['read', 'written']);
export type SourceIntegrityKind = z.infer<typeof SourceIntegrityKind>;
export const SourceKind = z.enum(['workspace', 'repository', 'attachment', 'knowledge']);
export type SourceKind = z.infer<typeof SourceKind>;

/** The hash recorded for a file that is gone (a claim checked against it is stale). */
export const ABSENT_SHA256 = '0'.repeat(64);

export const SourceIntegrityRecord = z.object({
  id: z.number().int(),
  taskId: z.string(),
  path: z.string(),
  sha256: z.string(),
  kind: SourceIntegrityKind,
  recordedAt: z.number().int(),
  source: SourceKind.default('workspace'),
  location: z.string().nullable().default(null),
});
export type SourceIntegrityRecord = z.infer<typeof SourceIntegrityRecord>;
export type NewSourceIntegrity = Omit<SourceIntegrityRecord, 'id' | 'source' | 'location'> & { source?: SourceKind; location?: string | null };

type Row = { id: number; task_id: string; path: string; sha256: string; kind: string; recorded_at: number; source: string; location: string | null };
const COLUMNS = 'id, task_id, path, sha256, kind, recorded_at, source, location';
const parse = (r: Row): SourceIntegrityRecord =>
  SourceIntegrityRecord.parse({ id: r.id, taskId: r.task_id, path: r.path, sha256: r.sha256, kind: r.kind, recordedAt: r.recorded_at, source: r.source, location: r.location });

export function insertSourceIntegrity(db: Db, rec: NewSourceIntegrity): number {
  const info = db
    .prepare('INSERT INTO source_integrity_records (task_id, path, sha256, kind, recorded_at, source, location) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(rec.taskId, rec.path, rec.sha256, rec.kind, rec.recordedAt, rec.source ?? 'workspace', rec.location ?? null);
  return Number(info.lastInsertRowid);
}

export function sourceIntegrityForTask(db: Db, taskId: string): SourceIntegrityRecord[] {
  const rows = db.prepare(`SELECT ${COLUMNS} FROM source_integrity_records WHERE task_id = ? ORDER BY id`).all(taskId) as Row[];
  return rows.map(parse);
}

/** The latest record of one source of a task (the version last seen), if any. */
export function latestSourceRecord(db: Db, taskId: string, source: SourceKind, path: string, location: string | null): SourceIntegrityRecord | undefined {
  const row = db
    .prepare(`SELECT ${COLUMNS} FROM source_integrity_records WHERE task_id = ? AND source = ? AND path = ? AND location IS ? ORDER BY id DESC LIMIT 1`)
    .get(taskId, source, path, location) as Row | undefined;
  return row ? parse(row) : undefined;
}

/**
 * The record of this version of a source: the latest record of it when the hash is the same, else a
 * new `read` record. Returns its id.
 */
export function recordSourceVersion(db: Db, taskId: string, s: { source: SourceKind; path: string; sha256: string; location?: string | null | undefined }, now: number): number {
  const location = s.location ?? null;
  const latest = latestSourceRecord(db, taskId, s.source, s.path, location);
  if (latest && latest.sha256 === s.sha256) return latest.id;
  return insertSourceIntegrity(db, { taskId, path: s.path, sha256: s.sha256, kind: 'read', recordedAt: now, source: s.source, location });
}

export function linkClaimSource(db: Db, claimId: number, recordId: number): void {
  db.prepare('INSERT OR IGNORE INTO task_claim_sources (claim_id, record_id) VALUES (?, ?)').run(claimId, recordId);
}

/**
 * Each claim's sources with the version it was checked against and whether that source changed since:
 * stale when the latest record of the same source (task, kind of source, path, location) has another hash.
 */
export type ClaimSourceRow = { claimId: number; recordId: number; source: SourceKind; path: string; location: string | null; sha256: string; latestSha256: string; stale: boolean };

export function claimSourcesForTask(db: Db, taskId: string): ClaimSourceRow[] {
  const rows = db
    .prepare(
      `SELECT l.claim_id AS claimId, r.id AS recordId, r.source, r.path, r.location, r.sha256,
              (SELECT n.sha256 FROM source_integrity_records n
                WHERE n.task_id = r.task_id AND n.source = r.source AND n.path = r.path AND n.location IS r.location
                ORDER BY n.id DESC LIMIT 1) AS latestSha256
         FROM task_claim_sources l
         JOIN task_claims c ON c.id = l.claim_id
         JOIN source_integrity_records r ON r.id = l.record_id
        WHERE c.task_id = ?
        ORDER BY l.claim_id, r.id`,
    )
    .all(taskId) as (Omit<ClaimSourceRow, 'stale' | 'source'> & { source: string })[];
  return rows.map((r) => ({ ...r, source: SourceKind.parse(r.source), stale: r.latestSha256 !== r.sha256 }));
}

/** Claim ids linked to each record of a task (the audit bundle lists them with the record). */
export function claimIdsByRecord(db: Db, taskId: string): Map<number, number[]> {
  const rows = db
    .prepare('SELECT l.record_id AS recordId, l.claim_id AS claimId FROM task_claim_sources l JOIN source_integrity_records r ON r.id = l.record_id WHERE r.task_id = ? ORDER BY l.record_id, l.claim_id')
    .all(taskId) as { recordId: number; claimId: number }[];
  const out = new Map<number, number[]>();
  for (const r of rows) out.set(r.recordId, [...(out.get(r.recordId) ?? []), r.claimId]);
  return out;
}
