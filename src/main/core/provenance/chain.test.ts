import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import type { Db } from '../db/open';
import { openDatabase } from '../db/open';
import { MIGRATIONS } from '../db/migrations';
import { insertEvent } from '../db/queries/events';
import { silentLogger } from '../observability/logger';
import { hashRecord } from '../db/queries/chain';
import { verifyJournal } from './journal-verify';
import { chainRecordsForTask, iterateChain } from '../db/queries/chain-records';
import { taskWithHistory } from './testing/fixture';

let core: ReturnType<typeof testCore> | undefined;
const cleanups: (() => void)[] = [];
afterEach(() => {
  core?.cleanup();
  core = undefined;
  while (cleanups.length) cleanups.pop()!();
});

/** Tampering needs the append-only triggers out of the way, as an attacker with the file would do. */
function dropGuards(db: Db): void {
  db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DROP TRIGGER events_hash_required;');
}

async function twoTasks() {
  core = testCore();
  const a = await taskWithHistory(core, 'first task');
  const b = await taskWithHistory(core, 'second task');
  return { a, b, db: core.db, keys: core.provenance.keys.keys() };
}

describe('the hash chain in the journal', () => {
  it('links every record to the one before it, in its task and in the whole journal', async () => {
    const { a, b, db } = await twoTasks();
    const all = [...iterateChain(db)];
    expect(all.length).toBe(26);
    for (let i = 0; i < all.length; i++) {
      expect(all[i]!.recordHash).toBe(hashRecord(all[i]!));
      expect(all[i]!.prevHash).toBe(i === 0 ? null : all[i - 1]!.recordHash);
    }
    for (const id of [a, b]) {
      const records = chainRecordsForTask(db, id);
      records.forEach((r, i) => expect(r.taskPrevHash).toBe(i === 0 ? null : records[i - 1]!.recordHash));
    }
  });

  it('a clean journal verifies, signatures included', async () => {
    const { db, keys } = await twoTasks();
    const report = await verifyJournal(db, keys);
    expect(report).toMatchObject({ ok: true, problems: [], records: 26, unsealed: 0 });
    expect(report.signatures).toBeGreaterThanOrEqual(6);
  });

  it('refuses a record that skips the chain, and any edit of a chained one', async () => {
    const { a, db } = await twoTasks();
    expect(() =>
      db.prepare("INSERT INTO events (task_id, task_seq, type, ts, idempotency_key, payload) VALUES (?, 99, 'progress', 0, 'raw', '{}')").run(a),
    ).toThrow(/hash-chained/);
    expect(() => db.prepare("UPDATE events SET payload = '{}' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE events SET record_hash = 'x' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM events WHERE seq = 2').run()).toThrow(/append-only/);
  });

  it('detects an edited record', async () => {
    const { db, keys } = await twoTasks();
    dropGuards(db);
    db.prepare(`UPDATE events SET payload = json_set(payload, '$.actor.who', 'mallory') WHERE type = 'approval.granted' AND seq < 13`).run();
    const report = await verifyJournal(db, keys);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'altered', element: expect.stringMatching(/^record 5 \(task tsk_\w+ #5, approval.granted\)$/) as string }),
    );
    // Its decision signature no longer covers it either.
    expect(report.problems.some((p) => p.kind === 'altered' && /record 5 was altered after it was signed/.test(p.message))).toBe(true);
  });

  it('detects a removed record', async () => {
    const { db, keys } = await twoTasks();
    dropGuards(db);
    db.prepare('DELETE FROM events WHERE seq = 3').run();
    const report = await verifyJournal(db, keys);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'removed', element: 'record 3' }));
    expect(report.problems.some((p) => p.kind === 'removed' && /task tsk_\w+ #3 was removed/.test(p.message))).toBe(true);
  });

  it('detects an inserted record', async () => {
    const { a, db, keys } = await twoTasks();
    dropGuards(db);
    // A forged record slotted between seq 6 and 7, hashed and linked to its predecessor like a real one.
    const prev = db.prepare('SELECT record_hash, task_seq FROM events WHERE seq = 6').get() as { record_hash: string; task_seq: number };
    const fields = { seq: 6.5, taskId: a, taskSeq: 100, type: 'progress', ts: 1, payload: { percent: 1, message: 'forged' }, prevHash: prev.record_hash, taskPrevHash: prev.record_hash };
    db.prepare(
      `INSERT INTO events (seq, task_id, task_seq, type, ts, idempotency_key, payload, prev_hash, task_prev_hash, record_hash)
       VALUES (1000, ?, 100, 'progress', 1, 'forged', ?, ?, ?, ?)`,
    ).run(a, JSON.stringify(fields.payload), prev.record_hash, prev.record_hash, hashRecord({ ...fields, seq: 1000 }));
    const report = await verifyJournal(db, keys);
    expect(report.problems.some((p) => p.kind === 'inserted' && /record 1000 .* was inserted/.test(p.message))).toBe(true);
  });

  it('detects reordered records', async () => {
    const { db, keys } = await twoTasks();
    dropGuards(db);
    db.exec('UPDATE events SET seq = -1 WHERE seq = 7; UPDATE events SET seq = 7 WHERE seq = 8; UPDATE events SET seq = 8 WHERE seq = -1;');
    const report = await verifyJournal(db, keys);
    expect(report.problems.some((p) => p.kind === 'reordered')).toBe(true);
  });
});

describe('a database older than the chain', () => {
  it('is sealed in order by the next append, and then verifies', async () => {
    const d = tempDir('aa-legacy-');
    cleanups.push(d.cleanup);
    const file = join(d.dir, 'agent-agency.db');
    const before = openDatabase({ file, logger: silentLogger(), migrations: MIGRATIONS.filter((m) => m.version < 5) });
    const task = { id: 'tsk_legacy0000001', description: 'old task', repoPath: d.dir, mode: 'auto' as const, riskTier: 2 as const, priority: 'normal' as const, maxIterations: 3, state: { kind: 'queued' as const }, progress: 0, createdAt: 1, updatedAt: 1, spec: null };
    // The row as that version's schema had it (no later columns).
    before
      .prepare(`INSERT INTO tasks VALUES (?, ?, ?, 'auto', 2, 'normal', 3, 'queued', '{"kind":"queued"}', 0, NULL, 1, 1)`)
      .run(task.id, task.description, task.repoPath);
    for (let i = 1; i <= 3; i++) {
      before.prepare('INSERT INTO events (task_id, task_seq, type, ts, idempotency_key, payload) VALUES (?, ?, ?, ?, ?, ?)').run(task.id, i, 'progress', i, `old-${i}`, JSON.stringify({ percent: i, message: 'old' }));
    }
    before.close();

    const db = openDatabase({ file, logger: silentLogger() });
    cleanups.push(() => db.close());
    expect(await verifyJournal(db, [])).toMatchObject({ unsealed: 3 });
    insertEvent(db, task.id, { type: 'progress', payload: { percent: 50, message: 'new' } }, 'new-1', 10);
    const records = chainRecordsForTask(db, task.id);
    expect(records.map((r) => r.taskSeq)).toEqual([1, 2, 3, 4]);
    expect(records[3]!.taskPrevHash).toBe(records[2]!.recordHash);
    expect(await verifyJournal(db, [])).toMatchObject({ ok: true, unsealed: 0, records: 4 });
  });
});
