import { err, type Result } from '../../../shared/errors';
import type { Db } from '../db/open';
import type { Clock } from '../journal/journal';
import { sha256 } from '../workspace/hash';
import type { Workspace } from '../workspace/workspace';
import type { AppliedChange, ApplyRequest, ChangeApplier } from './apply-change';
import { getPatch, savePatch, type StoredPatch } from '../db/queries/task-patches';

/**
 * The result of a dry-run: the exact patch, kept in the database. Reading the workspace is all it does;
 * the target repository is not opened.
 */
export async function keepDryRunPatch(deps: { db: Db; clock: Clock }, workspace: Workspace): Promise<StoredPatch> {
  const produced = await workspace.patch();
  return savePatch(deps.db, {
    taskId: workspace.taskId,
    baseCommit: produced.baseCommit,
    sourceKind: workspace.record.kind,
    patch: produced.patch,
    files: produced.files,
    createdAt: deps.clock.now(),
  });
}

export type PromoteRequest = Omit<ApplyRequest, 'patch' | 'expectedSha256' | 'baseCommit'> & {
  /** The hash the user saw and approved; the stored patch must still have it. */
  sha256: string;
};

/**
 * Applies a kept dry-run patch without regenerating it: the stored bytes are re-hashed and must match
 * both the stored hash and the one requested, then go through the same checks as any apply.
 */
export async function promoteDryRun(deps: { db: Db; applier: ChangeApplier }, request: PromoteRequest): Promise<Result<AppliedChange>> {
  const stored = getPatch(deps.db, request.taskId, request.sha256);
  if (!stored) return err('not_found', `no kept patch ${request.sha256.slice(0, 12)}… for task ${request.taskId}`);
  if (sha256(stored.patch) !== stored.sha256) {
    return err('conflict', `the kept patch for task ${request.taskId} no longer matches its hash; it was altered and will not be applied`);
  }
  const { sha256: expected, ...rest } = request;
  return deps.applier.apply({ ...rest, patch: stored.patch, expectedSha256: expected, baseCommit: stored.baseCommit });
}
