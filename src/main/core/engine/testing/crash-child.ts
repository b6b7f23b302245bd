import { execFileSync } from 'node:child_process';
/**
 * The process the crash test kills. It runs the real engine (database, journal, task service,
 * engine) over a batch of tasks with counting steps, plays the human (approves, overrides, pauses,
 * resumes, guides, raises a limit, cancels) by fixed rules, prints READY once it runs and DONE
 * once every task has ended. Started again after a SIGKILL, it must carry on where it was.
 *
 * Usage: node crash-child.mjs <dataDir> <taskCount> <maxSleepMs>
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentEvent } from '../../../../shared/domain/events';
import { SubmitTaskInput, type ExecutionMode, type Priority } from '../../../../shared/domain/task';
import { openDatabase } from '../../db/open';
import { getTask } from '../../db/queries/tasks';
import { Journal, systemClock } from '../../journal/journal';
import { silentLogger } from '../../observability/logger';
import { TaskService } from '../../tasks/task-service';
import { TaskEngine } from '../engine';
import { CountingSteps, CRASH_TABLE } from './counting-steps';

const TAG_SETS = [[], ['modify'], ['flaky'], ['gatefail'], ['reject'], ['pause'], ['modify', 'flaky'], ['guide'], ['cancel'], ['fatal'], ['gatefail', 'raise'], ['reject', 'pause']];
const MODES: ExecutionMode[] = ['auto', 'strict', 'dry-run'];
const PRIORITIES: Priority[] = ['normal', 'high', 'low', 'urgent'];

/** Task `i` of the batch: its description carries its script, so every run builds the same batch. */
export function crashTaskSpec(i: number): { description: string; mode: ExecutionMode; priority: Priority; maxIterations: number } {
  const tags = TAG_SETS[i % TAG_SETS.length]!;
  return {
    description: `crash task ${i} [${tags.join(',')}]`,
    mode: MODES[i % MODES.length]!,
    priority: PRIORITIES[i % PRIORITIES.length]!,
    maxIterations: tags.includes('raise') ? 1 : 3,
  };
}

const driverActor = { who: 'crash-driver', via: 'api' } as const;

function main(): void {
  const [dataDir, countArg, sleepArg] = process.argv.slice(2);
  if (!dataDir || !countArg) throw new Error('usage: crash-child <dataDir> <taskCount> <maxSleepMs>');
  const count = Number(countArg);
  const logger = silentLogger();
  // The target repository lies beside the data folder (never inside it) and is a git repository.
  const repo = `${dataDir}-repo`;
  const cleaned = join(dataDir, 'cleaned');
  mkdirSync(repo, { recursive: true });
  if (!existsSync(join(repo, '.git'))) execFileSync('git', ['init', '-q', repo]);
  mkdirSync(cleaned, { recursive: true });
  const db = openDatabase({ file: join(dataDir, 'engine.db'), logger });
  db.exec(CRASH_TABLE);
  const journal = new Journal({ db, clock: systemClock });
  const tasks = new TaskService({ db, journal, clock: systemClock, logger });
  const steps = new CountingSteps(join(dataDir, 'effects.log'), cleaned, Number(sleepArg ?? 20));
  const engine = new TaskEngine({
    db,
    journal,
    clock: systemClock,
    logger,
    steps,
    settings: { concurrency: 3, maxInterruptions: 1_000_000, watchdogIntervalMs: 200, abortGraceMs: 50, retry: { baseDelayMs: 5, maxDelayMs: 20 } },
  });

  const hasEvent = (taskId: string, type: string): boolean =>
    db.prepare('SELECT 1 FROM events WHERE task_id = ? AND type = ? LIMIT 1').get(taskId, type) !== undefined;

  /** What a human would do next for this task, by the rules of its script. */
  const consider = (taskId: string): void => {
    const task = getTask(db, taskId);
    if (!task) return;
    const tags = /\[([^\]]*)\]/.exec(task.description)?.[1]?.split(',') ?? [];
    const state = task.state;
    try {
      if (state.kind === 'awaiting_approval') {
        if (state.waitingFor === 'escalation') engine.override(taskId, driverActor, 'accept', 'the driver accepts the change anyway');
        else engine.approve(taskId, driverActor, state.waitingFor);
      } else if (state.kind === 'paused') {
        engine.resume(taskId, driverActor);
      } else if (state.kind === 'planning' && tags.includes('guide') && !hasEvent(taskId, 'task.guidance')) {
        engine.guide(taskId, driverActor, 'keep it small');
      } else if (state.kind === 'executing' && tags.includes('pause') && !hasEvent(taskId, 'task.paused')) {
        engine.pause(taskId, driverActor);
      } else if (state.kind === 'verifying' && tags.includes('cancel')) {
        engine.cancel(taskId, driverActor, 'the driver cancels in verification');
      } else if (state.kind === 'verifying' && tags.includes('raise') && task.maxIterations === 1) {
        engine.modify(taskId, driverActor, { maxIterations: 2 });
      }
    } catch (e) {
      process.stderr.write(`driver: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  };

  engine.start();
  const existing = new Set((db.prepare('SELECT description FROM tasks').all() as { description: string }[]).map((r) => r.description));
  for (let i = 0; i < count; i++) {
    const spec = crashTaskSpec(i);
    if (existing.has(spec.description)) continue;
    tasks.submit(SubmitTaskInput.parse({ ...spec, repoPath: repo }));
  }
  journal.subscribe((event: AgentEvent) => {
    if (event.type === 'task.state' || event.type === 'task.modified') queueMicrotask(() => consider(event.taskId));
  });
  // Before any step runs (they start on a later tick), catch up with whatever the last life left.
  for (const { id } of db.prepare('SELECT id FROM tasks ORDER BY created_at, id').all() as { id: string }[]) consider(id);
  process.stdout.write('READY\n');

  const finished = setInterval(() => {
    const open = db
      .prepare(
        `SELECT COUNT(*) AS n FROM tasks t LEFT JOIN task_runtime r ON r.task_id = t.id
         WHERE t.state_kind NOT IN ('completed', 'failed', 'cancelled') OR r.cleanup = 'pending'`,
      )
      .get() as { n: number };
    const total = db.prepare('SELECT COUNT(*) AS n FROM tasks').get() as { n: number };
    if (open.n === 0 && total.n === count) {
      clearInterval(finished);
      void engine.idle().then(() => {
        engine.stop();
        db.close();
        process.stdout.write('DONE\n');
        process.exit(0);
      });
    }
  }, 20);
}

main();
