/** Tasks and the append-only event journal. */
export const sql = /* sql */ `
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  repo_path TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('dry-run', 'auto', 'strict')),
  risk_tier INTEGER NOT NULL CHECK (risk_tier BETWEEN 1 AND 3),
  priority TEXT NOT NULL,
  max_iterations INTEGER NOT NULL,
  state_kind TEXT NOT NULL,
  state_json TEXT NOT NULL,
  progress REAL NOT NULL DEFAULT 0,
  spec TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tasks_state ON tasks(state_kind);
CREATE INDEX tasks_created ON tasks(created_at);

CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  task_seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  ts INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL,
  UNIQUE (task_id, task_seq)
) STRICT;

-- The journal is append-only: history is never rewritten.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
`;
