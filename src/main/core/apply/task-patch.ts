import { join } from 'node:path';
import { z } from 'zod';
import { MAX_PATCH_VIEW_CHARS, type TaskPatchView } from '../../../shared/channels/changes';
import type { Db } from '../db/open';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { git } from '../workspace/git';
import { sha256 } from '../workspace/hash';
import { WorkspaceManager } from '../workspace/manager';
import { latestPayloadsOfType } from '../db/queries/events';
import { latestPatch } from '../db/queries/task-patches';

export type TaskPatchDeps = { db: Db; dataDir: string; logger: Logger; clock: Clock };

/** The same diff options a workspace uses, so a commit's patch reads (and hashes) like the one applied. */
const DIFF_ARGS = ['diff', '--binary', '--full-index', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/'];

const CommitArtifact = z.object({ kind: z.literal('commit'), name: z.string().regex(/^[0-9a-f]{40,64}$/), sha256: z.string().optional() });

/**
 * A task's current change, read without writing anything: the live workspace while it exists (the
 * change being reviewed or waiting for approval; named `kept` when a dry-run kept exactly it), else
 * the patch a dry-run kept, else the commit an apply made on the target. Null when the task has
 * produced no change.
 */
export async function readTaskPatch(deps: TaskPatchDeps, taskId: string, repoPath: string): Promise<TaskPatchView | null> {
  const now = deps.clock.now();
  const workspaces = new WorkspaceManager({ root: join(deps.dataDir, 'workspaces'), db: deps.db, logger: deps.logger, clock: deps.clock });
  const workspace = await workspaces.open(taskId).catch((e: unknown) => {
    deps.logger.warn({ err: e, taskId }, 'could not open the task workspace to read its patch');
    return null;
  });
  if (workspace) {
    // The workspace patch uses a throwaway index, so reading it never disturbs a running worker.
    const p = await workspace.patch().catch((e: unknown) => {
      deps.logger.warn({ err: e, taskId }, 'could not read the workspace patch');
      return null;
    });
    if (p) {
      // A dry-run that kept exactly this patch: say so, since that is what a promote would apply.
      const kept = latestPatch(deps.db, taskId);
      if (kept?.sha256 === p.sha256) return view('kept', kept.patch, kept.sha256, kept.baseCommit, null, kept.createdAt);
      return view('workspace', p.patch, p.sha256, p.baseCommit, null, now);
    }
  }
  const kept = latestPatch(deps.db, taskId);
  if (kept) return view('kept', kept.patch, kept.sha256, kept.baseCommit, null, kept.createdAt);
  const commit = appliedCommit(deps.db, taskId);
  if (commit) {
    // Stock git on the user's repository, read-only (GIT_OPTIONAL_LOCKS=0; a tree-to-tree diff needs no index).
    const out = await git([...DIFF_ARGS, `${commit}^`, commit], { cwd: repoPath, isolated: true, timeoutMs: 30_000 });
    if (out.code === 0) {
      const text = out.stdout.toString('utf8');
      const parent = await git(['rev-parse', `${commit}^`], { cwd: repoPath, isolated: true, timeoutMs: 10_000 });
      return view('commit', text, sha256(text), parent.code === 0 ? parent.stdout.toString('utf8').trim() : null, commit, now);
    }
    deps.logger.warn({ taskId, commit, stderr: out.stderr.slice(0, 300) }, 'could not read the applied commit');
  }
  return null;
}

function view(source: TaskPatchView['source'], patch: string, hash: string, baseCommit: string | null, commit: string | null, at: number): TaskPatchView {
  const truncated = patch.length > MAX_PATCH_VIEW_CHARS;
  return { source, patch: truncated ? patch.slice(0, MAX_PATCH_VIEW_CHARS) : patch, sha256: hash, truncated, baseCommit, commit, at };
}

/** The commit an apply journaled for the task (its `artifact.produced` of kind `commit`). */
function appliedCommit(db: Db, taskId: string): string | null {
  for (const payload of latestPayloadsOfType(db, taskId, 'artifact.produced', 50)) {
    const parsed = CommitArtifact.safeParse(payload);
    if (parsed.success) return parsed.data.name;
  }
  return null;
}
