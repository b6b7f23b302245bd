import { z } from 'zod';
import { sha256Hex } from '../canonical';
import type { Db } from '../open';
import type { WorkspaceKind } from './workspaces';

const PatchFile = z.object({
  path: z.string(),
  status: z.enum(['added', 'modified', 'deleted']),
  linesAdded: z.number().int().nonnegative(),
  linesRemoved: z.number().int().nonnegative(),
  binary: z.boolean(),
});
/** A file a stored patch changes (the workspace's ChangedFile, as kept in `files_json`). */
export type PatchFile = z.infer<typeof PatchFile>;
const FilesJson = z.array(PatchFile);

/** Patches kept by dry-runs (table `task_patches`, migration 0007). Rows are immutable. */
export type StoredPatch = {
  id: number;
  taskId: string;
  sha256: string;
  baseCommit: string;
  sourceKind: WorkspaceKind;
  patch: string;
  files: PatchFile[];
  createdAt: number;
};

const Row = z.object({
  id: z.number().int(),
  task_id: z.string(),
  sha256: z.string(),
  base_commit: z.string(),
  source_kind: z.enum(['git', 'copy']),
  patch: z.instanceof(Buffer),
  files_json: z.string(),
  created_at: z.number().int(),
});

function fromRow(raw: unknown): StoredPatch {
  const row = Row.parse(raw);
  return {
    id: row.id,
    taskId: row.task_id,
    sha256: row.sha256,
    baseCommit: row.base_commit,
    sourceKind: row.source_kind,
    patch: row.patch.toString('utf8'),
    files: FilesJson.parse(JSON.parse(row.files_json)),
    createdAt: row.created_at,
  };
}

export function savePatch(db: Db, p: Omit<StoredPatch, 'id' | 'sha256'>): StoredPatch {
  const hash = sha256Hex(p.patch);
  db.prepare(
    `INSERT INTO task_patches (task_id, sha256, base_commit, source_kind, patch, files_json, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(task_id, sha256) DO NOTHING`,
  ).run(p.taskId, hash, p.baseCommit, p.sourceKind, Buffer.from(p.patch, 'utf8'), JSON.stringify(p.files), p.createdAt);
  return getPatch(db, p.taskId, hash)!;
}

export function getPatch(db: Db, taskId: string, hash: string): StoredPatch | null {
  const row = db.prepare('SELECT * FROM task_patches WHERE task_id = ? AND sha256 = ?').get(taskId, hash);
  return row ? fromRow(row) : null;
}

export function latestPatch(db: Db, taskId: string): StoredPatch | null {
  const row = db.prepare('SELECT * FROM task_patches WHERE task_id = ? ORDER BY id DESC LIMIT 1').get(taskId);
  return row ? fromRow(row) : null;
}
