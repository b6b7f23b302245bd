import { z } from 'zod';
import { TaskId } from '../domain/task';

/** Most characters of patch text one answer carries; the hash always covers the whole patch. */
export const MAX_PATCH_VIEW_CHARS = 2_000_000;

export const PATCH_SOURCES = [
  /** The task's workspace as it is now (the change under review or waiting for approval). */
  'workspace',
  /** The patch a dry-run kept in the database (what a promote would apply). */
  'kept',
  /** The commit an apply made on the target repository. */
  'commit',
] as const;

export const TaskPatchView = z.object({
  source: z.enum(PATCH_SOURCES),
  /** Unified diff as `git diff` writes it; cut at MAX_PATCH_VIEW_CHARS when `truncated`. */
  patch: z.string(),
  /** sha256 of the whole patch (the hash apply and promote check). */
  sha256: z.string(),
  truncated: z.boolean(),
  /** The commit the patch applies to, when known. */
  baseCommit: z.string().nullable(),
  /** The applied commit, for source `commit`. */
  commit: z.string().nullable(),
  /** When the patch was kept or read. */
  at: z.number().int(),
});
export type TaskPatchView = z.infer<typeof TaskPatchView>;

/** A task's change as a patch, read-only: for the diff viewer and the approval prompt. */
export const changeChannels = {
  /** The task's current change; null when it has none yet (not executed, or its workspace is gone). */
  getTaskPatch: { input: z.strictObject({ taskId: TaskId }), output: TaskPatchView.nullable() },
} as const;
