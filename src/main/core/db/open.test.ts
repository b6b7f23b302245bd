import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { AppFailure } from '../../../shared/errors';
import { silentLogger } from '../observability/logger';
import { MIGRATIONS } from './migrations';
import { openDatabase, openReadOnly } from './open';
import { insertEvent } from './queries/events';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function dbFile(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return join(t.dir, 'app.db');
}

describe('openDatabase', () => {
  it('creates a WAL database at the latest schema with sqlite-vec loaded', () => {
    const file = dbFile();
    const db = openDatabase({ file, logger: silentLogger() });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    expect((db.prepare('SELECT vec_version() AS v').get() as { v: string }).v).toMatch(/^v\d/);
    const strict = db.prepare("SELECT name, strict FROM pragma_table_list WHERE name IN ('tasks', 'events')").all();
    expect(strict).toEqual(expect.arrayContaining([{ name: 'tasks', strict: 1 }, { name: 'events', strict: 1 }]));
    db.close();
  });

  it('applies migrations once: reopening changes nothing', () => {
    const file = dbFile();
    openDatabase({ file, logger: silentLogger() }).close();
    const db = openDatabase({ file, logger: silentLogger() });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    db.close();
  });

  it('applies pending migrations in one transaction: a failing one leaves the old schema', () => {
    const file = dbFile();
    const first = [{ version: 1, name: 'a', sql: 'CREATE TABLE a (x INTEGER) STRICT;' }];
    openDatabase({ file, logger: silentLogger(), migrations: first }).close();
    const broken = [
      ...first,
      { version: 2, name: 'b', sql: 'CREATE TABLE b (x INTEGER) STRICT;' },
      { version: 3, name: 'c', sql: 'CREATE TABLE c (x INTEGER STRICT;' },
    ];
    expect(() => openDatabase({ file, logger: silentLogger(), migrations: broken })).toThrow(AppFailure);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    raw.close();
  });

  it('refuses a database written by a newer version and leaves it untouched', () => {
    const file = dbFile();
    const raw = new Database(file);
    raw.pragma('user_version = 999');
    raw.close();
    const before = readFileSync(file);
    expect(() => openDatabase({ file, logger: silentLogger() })).toThrow(/newer than this app understands/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a file that is not a database and never overwrites it', () => {
    const file = dbFile();
    const junk = Buffer.from('this is my thesis, not a database\n'.repeat(200));
    writeFileSync(file, junk);
    expect(() => openDatabase({ file, logger: silentLogger() })).toThrow(/cannot open database .*left untouched/);
    expect(readFileSync(file).equals(junk)).toBe(true);
  });

  it('refuses a damaged database', () => {
    const file = dbFile();
    const db = openDatabase({ file, logger: silentLogger() });
    db.pragma('journal_mode = DELETE');
    db.close();
    const bytes = readFileSync(file);
    // Scribble over the second page (the first table's b-tree root), header included.
    bytes.fill(0xa5, 4096, 4096 + 400);
    writeFileSync(file, bytes);
    expect(() => openDatabase({ file, logger: silentLogger() })).toThrow(AppFailure);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('keeps the journal append-only and the tables strict', () => {
    const file = dbFile();
    const db = openDatabase({ file, logger: silentLogger() });
    db.prepare(
      // Columns named: later migrations add nullable ones.
      `INSERT INTO tasks (id, description, repo_path, mode, risk_tier, priority, max_iterations, state_kind, state_json, progress, spec, created_at, updated_at)
       VALUES ('tsk_aaaaaaaaaa', 'd', '/r', 'auto', 2, 'normal', 5, 'queued', '{"kind":"queued"}', 0, NULL, 1, 1)`,
    ).run();
    insertEvent(db, 'tsk_aaaaaaaaaa', { type: 'progress', payload: { percent: 1, message: 'x' } }, 'k', 1);
    expect(() => db.prepare('UPDATE events SET type = ?').run('y')).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE tasks SET risk_tier = 'high'").run()).toThrow();
    db.close();
  });

  it('gives the explorer a connection that cannot write', () => {
    const file = dbFile();
    openDatabase({ file, logger: silentLogger() }).close();
    const ro = openReadOnly(file);
    expect(() => ro.prepare('DELETE FROM tasks').run()).toThrow(/readonly|read-only|query_only/i);
    expect(() => ro.exec('CREATE TABLE x (a INTEGER)')).toThrow();
    ro.close();
  });
});
