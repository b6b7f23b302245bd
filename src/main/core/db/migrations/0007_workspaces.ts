/**
 * Task workspaces (so a restart can find, reopen or sweep them) and the patches that dry-runs keep
 * for a later promote. A patch row is never updated: promote applies exactly the stored bytes.
 */
export const sql = /* sql */ `
CREATE TABLE workspaces (
  task_id TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  source_path TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('git', 'copy')),
  branch TEXT NOT NULL,
  base_commit TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'kept', 'removed')),
  size_bytes INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX workspaces_state ON workspaces(state);

CREATE TABLE task_patches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  base_commit TEXT NOT NULL,
  source_kind TEXT NOT NULL CHECK (source_kind IN ('git', 'copy')),
  patch BLOB NOT NULL,
  files_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (task_id, sha256)
) STRICT;
CREATE INDEX task_patches_task ON task_patches(task_id, id);

CREATE TRIGGER task_patches_no_update BEFORE UPDATE ON task_patches
BEGIN SELECT RAISE(ABORT, 'kept patches are immutable'); END;
`;
