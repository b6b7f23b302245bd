/**
 * The engine's own overhead, with steps that return at once:
 *  - tasks taken through every phase per second;
 *  - journal events written per second through the Journal (idempotency check, hash chain,
 *    publish-after-commit) against a plain better-sqlite3 insert loop of the same rows into a
 *    table of the same shape, one transaction per row in both, in this process.
 * Reported figures, no targets here: the plain loop writes a bare table without the app schema's
 * indexes and triggers, so its ratio is lower than bench:journal's, which holds the 0.7x target
 * against the same schema.
 * Usage: npm run bench:engine [-- <tasks per round> <rounds>] [-- --json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SubmitTaskInput, type Task } from '../src/shared/domain/task';
import type { NewEvent } from '../src/shared/domain/events';
import { openDatabase } from '../src/main/core/db/open';
import { Journal, systemClock } from '../src/main/core/journal/journal';
import { silentLogger } from '../src/main/core/observability/logger';
import { TaskService } from '../src/main/core/tasks/task-service';
import { TaskEngine } from '../src/main/core/engine/engine';
import { DEFAULT_OUTCOMES } from '../src/main/core/engine/testing/scripted-steps';
import type { StepSet } from '../src/main/core/engine/step';

const instantSteps: StepSet = {
  plan: async () => DEFAULT_OUTCOMES.plan,
  reviewPlan: async () => DEFAULT_OUTCOMES.reviewPlan,
  execute: async () => DEFAULT_OUTCOMES.execute,
  verify: async () => DEFAULT_OUTCOMES.verify,
  reviewChange: async () => DEFAULT_OUTCOMES.reviewChange,
  apply: async () => DEFAULT_OUTCOMES.apply,
};

type Row = { task_id: string; task_seq: number; type: string; ts: number; idempotency_key: string; payload: string };

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1);
}

type Round = { tasksPerSec: number; engineEventsPerSec: number; journalPerSec: number; plainPerSec: number; events: number };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One round: the engine over `count` fresh tasks, then the same rows through the Journal and a plain loop. */
async function round(dir: string, index: number, count: number): Promise<Round> {
  const logger = silentLogger();
  const data = mkdtempSync(join(dir, 'data-'));
  const db = openDatabase({ file: join(data, `engine-${index}.db`), logger });
  const journal = new Journal({ db, clock: systemClock });
  // The target repository lies outside the app's data folder, in the one folder tasks may target.
  const repo = mkdtempSync(join(dir, 'repo-'));
  const tasks = new TaskService({ db, journal, clock: systemClock, logger, targetRules: () => ({ allowedRoots: [repo], dataDir: data }) });
  const submitted: Task[] = [];
  for (let i = 0; i < count; i++) {
    submitted.push(tasks.submit(SubmitTaskInput.parse({ description: `bench task ${i}`, repoPath: repo, mode: 'auto', allowNonGit: true })));
  }
  const before = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  const engine = new TaskEngine({ db, journal, clock: systemClock, logger, steps: instantSteps, settings: { concurrency: 4, watchdogIntervalMs: 0 } });
  const t0 = performance.now();
  engine.start();
  await engine.idle();
  const engineMs = performance.now() - t0;
  engine.stop();
  const completed = (db.prepare("SELECT COUNT(*) AS n FROM tasks WHERE state_kind = 'completed'").get() as { n: number }).n;
  if (completed !== count) throw new Error(`only ${completed} of ${count} tasks completed`);
  const rows = db.prepare('SELECT task_id, task_seq, type, ts, idempotency_key, payload FROM events WHERE seq > ? ORDER BY seq').all(before) as Row[];
  const taskRows = db.prepare('SELECT * FROM tasks').all() as Record<string, unknown>[];
  db.close();

  // The same rows through the Journal, on a fresh database holding the same tasks.
  const jdb = openDatabase({ file: join(dir, `journal-${index}.db`), logger });
  const insertTask = jdb.prepare(
    `INSERT INTO tasks (id, description, repo_path, mode, risk_tier, priority, max_iterations, state_kind, state_json, progress, spec, created_at, updated_at)
     VALUES (@id, @description, @repo_path, @mode, @risk_tier, @priority, @max_iterations, @state_kind, @state_json, @progress, @spec, @created_at, @updated_at)`,
  );
  jdb.transaction(() => {
    for (const t of taskRows) insertTask.run(t);
  })();
  const j2 = new Journal({ db: jdb, clock: systemClock });
  const t1 = performance.now();
  for (const r of rows) j2.append(r.task_id, { type: r.type, payload: JSON.parse(r.payload) } as NewEvent, `j:${r.idempotency_key}`);
  const journalMs = performance.now() - t1;
  jdb.close();

  // Baseline: a plain insert loop of the same rows into a table of the same shape, one transaction per row.
  const plain = new Database(join(dir, `plain-${index}.db`));
  plain.pragma('journal_mode = WAL');
  plain.pragma('synchronous = NORMAL');
  plain.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL, task_seq INTEGER NOT NULL,
    type TEXT NOT NULL, ts INTEGER NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, UNIQUE (task_id, task_seq)) STRICT`);
  const insert = plain.prepare('INSERT INTO events (task_id, task_seq, type, ts, idempotency_key, payload) VALUES (?, ?, ?, ?, ?, ?)');
  const t2 = performance.now();
  for (const r of rows) insert.run(r.task_id, r.task_seq, r.type, r.ts, r.idempotency_key, r.payload);
  const plainMs = performance.now() - t2;
  plain.close();

  return {
    tasksPerSec: count / (engineMs / 1000),
    engineEventsPerSec: rows.length / (engineMs / 1000),
    journalPerSec: rows.length / (journalMs / 1000),
    plainPerSec: rows.length / (plainMs / 1000),
    events: rows.length,
  };
}

export default async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const count = Number(args[0] ?? 200);
  const rounds = Number(args[1] ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-engine-'));
  try {
    // Rounds interleave the three measurements, and medians are reported, so that load from other
    // processes skews the ratios as little as possible.
    const results: Round[] = [];
    for (let i = 0; i < rounds; i++) results.push(await round(dir, i, count));
    const m = (pick: (r: Round) => number) => median(results.map(pick));
    const ratio = (pick: (r: Round) => number) => median(results.map((r) => pick(r) / r.plainPerSec));
    if (json) {
      process.stdout.write(
        `${JSON.stringify({
          tasks: count,
          rounds,
          events_per_task: results[0]!.events / count,
          tasks_per_s: m((r) => r.tasksPerSec),
          engine_events_per_s: m((r) => r.engineEventsPerSec),
          journal_events_per_s: m((r) => r.journalPerSec),
          plain_events_per_s: m((r) => r.plainPerSec),
          journal_ratio_to_bare_table: ratio((r) => r.journalPerSec),
          engine_ratio_to_bare_table: ratio((r) => r.engineEventsPerSec),
          target: 'none: reported figures (the journal target is bench:journal)',
        })}\n`,
      );
      return;
    }
    const out = [
      `engine benchmark: ${rounds} rounds of ${count} tasks, instant steps, concurrency 4, ${(results[0]!.events / count).toFixed(1)} events per task (medians)`,
      `  tasks through all phases:         ${fmt(m((r) => r.tasksPerSec))} tasks/s (${(1000 / m((r) => r.tasksPerSec)).toFixed(2)} ms per task)`,
      `  engine journal writes:            ${fmt(m((r) => r.engineEventsPerSec))} events/s (everything the engine does per event)`,
      `  Journal.append, same rows:        ${fmt(m((r) => r.journalPerSec))} events/s`,
      `  plain better-sqlite3 insert loop: ${fmt(m((r) => r.plainPerSec))} events/s (baseline)`,
      `  ratio Journal.append / plain:     ${ratio((r) => r.journalPerSec).toFixed(2)} (reported; bench:journal holds the >= 0.7 target against the same schema)`,
      `  ratio engine / plain:             ${ratio((r) => r.engineEventsPerSec).toFixed(2)} (reported: every step of every phase, not only the append)`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
