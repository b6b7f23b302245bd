/**
 * The thermal-aware scheduler's own timeline and settings. Its decisions are not task-scoped, so
 * they live here rather than in the task journal (whose rows must name a task).
 */
export const sql = /* sql */ `
CREATE TABLE scheduler_decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('level', 'admit', 'wait', 'cancel', 'pause', 'resume', 'settings')),
  level TEXT NOT NULL CHECK (level IN ('nominal', 'fair', 'serious', 'critical')),
  slots INTEGER NOT NULL,
  in_use INTEGER NOT NULL,
  reason TEXT NOT NULL,
  priority TEXT,
  label TEXT,
  task_id TEXT,
  waited_ms INTEGER
) STRICT;
CREATE INDEX scheduler_decisions_ts ON scheduler_decisions(ts);
CREATE INDEX scheduler_decisions_task ON scheduler_decisions(task_id) WHERE task_id IS NOT NULL;

-- One row: the user's scheduler settings as JSON, validated on read.
CREATE TABLE scheduler_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  settings TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
`;
