import { z } from 'zod';
import { EvalTaskResult, EvalTotals, type EvalRunView } from '../../../../shared/domain/eval';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

export type EvalRunRow = EvalRunView;

type RunRow = {
  id: string;
  suite: string;
  suite_path: string;
  mode: string;
  models_json: string;
  started_at: number;
  finished_at: number | null;
  tasks: number;
  resolved: number;
  totals_json: string | null;
};

const Models = z.record(z.string(), z.string());

function fromRunRow(r: RunRow): EvalRunRow {
  return {
    id: r.id,
    suite: r.suite,
    suitePath: r.suite_path,
    mode: r.mode,
    models: Models.parse(JSON.parse(r.models_json)),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    tasks: r.tasks,
    resolved: r.resolved,
    totals: r.totals_json === null ? null : EvalTotals.parse(JSON.parse(r.totals_json)),
  };
}

export function insertEvalRun(db: Db, run: { id: string; suite: string; suitePath: string; mode: string; models: Record<string, string>; startedAt: number }): void {
  cachedStatement(db, 'INSERT INTO eval_runs (id, suite, suite_path, mode, models_json, started_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    run.id,
    run.suite,
    run.suitePath,
    run.mode,
    JSON.stringify(run.models),
    run.startedAt,
  );
}

export function finishEvalRun(db: Db, id: string, totals: EvalTotals, finishedAt: number): void {
  cachedStatement(db, 'UPDATE eval_runs SET finished_at = ?, tasks = ?, resolved = ?, totals_json = ? WHERE id = ?').run(
    finishedAt,
    totals.attempts,
    totals.resolved,
    JSON.stringify(totals),
    id,
  );
}

export function insertEvalResult(db: Db, runId: string, r: EvalTaskResult): void {
  cachedStatement(
    db,
    `INSERT INTO eval_results (run_id, eval_task, attempt, task_id, resolved, council, council_outcome, iterations, model_calls,
       prompt_tokens, completion_tokens, wall_ms, stop_reason, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    runId,
    r.evalTask,
    r.attempt,
    r.taskId,
    r.resolved ? 1 : 0,
    r.council,
    r.councilOutcome,
    r.iterations,
    r.modelCalls,
    r.promptTokens,
    r.completionTokens,
    Math.round(r.wallMs),
    r.stopReason,
    JSON.stringify(r),
  );
}

/** Newest runs first. */
export function listEvalRuns(db: Db, limit = 50): EvalRunRow[] {
  return (cachedStatement(db, 'SELECT * FROM eval_runs ORDER BY started_at DESC, id DESC LIMIT ?').all(limit) as RunRow[]).map(fromRunRow);
}

export function evalResultsForRun(db: Db, runId: string): EvalTaskResult[] {
  const rows = cachedStatement(db, 'SELECT detail_json FROM eval_results WHERE run_id = ? ORDER BY eval_task, attempt').all(runId) as { detail_json: string }[];
  return rows.map((r) => EvalTaskResult.parse(JSON.parse(r.detail_json)));
}
