import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testCore, tempDir } from '../../../../test/helpers';
import { ListExplorerRowsInput, RunExplorerQueryInput } from '../../../shared/channels/explorer';
import { AppFailure } from '../../../shared/errors';
import { openReadOnly } from '../db/open';
import { dataFiles } from '../paths';
import { silentLogger } from '../observability/logger';
import { systemClock } from '../journal/journal';
import { ExplorerService } from './explorer-service';

let core: ReturnType<typeof testCore>;
let explorer: ExplorerService;
let scratch: ReturnType<typeof tempDir>;

beforeEach(() => {
  core = testCore({ scheduler: { autoStart: false } });
  scratch = tempDir('aa-explorer-');
  for (let i = 0; i < 7; i++) core.tasks.submit({ description: `task number ${i}`, repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: i % 2 ? 'high' : 'low', maxIterations: 5 });
  explorer = new ExplorerService({ file: dataFiles(core.dataDir).database, logger: silentLogger(), clock: systemClock });
});

afterEach(async () => {
  await explorer.close();
  core.cleanup();
  scratch.cleanup();
});

const rows = (input: Parameters<typeof ListExplorerRowsInput.parse>[0]) => explorer.listRows(ListExplorerRowsInput.parse(input));
const query = (sql: string, extra: { rowLimit?: number; timeLimitMs?: number } = {}) => explorer.runQuery(RunExplorerQueryInput.parse({ sql, ...extra }));

async function failure(p: Promise<unknown>): Promise<AppFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppFailure) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('explorer: schema and rows', () => {
  it('lists tables with row counts and their columns', async () => {
    const tables = await explorer.listTables();
    const tasks = tables.find((t) => t.name === 'tasks');
    expect(tasks).toMatchObject({ kind: 'table', rowCount: 7 });
    expect(tasks?.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['id', 'description', 'state_kind']));
    expect(tasks?.columns.find((c) => c.name === 'id')).toMatchObject({ primaryKey: 1, type: 'TEXT' });
    expect(tables.find((t) => t.name === 'events')?.rowCount).toBeGreaterThanOrEqual(7);
    expect(tables.some((t) => t.name.startsWith('sqlite_'))).toBe(false);
  });

  it('reads sqlite-vec tables (the query process loads the extension)', async () => {
    core.db.exec('CREATE VIRTUAL TABLE vec_embeddings_4 USING vec0(embedding float[4])');
    core.db.prepare('INSERT INTO vec_embeddings_4 (rowid, embedding) VALUES (1, ?)').run(new Float32Array([1, 0, 0, 0]));
    const table = (await explorer.listTables()).find((t) => t.name === 'vec_embeddings_4');
    expect(table).toMatchObject({ kind: 'virtual', rowCount: 1 });
    const r = await query("SELECT rowid, vec_length(embedding) FROM vec_embeddings_4");
    expect(r.rows).toEqual([[1, 4]]);
  });

  it('pages, sorts and filters rows with values bound as parameters', async () => {
    const first = await rows({ table: 'tasks', limit: 3, offset: 0, sort: { column: 'description', direction: 'asc' } });
    const descIndex = first.columns.indexOf('description');
    expect(first.total).toBe(7);
    expect(first.rows.map((r) => r[descIndex])).toEqual(['task number 0', 'task number 1', 'task number 2']);
    const last = await rows({ table: 'tasks', limit: 3, offset: 6, sort: { column: 'description', direction: 'asc' } });
    expect(last.rows.map((r) => r[descIndex])).toEqual(['task number 6']);
    const desc = await rows({ table: 'tasks', limit: 1, sort: { column: 'description', direction: 'desc' } });
    expect(desc.rows[0]![descIndex]).toBe('task number 6');

    const high = await rows({ table: 'tasks', filters: [{ column: 'priority', op: 'eq', value: 'high' }] });
    expect(high.total).toBe(3);
    const like = await rows({ table: 'tasks', filters: [{ column: 'description', op: 'contains', value: 'number 4' }] });
    expect(like.rows).toHaveLength(1);
    // A value is data, never SQL: this matches nothing and changes nothing.
    const injected = await rows({ table: 'tasks', filters: [{ column: 'description', op: 'eq', value: "x'; DROP TABLE tasks; --" }] });
    expect(injected.total).toBe(0);
    // "_" and "%" in a contains filter are literal characters.
    expect((await rows({ table: 'tasks', filters: [{ column: 'description', op: 'contains', value: '_' }] })).total).toBe(0);
    expect((await rows({ table: 'tasks' })).total).toBe(7);
  });

  it('refuses columns and tables that are not in the schema', async () => {
    const badSort = await failure(rows({ table: 'tasks', sort: { column: 'id; DROP TABLE tasks', direction: 'asc' } }));
    expect(badSort.code).toBe('invalid_input');
    expect(badSort.issues?.[0]?.path).toBe('sort.column');
    const badFilter = await failure(rows({ table: 'tasks', filters: [{ column: '1=1 OR id', op: 'eq', value: 1 }] }));
    expect(badFilter.issues?.[0]?.path).toBe('filters[0].column');
    expect((await failure(rows({ table: 'nope' }))).code).toBe('not_found');
  });
});

describe('explorer: SQL box', () => {
  it('runs a query and stops at the row limit', async () => {
    const r = await query('SELECT id, description FROM tasks ORDER BY description', { rowLimit: 5 });
    expect(r.columns).toEqual(['id', 'description']);
    expect(r.rows).toHaveLength(5);
    expect(r.truncated).toBe(true);
    const all = await query('SELECT count(*) AS n, x\'00ff\' AS b, 9007199254740993 AS big FROM tasks');
    expect(all.rows[0]).toEqual([7, { blob: 2 }, '9007199254740993']);
    expect(all.truncated).toBe(false);
  });

  it('reports SQL errors as invalid input', async () => {
    const e = await failure(query('SELEC nothing'));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toMatch(/syntax error/);
  });

  it('cannot write: every kind of write is refused and the database is unchanged', async () => {
    const before = await query("SELECT (SELECT count(*) FROM tasks), (SELECT count(*) FROM events), (SELECT group_concat(name) FROM sqlite_schema)");
    const attached = join(scratch.dir, 'attached.db');
    const vacuumed = join(scratch.dir, 'copy.db');
    const attempts = [
      "INSERT INTO tasks (id) VALUES ('tsk_zzzzzzzzzz')",
      "UPDATE tasks SET description = 'pwned'",
      'DELETE FROM tasks',
      'DROP TABLE tasks',
      'CREATE TABLE evil (x INTEGER)',
      'ALTER TABLE tasks ADD COLUMN evil TEXT',
      'CREATE INDEX evil ON tasks(description)',
      `ATTACH DATABASE '${attached}' AS other`,
      'PRAGMA user_version = 999',
      'PRAGMA query_only = OFF',
      'PRAGMA journal_mode = DELETE',
      `VACUUM INTO '${vacuumed}'`,
      'VACUUM',
      'REINDEX',
      'BEGIN IMMEDIATE',
      // Returns rows, so it reaches SQLite, which refuses to write on this connection.
      "DELETE FROM tasks RETURNING id",
      "UPDATE tasks SET description = 'pwned' RETURNING id",
      "SELECT load_extension('/tmp/nothing.so')",
    ];
    for (const sql of attempts) {
      const e = await failure(query(sql));
      expect([sql, e.code]).toEqual([sql, expect.stringMatching(/^(forbidden|invalid_input)$/)]);
    }
    const e = await failure(query('DELETE FROM tasks RETURNING id'));
    expect(e.message).toMatch(/readonly database/);
    expect(await query("SELECT (SELECT count(*) FROM tasks), (SELECT count(*) FROM events), (SELECT group_concat(name) FROM sqlite_schema)")).toMatchObject({ rows: before.rows });
    expect((await query('PRAGMA query_only')).rows).toEqual([[1]]);
    expect(existsSync(attached)).toBe(false);
    expect(existsSync(vacuumed)).toBe(false);
    expect(readdirSync(scratch.dir)).toEqual([]);
    expect(core.db.pragma('user_version', { simple: true })).not.toBe(999);
  });

  it('stops a runaway query at its time limit by killing the process, then keeps working', async () => {
    await query('SELECT 1');
    const pid = explorer.queryProcessId;
    expect(pid).toBeDefined();
    const started = Date.now();
    const e = await failure(
      query('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c', { timeLimitMs: 300 }),
    );
    expect(e.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect.poll(() => isAlive(pid!), { timeout: 5_000 }).toBe(false);
    expect((await query('SELECT count(*) FROM tasks')).rows).toEqual([[7]]);
    expect(explorer.queryProcessId).not.toBe(pid);
  });

  it('answers queries sent at once, one after the other', async () => {
    const results = await Promise.all([query('SELECT 1'), query('SELECT 2'), query('SELECT 3')]);
    expect(results.map((r) => r.rows[0]![0])).toEqual([1, 2, 3]);
  });
});

describe('openReadOnly (the catalogue connection)', () => {
  it('refuses writes and cannot create files by ATTACH', () => {
    const ro = openReadOnly(dataFiles(core.dataDir).database);
    try {
      for (const sql of ["INSERT INTO tasks (id) VALUES ('x')", 'UPDATE tasks SET progress = 1', 'DELETE FROM tasks', 'DROP TABLE tasks', 'PRAGMA user_version = 5']) {
        expect(() => ro.prepare(sql).run(), sql).toThrow(/readonly|read-only/i);
      }
      const target = join(scratch.dir, 'new.db');
      expect(() => ro.prepare(`ATTACH DATABASE '${target}' AS n`).run()).toThrow(/unable to open/);
      expect(existsSync(target)).toBe(false);
    } finally {
      ro.close();
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
