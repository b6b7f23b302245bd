import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findInlineSql } from './sql-home';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx|mts)$/.test(d.name) ? [p] : [];
  });
}

describe('SQL lives in the query files per table', () => {
  it('no main-process or command-line source outside db/ writes SQL', () => {
    const root = join(import.meta.dirname, '..');
    const files = sourceFiles(join(root, 'src'));
    expect(files.length).toBeGreaterThan(20);
    const problems = files.flatMap((f) => findInlineSql(relative(root, f), readFileSync(f, 'utf8')));
    expect(problems).toEqual([]);
  });

  it.each([
    ['src/main/core/metrics/metrics-service.ts', "const n = db.prepare('SELECT COUNT(*) AS n FROM tasks').get();", /metrics-service.ts:1: SQL outside/],
    ['src/main/core/tools/store.ts', 'const SQL = `INSERT INTO tool_grants (tool) VALUES (?)`;', /SQL outside/],
    ['src/main/core/workspace/x.ts', "this.db.exec('CREATE TABLE t (a)');", /SQL outside/],
    ['src/main/core/provenance/x.ts', 'const rows = db.prepare(sql).all(taskId);', /SQL outside/],
    ['src/main/core/models/x.ts', "cachedStatement(db, 'DELETE FROM models WHERE name = ?');", /SQL outside/],
    ['src/main/server/x.ts', "const q = 'UPDATE tasks SET state = ?';", /SQL outside/],
    ['src/cli/x.ts', "const q = 'WITH recent AS (SELECT 1) SELECT * FROM recent';", /SQL outside/],
  ])('catches SQL planted in %s', (file, source, message) => {
    expect(findInlineSql(file, source).join('\n')).toMatch(message);
  });

  it('lets SQL stay in db/, the explorer, tests and testing helpers, and leaves regular expressions alone', () => {
    const sql = "db.prepare('SELECT * FROM tasks').all();";
    expect(findInlineSql('src/main/core/db/queries/tasks.ts', sql)).toEqual([]);
    expect(findInlineSql('src/main/core/db/migrations/0001_init.ts', "export const sql = 'CREATE TABLE tasks (id TEXT)';")).toEqual([]);
    expect(findInlineSql('src/main/core/explorer/sql.ts', 'const page = `SELECT * FROM t LIMIT ?`;')).toEqual([]);
    expect(findInlineSql('src/main/core/engine/engine.test.ts', sql)).toEqual([]);
    expect(findInlineSql('src/main/core/engine/testing/crash-child.ts', sql)).toEqual([]);
    expect(findInlineSql('src/main/core/x.ts', "const m = /^(\\d+)$/.exec(text); const run = this.prepare(taskId); const s = 'select a model';")).toEqual([]);
    expect(findInlineSql('src/renderer/src/x.tsx', '<SqlBox initialSql="SELECT 1" />')).toEqual([]);
  });
});
