import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

export type ResourceSample = {
  taskId: string;
  phase: string;
  cpuMs: number;
  memoryBytes: number;
  durationMs: number;
  success: boolean;
  createdAt: number;
};

type Row = { task_id: string; phase: string; cpu_ms: number; memory_bytes: number; duration_ms: number; success: number; created_at: number };

export function insertResourceSample(db: Db, s: ResourceSample): void {
  db.prepare(
    `INSERT INTO task_resource_history (task_id, phase, cpu_ms, memory_bytes, duration_ms, success, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(s.taskId, s.phase, Math.max(0, s.cpuMs), Math.max(0, Math.round(s.memoryBytes)), Math.max(0, s.durationMs), s.success ? 1 : 0, s.createdAt);
}

export function resourceHistoryForTask(db: Db, taskId: string): ResourceSample[] {
  const rows = db.prepare('SELECT * FROM task_resource_history WHERE task_id = ? ORDER BY seq').all(taskId) as Row[];
  return rows.map((r) => ({
    taskId: r.task_id,
    phase: r.phase,
    cpuMs: r.cpu_ms,
    memoryBytes: r.memory_bytes,
    durationMs: r.duration_ms,
    success: r.success === 1,
    createdAt: r.created_at,
  }));
}

/** Phase and duration of each sample since `from` (older engines recorded phase timings only here). */
export function phaseDurationsSince(db: Db, from: number, limit: number): unknown[] {
  return db.prepare('SELECT phase, duration_ms AS durationMs FROM task_resource_history WHERE created_at >= ? LIMIT ?').all(from, limit);
}

/** The newest sample's seq (0 when none): what a cached figure read of this table was computed up to. */
export function lastResourceSeq(db: Db): number {
  return (db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM task_resource_history').get() as { n: number }).n;
}

/** The phase of a whole-task row (migration 26); every other phase is one step's sample. */
export const TASK_TOTALS_PHASE = 'task';

/** What one finished task used, with what it was: the history estimates are made from. */
export type TaskTotals = {
  taskId: string;
  /** Active time: the sum of its phases (queue, pauses and waits for a person excluded). */
  durationMs: number;
  cpuMs: number;
  /** Largest resident memory sampled while it ran (0 when nothing was sampled). */
  peakMemoryBytes: number;
  tokens: number;
  model: string | null;
  riskTier: number;
  mode: string;
  repoFiles: number | null;
  success: boolean;
  createdAt: number;
};

export function insertTaskTotals(db: Db, t: TaskTotals): void {
  cachedStatement(
    db,
    `INSERT INTO task_resource_history (task_id, phase, cpu_ms, memory_bytes, duration_ms, success, created_at, tokens, model, risk_tier, mode, repo_files)
     VALUES (?, '${TASK_TOTALS_PHASE}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    t.taskId,
    Math.max(0, t.cpuMs),
    Math.max(0, Math.round(t.peakMemoryBytes)),
    Math.max(0, t.durationMs),
    t.success ? 1 : 0,
    t.createdAt,
    Math.max(0, Math.round(t.tokens)),
    t.model,
    t.riskTier,
    t.mode,
    t.repoFiles,
  );
}

export function hasTaskTotals(db: Db, taskId: string): boolean {
  return cachedStatement(db, `SELECT 1 FROM task_resource_history WHERE task_id = ? AND phase = '${TASK_TOTALS_PHASE}' LIMIT 1`).get(taskId) !== undefined;
}

type TotalsRow = {
  task_id: string;
  cpu_ms: number;
  memory_bytes: number;
  duration_ms: number;
  success: number;
  created_at: number;
  tokens: number | null;
  model: string | null;
  risk_tier: number | null;
  mode: string | null;
  repo_files: number | null;
};

/** The newest whole-task rows of tasks that succeeded (or of every task), newest first. */
export function taskTotalsHistory(db: Db, options: { limit: number; successOnly: boolean }): TaskTotals[] {
  const rows = cachedStatement(
    db,
    `SELECT task_id, cpu_ms, memory_bytes, duration_ms, success, created_at, tokens, model, risk_tier, mode, repo_files
     FROM task_resource_history WHERE phase = '${TASK_TOTALS_PHASE}' AND (? = 0 OR success = 1) ORDER BY seq DESC LIMIT ?`,
  ).all(options.successOnly ? 1 : 0, options.limit) as TotalsRow[];
  return rows.map((r) => ({
    taskId: r.task_id,
    durationMs: r.duration_ms,
    cpuMs: r.cpu_ms,
    peakMemoryBytes: r.memory_bytes,
    tokens: r.tokens ?? 0,
    model: r.model,
    riskTier: r.risk_tier ?? 0,
    mode: r.mode ?? '',
    repoFiles: r.repo_files,
    success: r.success === 1,
    createdAt: r.created_at,
  }));
}

/** CPU time and the largest memory sample of a task's step samples (whole-task rows excluded). */
export function stepSamplesSummary(db: Db, taskId: string): { cpuMs: number; peakMemoryBytes: number; samples: number } {
  const row = cachedStatement(
    db,
    `SELECT COALESCE(SUM(cpu_ms), 0) AS cpu, COALESCE(MAX(memory_bytes), 0) AS peak, COUNT(*) AS n
     FROM task_resource_history WHERE task_id = ? AND phase <> '${TASK_TOTALS_PHASE}'`,
  ).get(taskId) as { cpu: number; peak: number; n: number };
  return { cpuMs: row.cpu, peakMemoryBytes: row.peak, samples: row.n };
}
