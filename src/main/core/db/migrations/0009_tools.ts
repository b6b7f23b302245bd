/**
 * Tools (MCP): servers configured in Settings (servers from the mcpServers JSON file are read from
 * the file, not stored), permissions per server ('' tool) and per tool, which server an unqualified
 * tool name means, standing approvals (for one task, or always; revocable, never deleted), and the
 * tool call a task waits on while it waits for a human.
 * Every call itself is a `tool.called` / `tool.denied` event in the journal.
 */
export const sql = /* sql */ `
CREATE TABLE tool_servers (
  name TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE tool_permissions (
  server TEXT NOT NULL,
  tool TEXT NOT NULL,
  permission TEXT NOT NULL CHECK (permission IN ('always', 'ask', 'never')),
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (server, tool)
) STRICT;

CREATE TABLE tool_preferences (
  name TEXT PRIMARY KEY,
  server TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE tool_grants (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tool TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('task', 'always')),
  task_id TEXT REFERENCES tasks(id),
  actor_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revoked_by_json TEXT,
  CHECK ((scope = 'task') = (task_id IS NOT NULL)),
  CHECK ((revoked_at IS NULL) = (revoked_by_json IS NULL))
) STRICT;
CREATE INDEX tool_grants_live ON tool_grants(tool, scope, task_id) WHERE revoked_at IS NULL;

CREATE TABLE tool_requests (
  task_id TEXT NOT NULL REFERENCES tasks(id),
  fingerprint TEXT NOT NULL,
  tool TEXT NOT NULL,
  arguments TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  PRIMARY KEY (task_id, fingerprint)
) STRICT;
`;
