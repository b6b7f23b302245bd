/**
 * Whole-task rows in task_resource_history (phase 'task'), written when a task ends: its active time
 * (the sum of its phases), tokens, peak memory and what it was (risk tier, execution mode, size of
 * the repository in files, the worker's model). Estimates of a new task are read from these rows.
 * Phase rows leave the new columns NULL.
 */
export const sql = /* sql */ `
ALTER TABLE task_resource_history ADD COLUMN tokens INTEGER CHECK (tokens IS NULL OR tokens >= 0);
ALTER TABLE task_resource_history ADD COLUMN model TEXT;
ALTER TABLE task_resource_history ADD COLUMN risk_tier INTEGER CHECK (risk_tier IS NULL OR risk_tier IN (1, 2, 3));
ALTER TABLE task_resource_history ADD COLUMN mode TEXT;
ALTER TABLE task_resource_history ADD COLUMN repo_files INTEGER CHECK (repo_files IS NULL OR repo_files >= 0);
CREATE INDEX task_resource_history_phase ON task_resource_history(phase, seq);
`;
