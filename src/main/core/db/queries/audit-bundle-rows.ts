import type { Db } from '../open';

/**
 * What an audit bundle reads from tables other areas own, in one place. Those tables are young and
 * may not exist in a given database (or may gain and lose columns): every query here treats "no
 * such table" and "no such column" as an empty result, so a bundle can always be made from what is
 * there. Rows come back raw (provenance/bundle-sources.ts turns them into JSON). Adjust the SQL here
 * when one of these schemas changes.
 */

export type BundleTableSection = 'verdicts' | 'votes' | 'approvals' | 'gateResults' | 'waivers' | 'claims';

/** Rows of the governance and engine tables per bundle section. `?` is the task id. */
const TABLE_QUERIES: Record<BundleTableSection, { table: string; sql: string }[]> = {
  verdicts: [{ table: 'verdicts', sql: 'SELECT * FROM verdicts WHERE task_id = ? ORDER BY created_at, id' }],
  votes: [
    {
      table: 'votes',
      sql: `SELECT votes.* FROM votes JOIN verdicts ON verdicts.id = votes.verdict_id
            WHERE verdicts.task_id = ? ORDER BY verdicts.created_at, votes.seq`,
    },
  ],
  approvals: [{ table: 'task_approvals', sql: 'SELECT * FROM task_approvals WHERE task_id = ? ORDER BY id' }],
  gateResults: [{ table: 'gate_results', sql: 'SELECT * FROM gate_results WHERE task_id = ? ORDER BY seq' }],
  waivers: [
    {
      table: 'waiver_uses',
      sql: `SELECT waiver_uses.*, waivers.title AS waiver_title, waivers.reason AS waiver_reason,
                   waivers.approver AS waiver_approver, waivers.expires_at AS waiver_expires_at
            FROM waiver_uses LEFT JOIN waivers ON waivers.id = waiver_uses.waiver_id
            WHERE waiver_uses.task_id = ? ORDER BY waiver_uses.seq`,
    },
  ],
  // The claim table (worker and judges, each with its verdict and evidence) and each criterion's standing.
  claims: [
    { table: 'task_claims', sql: 'SELECT * FROM task_claims WHERE task_id = ? ORDER BY id' },
    { table: 'task_criteria', sql: 'SELECT * FROM task_criteria WHERE task_id = ? ORDER BY id' },
  ],
};

export type RawRow = Record<string, unknown>;

/** A section's table rows for a task, each with the table it came from. */
export function bundleTableRows(db: Db, section: BundleTableSection, taskId: string): { table: string; row: RawRow }[] {
  return TABLE_QUERIES[section].flatMap(({ table, sql }) => tolerantRows(db, sql, taskId).map((row) => ({ table, row })));
}

/** The working spec: the task's latest spec version (spec_id, version, yaml, source). */
export function latestSpecRow(db: Db, taskId: string): RawRow | undefined {
  return tolerantRows(db, 'SELECT spec_id, version, yaml, source FROM specs WHERE task_id = ? ORDER BY version DESC LIMIT 1', taskId)[0];
}

/** The table the bundle's patch is read from. */
export const PATCH_TABLE = 'task_patches';

/** The patch a task produced (kept by the workspace for dry-runs and applies): the latest one's bytes. */
export function latestPatchBytes(db: Db, taskId: string): unknown {
  return tolerantRows(db, `SELECT patch FROM ${PATCH_TABLE} WHERE task_id = ? ORDER BY id DESC LIMIT 1`, taskId)[0]?.['patch'];
}

/** The model registry's row for a name: the file's sha256, and its GGUF facts (JSON text). */
export function modelIdentityRow(db: Db, name: string): RawRow | undefined {
  return tolerantRows(db, 'SELECT sha256, facts FROM models WHERE name = ? LIMIT 1', name)[0];
}

/** A query's rows; a table or column that does not exist yields none. */
function tolerantRows(db: Db, sql: string, param: string): RawRow[] {
  try {
    return db.prepare(sql).all(param) as RawRow[];
  } catch (e) {
    if (e instanceof Error && /no such (table|column)/.test(e.message)) return [];
    throw e;
  }
}
