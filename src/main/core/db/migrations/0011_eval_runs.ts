/**
 * Eval runs (`agent-agency eval`): one row per run of a suite with the models it used and its
 * totals, one row per graded task attempt. Kept so the Metrics page can compare runs and models over
 * time. A task's row points at the engine task it ran as (null when it was refused before submitting).
 */
export const sql = /* sql */ `
CREATE TABLE eval_runs (
  id TEXT PRIMARY KEY,
  suite TEXT NOT NULL,
  suite_path TEXT NOT NULL,
  mode TEXT NOT NULL,
  models_json TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  tasks INTEGER NOT NULL DEFAULT 0,
  resolved INTEGER NOT NULL DEFAULT 0,
  totals_json TEXT
) STRICT;
CREATE INDEX eval_runs_started ON eval_runs(started_at);
CREATE TABLE eval_results (
  run_id TEXT NOT NULL REFERENCES eval_runs(id),
  eval_task TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  task_id TEXT,
  resolved INTEGER NOT NULL CHECK (resolved IN (0, 1)),
  council TEXT NOT NULL,
  council_outcome TEXT NOT NULL,
  iterations INTEGER NOT NULL,
  model_calls INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  wall_ms INTEGER NOT NULL,
  stop_reason TEXT NOT NULL,
  detail_json TEXT NOT NULL,
  PRIMARY KEY (run_id, eval_task, attempt)
) STRICT;
`;
