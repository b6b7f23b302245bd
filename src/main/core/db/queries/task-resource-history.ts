import type { Db } from '../open';

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
