import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

/** The engine's counters and limits for one task (table task_runtime, migration 0002). */
export type TaskRuntime = {
  taskId: string;
  version: number;
  commands: number;
  planRounds: number;
  execRounds: number;
  timeBudgetMs: number;
  activeMs: number;
  interruptions: number;
  stalls: number;
  cleanup: 'pending' | 'done' | 'failed' | null;
};

type Row = {
  task_id: string;
  version: number;
  commands: number;
  plan_rounds: number;
  exec_rounds: number;
  time_budget_ms: number;
  active_ms: number;
  interruptions: number;
  stalls: number;
  cleanup: string | null;
};

const CLEANUP = new Set(['pending', 'done', 'failed']);

function fromRow(row: Row): TaskRuntime {
  return {
    taskId: row.task_id,
    version: row.version,
    commands: row.commands,
    planRounds: row.plan_rounds,
    execRounds: row.exec_rounds,
    timeBudgetMs: row.time_budget_ms,
    activeMs: row.active_ms,
    interruptions: row.interruptions,
    stalls: row.stalls,
    cleanup: row.cleanup !== null && CLEANUP.has(row.cleanup) ? (row.cleanup as TaskRuntime['cleanup']) : null,
  };
}

export function getRuntime(db: Db, taskId: string): TaskRuntime | undefined {
  const row = cachedStatement(db, 'SELECT * FROM task_runtime WHERE task_id = ?').get(taskId) as Row | undefined;
  return row ? fromRow(row) : undefined;
}

/** The runtime row, created with the given budget the first time the engine sees the task. */
export function ensureRuntime(db: Db, taskId: string, timeBudgetMs: number): TaskRuntime {
  const existing = getRuntime(db, taskId);
  if (existing) return existing;
  cachedStatement(db, 'INSERT INTO task_runtime (task_id, time_budget_ms) VALUES (?, ?)').run(taskId, timeBudgetMs);
  return getRuntime(db, taskId)!;
}

export function saveRuntime(db: Db, rt: TaskRuntime): void {
  cachedStatement(
    db,
    `UPDATE task_runtime SET version = @version, commands = @commands, plan_rounds = @planRounds,
       exec_rounds = @execRounds, time_budget_ms = @timeBudgetMs, active_ms = @activeMs,
       interruptions = @interruptions, stalls = @stalls, cleanup = @cleanup
     WHERE task_id = @taskId`,
  ).run(rt);
}

export function runtimesWithCleanup(db: Db, status: 'pending'): string[] {
  return (cachedStatement(db, 'SELECT task_id FROM task_runtime WHERE cleanup = ?').all(status) as { task_id: string }[]).map((r) => r.task_id);
}

/** Engine-owned columns of the task row: the spec the plan step produced, the iteration limit, progress. */
export function setTaskSpec(db: Db, taskId: string, spec: string, at: number): void {
  cachedStatement(db, 'UPDATE tasks SET spec = ?, updated_at = ? WHERE id = ?').run(spec, at, taskId);
}

export function setTaskMaxIterations(db: Db, taskId: string, maxIterations: number, at: number): void {
  cachedStatement(db, 'UPDATE tasks SET max_iterations = ?, updated_at = ? WHERE id = ?').run(maxIterations, at, taskId);
}

export function setTaskProgress(db: Db, taskId: string, progress: number, at: number): void {
  cachedStatement(db, 'UPDATE tasks SET progress = ?, updated_at = ? WHERE id = ?').run(progress, at, taskId);
}

/** Ids of tasks whose state is one of `kinds`, oldest first. */
export function taskIdsInStates(db: Db, kinds: readonly string[]): string[] {
  if (kinds.length === 0) return [];
  const rows = cachedStatement(db, `SELECT id FROM tasks WHERE state_kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY created_at, id`)
    .all(...kinds) as { id: string }[];
  return rows.map((r) => r.id);
}
