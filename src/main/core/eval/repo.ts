import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { EvalTask } from './suite';

/** Fixed identity and dates, so the same task always makes the same base commit. */
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'agent-agency eval',
  GIT_AUTHOR_EMAIL: 'eval@agent-agency.invalid',
  GIT_COMMITTER_NAME: 'agent-agency eval',
  GIT_COMMITTER_EMAIL: 'eval@agent-agency.invalid',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
};

const git = (cwd: string, args: string[], input?: string): string =>
  execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 32 * 1024 * 1024 });

/** Writes `file` to `dest/rel`, refusing any path that would leave `dest`. */
function place(dest: string, rel: string, from: string): void {
  const target = resolve(dest, rel);
  if (!target.startsWith(resolve(dest) + sep)) throw new Error(`${rel} is outside the repository`);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(from, target);
}

/**
 * The task's repository as a fresh git repository at `dest` (which must not exist): the task's files
 * committed once, or a clone of its git repository checked out at the commit. Returns the base commit.
 */
export function materializeRepo(task: EvalTask, dest: string): string {
  rmSync(dest, { recursive: true, force: true });
  if (task.repoGit) {
    const commit = 'git' in task.repo ? task.repo.commit : 'HEAD';
    mkdirSync(dirname(dest), { recursive: true });
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', '--no-checkout', task.repoGit, dest], { stdio: 'pipe' });
    git(dest, ['checkout', '--quiet', '--detach', commit]);
  } else {
    mkdirSync(dest, { recursive: true });
    for (const [rel, file] of task.repoFiles ?? []) place(dest, rel, file);
    git(dest, ['init', '--quiet', '--initial-branch=main']);
    git(dest, ['add', '--all']);
    git(dest, ['commit', '--quiet', '--no-gpg-sign', '-m', `eval task ${task.id}`]);
  }
  return git(dest, ['rev-parse', 'HEAD']).trim();
}

/** Applies a unified diff to the checkout; the error text of `git apply` when it does not apply. */
export function applyPatch(dir: string, patch: string): string | null {
  if (patch.trim() === '') return null;
  const file = join(tmpdir(), `aa-eval-${randomUUID()}.patch`);
  writeFileSync(file, patch.endsWith('\n') ? patch : `${patch}\n`);
  try {
    git(dir, ['apply', '--whitespace=nowarn', file]);
    return null;
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr;
    return (stderr || (e instanceof Error ? e.message : String(e))).trim().slice(0, 2_000);
  } finally {
    rmSync(file, { force: true });
  }
}

/** The reference solution: its files written over the repository, its deletions made. */
export function applySolution(task: EvalTask, dir: string): void {
  for (const [rel, file] of task.solutionFiles) place(dir, rel, file);
  for (const rel of task.solution_deletes) rmSync(resolve(dir, rel), { force: true });
}

/** The hidden grading files, copied in only after the task has ended. */
export function addHiddenFiles(task: EvalTask, dir: string): void {
  for (const [rel, file] of task.hiddenFiles) place(dir, rel, file);
}

/** The diff of everything in the checkout against its base commit (new files included). */
export function diffAgainst(dir: string, base: string): string {
  git(dir, ['add', '--all', '--intent-to-add']);
  return git(dir, ['diff', '--binary', base]);
}
