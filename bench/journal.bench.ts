/**
 * Journal append speed against a plain better-sqlite3 insert loop of the same rows, same run:
 *  - journal: Journal.append per event (idempotency, hash chain, one transaction per append, as the
 *    engine writes), into the app database with its migrations, triggers and indexes;
 *  - baseline: the rows the journal wrote (every column, hashes included), inserted by a plain loop of
 *    one prepared INSERT per row (autocommit, so one commit per row like the journal) into a fresh
 *    app database: same schema, indexes and triggers, so the ratio is the journal's own overhead
 *    (idempotency, numbering, hash chain, transaction, publication).
 * Rounds alternate which goes first; the figure is the median of the rounds' ratios. Target: journal >=
 * 0.7x baseline rows/s. Both databases first hold HISTORY cancelled tasks with their task.cancelled
 * records (written untimed), as an app's database does after a while: each append asks whether its
 * task was cancelled, and that question must not cost more as cancelled tasks pile up.
 * Usage: npm run bench:journal [-- --json] [-- <events per round>]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/main/core/db/open';
import { insertTask } from '../src/main/core/db/queries/tasks';
import { Journal } from '../src/main/core/journal/journal';
import { silentLogger } from '../src/main/core/observability/logger';
import type { NewEvent } from '../src/shared/domain/events';
import type { Task } from '../src/shared/domain/task';

export const JOURNAL_TARGET = 0.7;
/** Cancelled tasks (each with its task.cancelled record) already in both databases. */
const HISTORY = 500;

export type JournalBenchResult = { events: number; journal_rows_per_s: number; baseline_rows_per_s: number; journal_ratio: number; round_ratios: number[] };

type Row = { seq: number; task_id: string; task_seq: number; type: string; ts: number; idempotency_key: string; payload: string; prev_hash: string; task_prev_hash: string | null; record_hash: string };

export async function runJournalBench(perRound = 1000, rounds = 9): Promise<JournalBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-journal-'));
  try {
    const journalTimes: number[] = [];
    const plainTimes: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ['journal', 'plain'] : ['plain', 'journal'];
      let rows: Row[] = [];
      for (const which of order) {
        if (which === 'journal') {
          const out = journalRound(join(dir, `journal-${r}.db`), perRound, r);
          journalTimes.push(out.ms);
          rows = out.rows;
        } else {
          // The plain round of the first ordering needs rows: write them once untimed.
          if (rows.length === 0) rows = journalRound(join(dir, `seed-${r}.db`), perRound, r).rows;
          plainTimes.push(plainRound(join(dir, `plain-${r}.db`), rows));
        }
      }
    }
    const journalRate = (perRound * rounds) / (sum(journalTimes) / 1000);
    const plainRate = (perRound * rounds) / (sum(plainTimes) / 1000);
    // Each round's pair ran back to back, so its ratio cancels the load other processes put on a
    // shared machine between rounds; the median of those is the figure.
    const ratios = journalTimes.map((t, i) => plainTimes[i]! / t).sort((a, b) => a - b);
    return {
      events: perRound * rounds,
      journal_rows_per_s: journalRate,
      baseline_rows_per_s: plainRate,
      journal_ratio: ratios[Math.floor(ratios.length / 2)]!,
      round_ratios: ratios,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function taskOf(id: string, now: number, state: Task['state']): Task {
  return { id, description: 'benchmark task', repoPath: '/tmp/repo', mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 5, state, progress: 0, createdAt: now, updatedAt: now, spec: null };
}

function journalRound(file: string, n: number, round: number): { ms: number; rows: Row[] } {
  const db = openDatabase({ file, logger: silentLogger() });
  let now = 1_700_000_000_000 + round;
  const journal = new Journal({ db, clock: { now: () => now++ } });
  const tasks: string[] = [];
  for (let t = 0; t < 20; t++) {
    const task = taskOf(`tsk_bench${String(round).padStart(3, '0')}${String(t).padStart(4, '0')}`, now, { kind: 'queued' });
    insertTask(db, task);
    tasks.push(task.id);
  }
  for (let h = 0; h < HISTORY; h++) {
    const id = `tsk_hist${String(round).padStart(3, '0')}${String(h).padStart(5, '0')}`;
    insertTask(db, taskOf(id, now, { kind: 'cancelled' }));
    journal.append(id, { type: 'task.cancelled', payload: { actor: { who: 'bench', via: 'cli' } } }, `${id}:history`);
  }
  const events: Array<{ taskId: string; event: NewEvent; key: string }> = [];
  for (let i = 0; i < n; i++) {
    const taskId = tasks[i % tasks.length]!;
    const event: NewEvent =
      i % 3 === 0
        ? { type: 'progress', payload: { percent: i % 100, message: `step ${i} of the benchmark, with a sentence of text` } }
        : { type: 'model.tokens', payload: { model: 'bench', role: 'worker', text: 'some generated tokens '.repeat(4), count: 16 } };
    events.push({ taskId, event, key: `${taskId}:bench:${i}` });
  }
  const started = performance.now();
  for (const e of events) journal.append(e.taskId, e.event, e.key);
  const ms = performance.now() - started;
  const rows = db.prepare('SELECT seq, task_id, task_seq, type, ts, idempotency_key, payload, prev_hash, task_prev_hash, record_hash FROM events ORDER BY seq').all() as Row[];
  db.close();
  return { ms, rows };
}

function plainRound(file: string, rows: Row[]): number {
  // The app's own schema (migrations, indexes, triggers, AUTOINCREMENT): the baseline is the cost
  // of the rows themselves, so the ratio is the journal's own overhead.
  const db = openDatabase({ file, logger: silentLogger() });
  const taskIds = [...new Set(rows.map((r) => r.task_id))];
  const addTask = db.prepare(
    `INSERT INTO tasks (id, description, repo_path, mode, risk_tier, priority, max_iterations, state_kind, state_json, progress, spec, created_at, updated_at)
     VALUES (?, 'benchmark task', '/tmp/repo', 'dry-run', 2, 'normal', 5, 'queued', '{"kind":"queued"}', 0, NULL, 1, 1)`,
  );
  for (const id of taskIds) addTask.run(id);
  const insert = db.prepare(
    'INSERT INTO events (seq, task_id, task_seq, type, ts, idempotency_key, payload, prev_hash, task_prev_hash, record_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const add = (r: Row) => insert.run(r.seq, r.task_id, r.task_seq, r.type, r.ts, r.idempotency_key, r.payload, r.prev_hash, r.task_prev_hash, r.record_hash);
  // The history, untimed; then the rows the journal was timed on.
  db.transaction(() => rows.filter((r) => !r.idempotency_key.includes(':bench:')).forEach(add))();
  const timed = rows.filter((r) => r.idempotency_key.includes(':bench:'));
  const started = performance.now();
  for (const r of timed) add(r);
  const ms = performance.now() - started;
  db.close();
  return ms;
}

export default async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
  const r = await runJournalBench(n);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...r, target: JOURNAL_TARGET })}\n`);
    return;
  }
  console.log(`Journal appends: ${r.events} events, each durable on its own (one commit per append)`);
  console.log(`journal   ${r.journal_rows_per_s.toFixed(0).padStart(8)} rows/s`);
  console.log(`baseline  ${r.baseline_rows_per_s.toFixed(0).padStart(8)} rows/s (plain better-sqlite3 insert loop, same rows)`);
  console.log(`ratio     ${r.journal_ratio.toFixed(2).padStart(8)}x   (target >= ${JOURNAL_TARGET}x; median of ${r.round_ratios.length} paired rounds: ${r.round_ratios.map((x) => x.toFixed(2)).join(' ')})`);
}
