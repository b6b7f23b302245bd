import { z } from 'zod';
import type { Db } from '../open';

/** Queries on the `workspaces` table (migration 0007). Rows are parsed on the way out. */

/** How a task workspace was made: a git clone of the target repository, or a plain copy of a folder. */
export type WorkspaceKind = 'git' | 'copy';

/** One row of `workspaces`: a task's private checkout and where it came from. */
export type WorkspaceRecord = {
  taskId: string;
  /** The checkout the worker edits (the repository root inside the workspace). */
  path: string;
  sourcePath: string;
  kind: WorkspaceKind;
  /** Private branch in the workspace: agent-agency/<task id>. */
  branch: string;
  /** Commit the change is made against: the user's HEAD when the workspace was created. */
  baseCommit: string;
  state: 'active' | 'kept' | 'removed';
  sizeBytes: number;
  createdAt: number;
  updatedAt: number;
};

const Row = z.object({
  task_id: z.string(),
  path: z.string(),
  source_path: z.string(),
  kind: z.enum(['git', 'copy']),
  branch: z.string(),
  base_commit: z.string(),
  state: z.enum(['active', 'kept', 'removed']),
  size_bytes: z.number().int(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});

function fromRow(raw: unknown): WorkspaceRecord {
  const row = Row.parse(raw);
  return {
    taskId: row.task_id,
    path: row.path,
    sourcePath: row.source_path,
    kind: row.kind,
    branch: row.branch,
    baseCommit: row.base_commit,
    state: row.state,
    sizeBytes: row.size_bytes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function upsertWorkspace(db: Db, w: WorkspaceRecord): void {
  db.prepare(
    `INSERT INTO workspaces (task_id, path, source_path, kind, branch, base_commit, state, size_bytes, created_at, updated_at)
     VALUES (@taskId, @path, @sourcePath, @kind, @branch, @baseCommit, @state, @sizeBytes, @createdAt, @updatedAt)
     ON CONFLICT(task_id) DO UPDATE SET path = excluded.path, source_path = excluded.source_path, kind = excluded.kind,
       branch = excluded.branch, base_commit = excluded.base_commit, state = excluded.state,
       size_bytes = excluded.size_bytes, updated_at = excluded.updated_at`,
  ).run(w);
}

export function getWorkspace(db: Db, taskId: string): WorkspaceRecord | null {
  const row = db.prepare('SELECT * FROM workspaces WHERE task_id = ?').get(taskId);
  return row ? fromRow(row) : null;
}

export function listWorkspaces(db: Db, state?: WorkspaceRecord['state']): WorkspaceRecord[] {
  const rows = state
    ? db.prepare('SELECT * FROM workspaces WHERE state = ? ORDER BY created_at').all(state)
    : db.prepare('SELECT * FROM workspaces ORDER BY created_at').all();
  return rows.map(fromRow);
}

export function setWorkspaceState(db: Db, taskId: string, state: WorkspaceRecord['state'], now: number): void {
  db.prepare('UPDATE workspaces SET state = ?, updated_at = ? WHERE task_id = ?').run(state, now, taskId);
}
