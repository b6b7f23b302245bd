import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppFailure, err, ok, type Result } from '../../../shared/errors';
import type { Logger } from '../observability/logger';
import { APP_IDENTITY, git, gitOk, gitText, splitZ, type GitOptions } from '../workspace/git';
import { sha256 } from '../workspace/hash';
import { taskBranch } from '../workspace/manager';
import { checkPathSyntax } from '../workspace/path-rules';
import { APPLY_STATEMENT_TYPE, buildCommitMessage, parseTrailerLines, TRAILER_KEYS, type SignFn } from '../provenance/trailers';

export type ApplyMode = 'new-branch' | 'current-branch';

export type ApplyRequest = {
  taskId: string;
  /** The user's repository (or plain folder) the task targets. */
  targetPath: string;
  /** The exact patch, as a dry-run or the workspace produced it. */
  patch: string;
  /** sha256 the patch must have; a patch that does not match is refused. */
  expectedSha256: string;
  /** Commit the patch was made against (the workspace's base). */
  baseCommit: string;
  /** Default: a new branch `agent-agency/<task id>` from the base commit; the user's branch is untouched. */
  mode?: ApplyMode;
  branch?: string;
  subject: string;
  body?: string;
  specId: string;
  /** The council's decision as it should read in the trailer, e.g. `accept (score 0.82)`. */
  verdict: string;
  signal?: AbortSignal;
};

export type AppliedChange =
  | {
      kind: 'commit';
      commit: string;
      branch: string;
      parent: string;
      tree: string;
      mode: ApplyMode;
      files: string[];
      patchSha256: string;
      signature: string;
    }
  | { kind: 'files'; files: string[]; patchSha256: string };

export type ApplyChangeOptions = {
  sign: SignFn;
  logger: Logger;
  /** Author and committer of applied commits; defaults to the app's identity. */
  identity?: { name: string; email: string };
};

/**
 * Lands an accepted patch on the target. On a git repository it builds the commit in a throwaway index
 * (`read-tree`, `apply --cached`, `write-tree`, `commit-tree`) and only then moves a ref, so the user's
 * working tree, index and HEAD are untouched in the default new-branch mode; in current-branch mode the
 * touched files (checked clean first) are updated with `git apply --index`, atomically, and the branch
 * is moved with a compare-and-swap. A target with uncommitted changes in a touched file is refused.
 * A plain folder gets the files patched in place, all-or-nothing.
 */
export class ChangeApplier {
  constructor(private readonly options: ApplyChangeOptions) {}

  async apply(request: ApplyRequest): Promise<Result<AppliedChange>> {
    try {
      return ok(await this.applyOrThrow(request));
    } catch (e) {
      if (e instanceof AppFailure) return err(e.code, e.message, e.issues);
      this.options.logger.error({ err: e, taskId: request.taskId }, 'apply failed');
      return err('internal', `apply failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async applyOrThrow(request: ApplyRequest): Promise<AppliedChange> {
    const patchSha256 = sha256(request.patch);
    if (patchSha256 !== request.expectedSha256) {
      throw new AppFailure('conflict', `the patch does not match its recorded hash (expected ${request.expectedSha256.slice(0, 12)}…, got ${patchSha256.slice(0, 12)}…); refusing to apply it`);
    }
    if (request.patch.trim() === '') throw new AppFailure('invalid_input', 'the change is empty; there is nothing to apply');
    const target = await realpath(request.targetPath).catch(() => null);
    if (!target) throw new AppFailure('not_found', `the target ${request.targetPath} does not exist`);

    const temp = await mkdtemp(join(tmpdir(), 'aa-apply-'));
    try {
      const patchFile = join(temp, 'change.patch');
      await writeFile(patchFile, request.patch);
      const files = await touchedFiles(temp, patchFile);
      const top = await git(['rev-parse', '--show-toplevel'], { cwd: target });
      const isRepoRoot = top.code === 0 && (await realpath(top.stdout.toString('utf8').trim())) === target;
      if (top.code === 0 && !isRepoRoot) throw new AppFailure('invalid_input', `${target} is inside a git repository but is not its root; apply to the repository root`);
      if (!isRepoRoot) return await this.applyToFolder(target, temp, patchFile, files, patchSha256);
      return await this.applyToRepo(request, target, temp, patchFile, files, patchSha256);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  private async applyToRepo(request: ApplyRequest, target: string, temp: string, patchFile: string, files: string[], patchSha256: string): Promise<AppliedChange> {
    const mode = request.mode ?? 'new-branch';
    const user: GitOptions = { cwd: target, ...(request.signal ? { signal: request.signal } : {}), env: { GIT_LITERAL_PATHSPECS: '1' } };
    await refuseDirty(target, files, user);

    let branch: string;
    let parent: string;
    if (mode === 'new-branch') {
      branch = request.branch ?? taskBranch(request.taskId);
      if ((await git(['check-ref-format', '--branch', branch], user)).code !== 0) throw new AppFailure('invalid_input', `${branch} is not a valid branch name`);
      if ((await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], user)).code === 0) {
        throw new AppFailure('conflict', `the branch ${branch} already exists in ${target}; delete or rename it, or apply to another branch`);
      }
      const base = await git(['rev-parse', '--verify', '--quiet', `${request.baseCommit}^{commit}`], user);
      if (base.code !== 0) throw new AppFailure('not_found', `the commit the change was made on (${request.baseCommit.slice(0, 12)}) is no longer in ${target}`);
      parent = base.stdout.toString('utf8').trim();
    } else {
      const head = await git(['symbolic-ref', '--quiet', 'HEAD'], user);
      if (head.code !== 0) throw new AppFailure('conflict', `${target} has a detached HEAD; check out a branch or apply to a new branch`);
      const ref = head.stdout.toString('utf8').trim();
      branch = ref.replace(/^refs\/heads\//, '');
      await refuseOperationInProgress(target, user);
      const headCommit = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], user);
      if (headCommit.code !== 0) throw new AppFailure('conflict', `${target} has no commit on ${branch} yet`);
      parent = headCommit.stdout.toString('utf8').trim();
    }

    // Build the commit in a throwaway index: nothing of the user's is touched yet.
    const index = { ...user, env: { ...user.env, GIT_INDEX_FILE: join(temp, 'index') } };
    await gitOk(['read-tree', parent], index);
    const applied = await git(['apply', '--cached', '--whitespace=nowarn', patchFile], index);
    if (applied.code !== 0) {
      throw new AppFailure('conflict', `the change no longer applies to ${branch} (${parent.slice(0, 12)}): ${applied.stderr.trim().split('\n').slice(0, 3).join(' ')}`);
    }
    const tree = await gitText(['write-tree'], index);
    const signature = await this.options.sign({
      type: APPLY_STATEMENT_TYPE,
      taskId: request.taskId,
      specId: request.specId,
      verdict: request.verdict,
      patchSha256,
      parent,
      tree,
    });
    const message = buildCommitMessage(request.subject, request.body, { taskId: request.taskId, specId: request.specId, verdict: request.verdict, signature });
    const messageFile = join(temp, 'message');
    await writeFile(messageFile, message);
    const who = this.options.identity ?? APP_IDENTITY;
    const identityEnv = { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
    const commit = await gitText(['commit-tree', '--no-gpg-sign', tree, '-p', parent, '-F', messageFile], { ...user, env: { ...user.env, ...identityEnv } });

    if (mode === 'new-branch') {
      // `create` fails if the branch appeared meanwhile: never moves someone else's branch.
      await updateRefs(user, `create refs/heads/${branch} ${commit}\n`, `the branch ${branch} appeared while the change was being applied`);
    } else {
      await moveCurrentBranch(user, target, branch, parent, commit);
    }
    await verifyTrailers(user, commit, request.taskId);
    this.options.logger.info({ taskId: request.taskId, commit, branch, mode }, 'change applied');
    return { kind: 'commit', commit, branch, parent, tree, mode, files, patchSha256, signature };
  }

  private async applyToFolder(target: string, temp: string, patchFile: string, files: string[], patchSha256: string): Promise<AppliedChange> {
    // A private, empty git directory lets stock `git apply` patch a plain folder (atomically: it checks
    // every hunk before writing) without any repository around it being involved.
    const gitDir = join(temp, 'git');
    await gitOk(['init', '--quiet', '--bare', gitDir], { cwd: temp, isolated: true });
    const opts: GitOptions = { cwd: target, isolated: true };
    const args = [`--git-dir=${gitDir}`, `--work-tree=${target}`, 'apply', '--whitespace=nowarn'];
    const check = await git([...args, '--check', patchFile], opts);
    if (check.code !== 0) {
      throw new AppFailure('conflict', `the change does not apply to ${target} (its files changed since the task read them); nothing was changed: ${check.stderr.trim().split('\n')[0] ?? ''}`);
    }
    await gitOk([...args, patchFile], opts);
    return { kind: 'files', files, patchSha256 };
  }
}

/** Paths the patch touches, each checked by the same rules as a worker's edits. */
async function touchedFiles(temp: string, patchFile: string): Promise<string[]> {
  const result = await git(['apply', '--numstat', '-z', patchFile], { cwd: temp, isolated: true });
  if (result.code !== 0) throw new AppFailure('invalid_input', `the patch is malformed: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  const files = splitZ(result.stdout).map((line) => line.split('\t').slice(2).join('\t'));
  for (const file of files) {
    const check = checkPathSyntax(file);
    if (!check.ok) throw new AppFailure('forbidden', `the patch touches ${file}, which is blocked (${check.violation.rule}: ${check.violation.message})`);
  }
  if (files.length === 0) throw new AppFailure('invalid_input', 'the patch touches no files');
  return files;
}

const STATUS_WORDS: Record<string, string> = { M: 'modified', A: 'added', D: 'deleted', R: 'renamed', C: 'copied', U: 'unmerged', T: 'type changed', '?': 'untracked', '!': 'ignored' };

async function refuseDirty(target: string, files: string[], user: GitOptions): Promise<void> {
  const out = await gitOk(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignored=matching', '--', ...files], user);
  const entries = splitZ(out);
  const dirty: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const xy = entry.slice(0, 2);
    const path = entry.slice(3);
    if (xy[0] === 'R' || xy[0] === 'C') i++; // the original path follows a rename
    const code = xy[0] !== ' ' ? xy[0]! : xy[1]!;
    dirty.push(`${path} (${STATUS_WORDS[code] ?? 'changed'})`);
  }
  if (dirty.length > 0) {
    throw new AppFailure(
      'conflict',
      `refusing to apply: ${target} has uncommitted changes in files this change touches: ${dirty.join(', ')}. Commit, stash or move them and apply again; nothing was changed.`,
    );
  }
}

async function refuseOperationInProgress(target: string, user: GitOptions): Promise<void> {
  const gitDir = await gitText(['rev-parse', '--path-format=absolute', '--git-dir'], user);
  for (const marker of ['MERGE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD', 'rebase-merge', 'rebase-apply', 'BISECT_LOG']) {
    if (existsSync(join(gitDir, marker))) throw new AppFailure('conflict', `${target} is in the middle of a git operation (${marker}); finish or abort it first`);
  }
}

/**
 * Moves the checked-out branch, its index and the touched files to `commit` in ONE git command
 * (a fast-forward, which refuses when a file it must change has local changes and keeps every other
 * local change, staged or not). A host killed at any moment thus leaves the old state or the new one, never files
 * written with the branch not moved: the git command is not killed with its parent, and it is not
 * given the abort signal, so a cancel cannot cut it short either.
 */
async function moveCurrentBranch(user: GitOptions, target: string, branch: string, parent: string, commit: string): Promise<void> {
  const { signal: _signal, ...unabortable } = user;
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], unabortable);
  if (head.stdout.toString('utf8').trim() !== parent) throw new AppFailure('conflict', `${branch} moved while the change was being applied; nothing was changed`);
  // A fast-forward is checkout's two-tree merge plus the ref move: staged and unstaged work in other
  // files stays as it was. The user's hooks do not run and signature policy does not apply to it.
  const moved = await git(['-c', 'core.hooksPath=/dev/null', 'merge', '--ff-only', '--quiet', '--no-verify-signatures', '--no-stat', commit], {
    ...unabortable,
    env: { ...unabortable.env, GIT_REFLOG_ACTION: 'agent-agency: apply change' },
  });
  if (moved.code !== 0) {
    throw new AppFailure('conflict', `the change could not be written to the working tree of ${target}; nothing was changed: ${moved.stderr.trim().split('\n')[0] ?? ''}`);
  }
}

async function updateRefs(user: GitOptions, commands: string, conflictMessage: string): Promise<void> {
  const result = await git(['update-ref', '--stdin', '-m', 'agent-agency: apply change'], { ...user, input: commands });
  if (result.code !== 0) throw new AppFailure('conflict', `${conflictMessage}: ${result.stderr.trim().split('\n')[0] ?? ''}`);
}

/** Reads the trailers back with stock git, so a commit git would not parse is caught here. */
async function verifyTrailers(user: GitOptions, commit: string, taskId: string): Promise<void> {
  const text = await gitText(['log', '-1', '--format=%(trailers:only,unfold)', commit], user);
  const trailers = parseTrailerLines(text);
  for (const key of Object.values(TRAILER_KEYS)) {
    if (!trailers[key]?.length) throw new AppFailure('internal', `commit ${commit.slice(0, 12)} lacks the ${key} trailer as git reads it`);
  }
  if (trailers[TRAILER_KEYS.task]![0] !== taskId) throw new AppFailure('internal', `commit ${commit.slice(0, 12)} names the wrong task`);
}
