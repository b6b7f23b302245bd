import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PromoteCheck, PromoteResult, PromoteTarget } from '../../../shared/channels/task-actions';
import type { Actor } from '../../../shared/domain/events';
import type { Task } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { lastPromotion } from '../db/queries/promotions';
import { getTask } from '../db/queries/tasks';
import type { Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { git, gitOk } from '../workspace/git';
import { sha256 } from '../workspace/hash';
import type { ChangeApplier } from './apply-change';
import { latestPatch, type StoredPatch } from '../db/queries/task-patches';

export type PromoteDeps = {
  db: Db;
  journal: Journal;
  logger: Logger;
  /** Lands the patch: the same checks and signed commit as any apply. */
  applier: ChangeApplier;
  /** The task's working spec (id and title name the commit), when it has one. */
  specOf(taskId: string): { id: string; title: string } | null;
  /** The council's last decision on the change, as the commit trailer reads it. */
  verdictOf(taskId: string): string;
};

const short = (commit: string | null) => (commit ? commit.slice(0, 12) : 'unknown');
const firstLine = (text: string) => text.trim().split('\n')[0]?.replace(/^error: /, '') ?? '';

/**
 * Promote: apply the exact patch a dry-run kept (checked by hash) to the target as it is now, without
 * regenerating it. By default it lands on a new branch built on the repository's current HEAD, so the
 * user's branch is untouched; a repository that moved so the patch no longer applies cleanly is refused
 * with the reason and an offer to re-run the task against the new head.
 */
export class PromoteService {
  constructor(private readonly deps: PromoteDeps) {}

  async check(taskId: string): Promise<PromoteCheck> {
    const task = this.task(taskId);
    const kept = task.mode === 'dry-run' ? latestPatch(this.deps.db, taskId) : null;
    const promoted = lastPromotion(this.deps.db, taskId);
    const base: PromoteCheck = {
      taskId,
      sha256: kept?.sha256 ?? null,
      baseCommit: kept?.baseCommit ?? null,
      head: null,
      applies: false,
      moved: false,
      reason: null,
      offerRerun: false,
      promotedCommit: promoted?.commit ?? null,
    };
    if (task.mode !== 'dry-run') return { ...base, reason: `only a dry-run's kept patch can be promoted; this task ran in ${task.mode} mode` };
    if (task.state.kind !== 'completed') return { ...base, reason: `the dry-run has not finished (it is ${task.state.kind.replace(/_/g, ' ')})` };
    if (!kept) return { ...base, reason: 'the dry-run kept no patch (it produced no change)' };
    if (promoted) return { ...base, reason: `already promoted${promoted.commit ? ` as commit ${short(promoted.commit)}` : ''}` };
    const probe = await this.probe(task, kept);
    return { ...base, ...probe };
  }

  async promote(input: { id: string; sha256: string; actor: Actor; target: PromoteTarget }): Promise<PromoteResult> {
    const check = await this.check(input.id);
    if (check.reason) throw new AppFailure('conflict', `cannot promote task ${input.id}: ${check.reason}`);
    const task = this.task(input.id);
    const kept = latestPatch(this.deps.db, input.id)!;
    if (kept.sha256 !== input.sha256) {
      throw new AppFailure('conflict', `sha256: the kept patch of task ${input.id} is ${kept.sha256.slice(0, 12)}…, not the ${input.sha256.slice(0, 12)}… you asked to promote; reload it and look again`, [
        { path: 'sha256', message: 'does not match the kept patch' },
      ]);
    }
    if (sha256(kept.patch) !== kept.sha256) {
      throw new AppFailure('conflict', `the kept patch of task ${input.id} no longer matches its hash; it was altered and will not be applied`);
    }
    const spec = this.deps.specOf(input.id);
    const result = await this.deps.applier.apply({
      taskId: input.id,
      targetPath: task.repoPath,
      patch: kept.patch,
      expectedSha256: input.sha256,
      // On a new branch, build on HEAD as it is now (the probe above showed the patch applies there).
      baseCommit: check.head ?? kept.baseCommit,
      mode: input.target,
      subject: spec?.title ?? task.description.split('\n')[0]!.slice(0, 72),
      body: `${task.description}\n\nPromoted from dry-run by ${input.actor.who} (${input.actor.via}).`,
      specId: spec?.id ?? 'none',
      verdict: this.deps.verdictOf(input.id),
    });
    if (!result.ok) throw new AppFailure(result.error.code, `cannot promote task ${input.id}: ${result.error.message}`, result.error.issues);
    const v = result.value;
    const promoted: PromoteResult =
      v.kind === 'commit'
        ? { taskId: input.id, commit: v.commit, branch: v.branch, files: v.files, patchSha256: v.patchSha256 }
        : { taskId: input.id, commit: null, branch: null, files: v.files, patchSha256: v.patchSha256 };
    this.deps.journal.transaction(() => {
      this.deps.journal.append(
        input.id,
        { type: 'artifact.produced', payload: { kind: promoted.commit ? 'commit' : 'files', name: promoted.commit ?? promoted.files.join(', '), sha256: promoted.patchSha256 } },
        `${input.id}:promote:${promoted.patchSha256}:artifact`,
      );
      this.deps.journal.append(
        input.id,
        { type: 'change.promoted', payload: { actor: input.actor, patchSha256: promoted.patchSha256, commit: promoted.commit, branch: promoted.branch, files: promoted.files } },
        `${input.id}:promote:${promoted.patchSha256}`,
      );
    });
    this.deps.logger.info({ taskId: input.id, commit: promoted.commit, branch: promoted.branch }, 'dry-run promoted');
    return promoted;
  }

  private task(taskId: string): Task {
    const task = getTask(this.deps.db, taskId);
    if (!task) throw new AppFailure('not_found', `no task with id ${taskId}`);
    return task;
  }

  /** Whether the kept patch applies to the target now, read-only: a throwaway index, or `apply --check`. */
  private async probe(task: Task, kept: StoredPatch): Promise<Pick<PromoteCheck, 'head' | 'applies' | 'moved' | 'reason' | 'offerRerun'>> {
    const temp = await mkdtemp(join(tmpdir(), 'aa-promote-'));
    try {
      const patchFile = join(temp, 'change.patch');
      await writeFile(patchFile, kept.patch);
      const user = { cwd: task.repoPath, timeoutMs: 30_000 };
      const headOut = kept.sourceKind === 'git' ? await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], user).catch(() => null) : null;
      if (kept.sourceKind === 'git') {
        if (!headOut || headOut.code !== 0) {
          return { head: null, applies: false, moved: true, reason: `${task.repoPath} is no longer a git repository with a commit to apply to`, offerRerun: true };
        }
        const head = headOut.stdout.toString('utf8').trim();
        const moved = head !== kept.baseCommit;
        const index = { ...user, env: { GIT_INDEX_FILE: join(temp, 'index') } };
        await gitOk(['read-tree', head], index);
        const applied = await git(['apply', '--cached', '--check', '--whitespace=nowarn', patchFile], index);
        if (applied.code === 0) return { head, applies: true, moved, reason: null, offerRerun: false };
        const why = firstLine(applied.stderr);
        return {
          head,
          applies: false,
          moved,
          reason: moved
            ? `the repository moved since the dry-run (it was at ${short(kept.baseCommit)}, HEAD is now ${short(head)}) and the kept patch no longer applies cleanly (${why}). Re-run the task against the new head for a fresh patch.`
            : `the kept patch does not apply to ${short(head)} (${why}). Re-run the task for a fresh patch.`,
          offerRerun: true,
        };
      }
      // A plain folder: stock `git apply --check` against the files, through a private empty git directory.
      const gitDir = join(temp, 'git');
      await gitOk(['init', '--quiet', '--bare', gitDir], { cwd: temp, isolated: true });
      const check = await git([`--git-dir=${gitDir}`, `--work-tree=${task.repoPath}`, 'apply', '--check', '--whitespace=nowarn', patchFile], { cwd: task.repoPath, isolated: true });
      if (check.code === 0) return { head: null, applies: true, moved: false, reason: null, offerRerun: false };
      return {
        head: null,
        applies: false,
        moved: true,
        reason: `the folder changed since the dry-run and the kept patch no longer applies cleanly (${firstLine(check.stderr)}). Re-run the task against the folder as it is now.`,
        offerRerun: true,
      };
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
}
