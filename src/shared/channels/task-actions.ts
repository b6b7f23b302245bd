import { z } from 'zod';
import { ActorInput } from './intervention';
import { Task, TaskId } from '../domain/task';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 (64 hex digits)');

/** Retry a failed or cancelled task (or re-run a finished one): a new task with the same inputs, linked to it. */
export const RetryTaskInput = z.strictObject({ id: TaskId, actor: ActorInput });

/**
 * Where a promote lands: `new-branch` (default) builds `agent-agency/<task>` on the repository's current
 * HEAD and leaves the user's branch alone; `current-branch` commits on the checked-out branch.
 */
export const PromoteTarget = z.enum(['new-branch', 'current-branch']);
export type PromoteTarget = z.infer<typeof PromoteTarget>;

export const PromoteTaskInput = z.strictObject({
  id: TaskId,
  /** The hash of the patch the user saw; the kept patch must still have exactly it. */
  sha256,
  actor: ActorInput,
  target: PromoteTarget.default('new-branch'),
});

/** Whether a dry-run's kept patch can be promoted now, and if not, why. */
export const PromoteCheck = z.object({
  taskId: TaskId,
  /** The kept patch's hash, null when the task kept none. */
  sha256: sha256.nullable(),
  /** The commit the dry-run worked on. */
  baseCommit: z.string().nullable(),
  /** The repository's HEAD now (null for a plain folder or an unreadable repository). */
  head: z.string().nullable(),
  /** The patch applies cleanly to HEAD (or to the folder) now. */
  applies: z.boolean(),
  /** The repository moved since the dry-run (HEAD is not the base commit). */
  moved: z.boolean(),
  /** Why it cannot be promoted, in words for the user; null when it can. */
  reason: z.string().nullable(),
  /** A re-run against the current head would help (the patch no longer applies). */
  offerRerun: z.boolean(),
  /** Already promoted: the commit it made. */
  promotedCommit: z.string().nullable(),
});
export type PromoteCheck = z.infer<typeof PromoteCheck>;

export const PromoteResult = z.object({
  taskId: TaskId,
  commit: z.string().nullable(),
  branch: z.string().nullable(),
  files: z.array(z.string()),
  patchSha256: sha256,
});
export type PromoteResult = z.infer<typeof PromoteResult>;

/** The repository check the submit form runs before it lets a task go. */
export const RepositoryCheck = z.object({
  path: z.string(),
  exists: z.boolean(),
  isGit: z.boolean(),
  /** Inside the folders tasks may target (always true when no allowed roots are configured). */
  allowed: z.boolean(),
  /** The allowed roots in force (empty: any folder). */
  allowedRoots: z.array(z.string()),
  /** What is wrong, null when the task can be submitted against it. */
  problem: z.string().nullable(),
  /** A non-blocking note (a plain folder, not git). */
  warning: z.string().nullable(),
});
export type RepositoryCheck = z.infer<typeof RepositoryCheck>;

export const TaskFolder = z.object({
  taskId: TaskId,
  /** The workspace folder (null once it was removed). */
  path: z.string().nullable(),
  /** A file manager was asked to show it (false without a display: the path is shown instead). */
  opened: z.boolean(),
});

/** Acting on a finished task: retry, promote a dry-run, reach its files; and checking a repository first. */
export const taskActionChannels = {
  retryTask: { input: RetryTaskInput, output: Task },
  checkPromote: { input: z.strictObject({ id: TaskId }), output: PromoteCheck },
  promoteTask: { input: PromoteTaskInput, output: PromoteResult },
  openTaskFolder: { input: z.strictObject({ id: TaskId, open: z.boolean().default(true) }), output: TaskFolder },
  checkRepository: { input: z.strictObject({ path: z.string().trim().min(1, 'must not be empty').max(4096, 'is too long') }), output: RepositoryCheck },
} as const;
