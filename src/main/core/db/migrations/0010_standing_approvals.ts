/**
 * Standing approvals (strict mode): a human approved a phase-boundary gate "for this phase" (every
 * later approval of the same gate) or "for the rest of this task" (every later plan, changeset and
 * apply approval). The engine passes a covered gate on its own and names the row it came from.
 * Revocable, never deleted, so the audit trail can always say who allowed what.
 */
export const sql = /* sql */ `
CREATE TABLE standing_approvals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  scope TEXT NOT NULL CHECK (scope IN ('phase', 'task')),
  gate TEXT NOT NULL CHECK (gate IN ('plan', 'changeset', 'apply')),
  actor_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revoked_by_json TEXT,
  CHECK ((revoked_at IS NULL) = (revoked_by_json IS NULL))
) STRICT;
CREATE INDEX standing_approvals_task ON standing_approvals(task_id, id);
`;
