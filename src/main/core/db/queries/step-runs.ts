import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

export type StepRunStatus = 'started' | 'succeeded' | 'failed' | 'aborted' | 'interrupted';

export type StepRun = {
  id: number;
  taskId: string;
  version: number;
  phase: string;
  round: number;
  attempt: number;
  status: StepRunStatus;
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: number;
  finishedAt: number | null;
};

type Row = {
  id: number;
  task_id: string;
  version: number;
  phase: string;
  round: number;
  attempt: number;
  status: StepRunStatus;
  error_code: string | null;
  error_message: string | null;
  started_at: number;
  finished_at: number | null;
};

const fromRow = (r: Row): StepRun => ({
  id: r.id,
  taskId: r.task_id,
  version: r.version,
  phase: r.phase,
  round: r.round,
  attempt: r.attempt,
  status: r.status,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** Records an attempt as started; its number follows every earlier attempt at the same phase and round. */
export function insertStepRun(
  db: Db,
  run: { taskId: string; version: number; phase: string; round: number; startedAt: number },
): StepRun {
  const next = cachedStatement(db, 'SELECT COALESCE(MAX(attempt), 0) + 1 AS n FROM step_runs WHERE task_id = ? AND phase = ? AND round = ?');
  const { n } = next.get(run.taskId, run.phase, run.round) as { n: number };
  const insert = cachedStatement(
    db,
    `INSERT INTO step_runs (task_id, version, phase, round, attempt, status, started_at)
     VALUES (?, ?, ?, ?, ?, 'started', ?)`,
  );
  const info = insert.run(run.taskId, run.version, run.phase, run.round, n, run.startedAt);
  return { ...run, id: Number(info.lastInsertRowid), attempt: n, status: 'started', errorCode: null, errorMessage: null, finishedAt: null };
}

export function finishStepRun(
  db: Db,
  id: number,
  status: Exclude<StepRunStatus, 'started'>,
  at: number,
  error?: { code: string; message: string },
): void {
  cachedStatement(
    db,
    `UPDATE step_runs SET status = ?, finished_at = ?, error_code = ?, error_message = ?
     WHERE id = ? AND status = 'started'`,
  ).run(status, at, error?.code ?? null, error?.message ?? null, id);
}

/** Attempts that were running when the process stopped without finishing them. */
export function startedStepRuns(db: Db): StepRun[] {
  return (cachedStatement(db, "SELECT * FROM step_runs WHERE status = 'started' ORDER BY id").all() as Row[]).map(fromRow);
}

/** Failed attempts since the phase was (re-)entered at `version`; retries are bounded by these. */
export function failedAttemptsSince(db: Db, taskId: string, phase: string, version: number): number {
  const row = cachedStatement(db, "SELECT COUNT(*) AS n FROM step_runs WHERE task_id = ? AND phase = ? AND version = ? AND status = 'failed'")
    .get(taskId, phase, version) as { n: number };
  return row.n;
}

export function stepRunsForTask(db: Db, taskId: string): StepRun[] {
  return (cachedStatement(db, 'SELECT * FROM step_runs WHERE task_id = ? ORDER BY id').all(taskId) as Row[]).map(fromRow);
}
