import type { HistoryCommit } from '../db/queries/retrieval';
import { gitOk } from '../workspace/git';

/** Commits of history kept in the index: enough for change frequencies and similar past tasks. */
export const HISTORY_COMMITS = 1000;

/**
 * The repository's history up to `rev` (newest first, merges left out): each commit's message and the
 * files it changed. Only what is already committed at `rev` is read, so a task never sees its own answer.
 * `isolated` as for `git()`: true on an app workspace, false on the user's repository (read-only here).
 * `relative`: `dir` is a working tree, maybe a folder inside the repository.
 */
export async function readGitHistory(
  dir: string,
  options: { rev?: string; limit?: number; isolated?: boolean; signal?: AbortSignal; relative?: boolean } = {},
): Promise<HistoryCommit[]> {
  // Paths unquoted (as `ls-files -z` gives them) and no signature lines in the log, whatever the user's settings.
  const args = ['-c', 'core.quotePath=false', '-c', 'log.showSignature=false', 'log', '--no-merges', '--no-renames', `-n${options.limit ?? HISTORY_COMMITS}`, '--format=%x1e%H%x00%B%x00', '--name-only'];
  // From a folder inside a repository: only its changes, with paths relative to it (as `ls-files` gives them).
  if (options.relative) args.push('--relative');
  args.push(options.rev ?? 'HEAD', '--');
  const out = await gitOk(args, { cwd: dir, isolated: options.isolated ?? true, ...(options.signal ? { signal: options.signal } : {}) });
  return parseGitHistory(out.toString('utf8'));
}

/** Parses `git log --format=%x1e%H%x00%B%x00 --name-only` output. */
export function parseGitHistory(text: string): HistoryCommit[] {
  const commits: HistoryCommit[] = [];
  for (const record of text.split('\x1e')) {
    const [sha, message, names] = record.split('\x00');
    if (!sha || !/^[0-9a-f]{40,64}$/.test(sha.trim())) continue;
    commits.push({ sha: sha.trim(), message: (message ?? '').trim(), files: (names ?? '').split('\n').filter((l) => l.trim() !== '') });
  }
  return commits;
}
