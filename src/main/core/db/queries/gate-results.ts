import { GateResultSchema, type GateResultRecord } from '../../../../shared/domain/governance';
import type { Db } from '../open';

type Row = { run_id: string; gate: string; status: string; mode: string; score: number; details: string; duration_ms: number; waiver_id: string | null; created_at: number };

export type GateRun = { runId: string; createdAt: number; results: GateResultRecord[] };

export function insertGateResults(db: Db, taskId: string, runId: string, results: readonly GateResultRecord[], at: number): void {
  const stmt = db.prepare(
    `INSERT INTO gate_results (task_id, run_id, gate, status, mode, score, details, duration_ms, waiver_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const r of results) stmt.run(taskId, runId, r.gate, r.status, r.mode, r.score, r.details, r.durationMs, r.waiverId ?? null, at);
  })();
}

/** The most recent gate run of a task (all its gates), or undefined before the first run. */
export function latestGateRun(db: Db, taskId: string): GateRun | undefined {
  const last = db.prepare('SELECT run_id FROM gate_results WHERE task_id = ? ORDER BY seq DESC LIMIT 1').get(taskId) as { run_id: string } | undefined;
  if (!last) return undefined;
  const rows = db.prepare('SELECT * FROM gate_results WHERE task_id = ? AND run_id = ? ORDER BY seq').all(taskId, last.run_id) as Row[];
  return {
    runId: last.run_id,
    createdAt: rows[0]?.created_at ?? 0,
    results: rows.map((r) =>
      GateResultSchema.parse({
        gate: r.gate,
        status: r.status,
        mode: r.mode,
        score: r.score,
        details: r.details,
        durationMs: r.duration_ms,
        ...(r.waiver_id ? { waiverId: r.waiver_id } : {}),
      }),
    ),
  };
}
