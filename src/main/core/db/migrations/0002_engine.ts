/**
 * The task engine's durable bookkeeping. The journal (events) stays the record of what happened;
 * these tables are projections written in the same transaction as the events they mirror, so the
 * engine can resume a task without replaying its whole history.
 */
export const sql = /* sql */ `
-- One row per task the engine has touched: counters and limits that are not part of the Task itself.
CREATE TABLE task_runtime (
  task_id TEXT PRIMARY KEY REFERENCES tasks(id),
  -- State changes applied; a step result is accepted only for the version it started under.
  version INTEGER NOT NULL DEFAULT 0,
  -- Engine commands applied (state changes and others); names their journal idempotency keys.
  commands INTEGER NOT NULL DEFAULT 0,
  plan_rounds INTEGER NOT NULL DEFAULT 0,
  exec_rounds INTEGER NOT NULL DEFAULT 0,
  time_budget_ms INTEGER NOT NULL CHECK (time_budget_ms > 0),
  active_ms INTEGER NOT NULL DEFAULT 0 CHECK (active_ms >= 0),
  -- Steps cut short by a crash of the process; past a limit the task fails instead of crash-looping.
  interruptions INTEGER NOT NULL DEFAULT 0,
  -- Times the watchdog found the task active with nothing executing.
  stalls INTEGER NOT NULL DEFAULT 0,
  cleanup TEXT CHECK (cleanup IN ('pending', 'done', 'failed'))
) STRICT;

-- Every attempt at a step, written before the step runs.
CREATE TABLE step_runs (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  version INTEGER NOT NULL,
  phase TEXT NOT NULL,
  round INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('started', 'succeeded', 'failed', 'aborted', 'interrupted')),
  error_code TEXT,
  error_message TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  UNIQUE (task_id, phase, round, attempt)
) STRICT;
CREATE INDEX step_runs_started ON step_runs(status) WHERE status = 'started';

-- Side effects a step journaled before acting on them; 'intent' without 'applied' means interrupted.
CREATE TABLE step_effects (
  task_id TEXT NOT NULL REFERENCES tasks(id),
  key TEXT NOT NULL,
  phase TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('intent', 'applied')),
  result_json TEXT,
  intent_seq INTEGER NOT NULL,
  applied_seq INTEGER,
  PRIMARY KEY (task_id, key)
) STRICT;

-- Human approvals the engine asked for, and who answered them from where.
CREATE TABLE task_approvals (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  gate TEXT NOT NULL,
  phase TEXT NOT NULL,
  round INTEGER NOT NULL,
  summary TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'granted', 'denied', 'overridden', 'withdrawn')),
  requested_at INTEGER NOT NULL,
  decided_at INTEGER,
  actor_json TEXT,
  reason TEXT
) STRICT;
CREATE UNIQUE INDEX task_approvals_one_pending ON task_approvals(task_id) WHERE status = 'pending';
CREATE INDEX task_approvals_task ON task_approvals(task_id, id);

-- Guidance waits here until a step that received it finishes.
CREATE TABLE task_guidance (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  event_seq INTEGER NOT NULL,
  text TEXT NOT NULL,
  actor_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  consumed_by_run INTEGER REFERENCES step_runs(id)
) STRICT;
CREATE INDEX task_guidance_pending ON task_guidance(task_id) WHERE consumed_by_run IS NULL;
`;
