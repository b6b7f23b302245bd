import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { git, gitOk } from '../workspace/git';
import { readGitHistory } from './history';
import type { IndexSource } from './repo-index';

/** Files listed from a folder without git, at most this many (a home folder picked by mistake stays cheap). */
const MAX_WALKED = 20_000;
const MAX_READ_BYTES = 512 * 1024;
const WALK_SKIP = new Set(['.git', 'node_modules', 'dist', 'build', 'out', 'target', 'coverage', '.venv', 'venv', '__pycache__', '.next', '.cache', 'vendor']);

/**
 * A repository folder as the index reads it, without writing anything to it. In a git repository,
 * committed files are named by their blob hash (so an unchanged file is never read again) and files
 * changed or added in the working tree by the hash of their content; the history is the repository's
 * own log up to HEAD. A folder without git is walked and every file hashed.
 */
export function folderSource(dir: string, options: { signal?: AbortSignal } = {}): IndexSource {
  const run = (args: string[]) => gitOk(args, { cwd: dir, isolated: false, ...(options.signal ? { signal: options.signal } : {}) }).then((b) => b.toString('utf8'));
  let isGit: Promise<boolean> | undefined;
  const gitRepo = () => (isGit ??= git(['rev-parse', '--is-inside-work-tree'], { cwd: dir, isolated: false }).then((r) => r.code === 0 && r.stdout.toString().trim() === 'true', () => false));
  const read = (path: string): string | null => {
    try {
      const full = join(dir, path);
      const st = lstatSync(full);
      if (!st.isFile() || st.size > MAX_READ_BYTES) return null;
      const buf = readFileSync(full);
      return buf.includes(0) ? null : buf.toString('utf8');
    } catch {
      return null;
    }
  };
  const contentHash = (path: string): string | null => {
    const text = read(path);
    return text === null ? null : `w:${createHash('sha256').update(text).digest('hex')}`;
  };
  return {
    async files() {
      if (!(await gitRepo())) {
        return walk(dir).flatMap((path) => {
          const hash = contentHash(path);
          return hash === null ? [] : [{ path, hash }];
        });
      }
      const staged = new Map<string, string>();
      for (const line of (await run(['ls-files', '-s', '-z'])).split('\0')) {
        const m = /^\d+ ([0-9a-f]+) \d\t(.+)$/s.exec(line);
        if (m) staged.set(m[2]!, m[1]!);
      }
      const deleted = new Set((await run(['ls-files', '-d', '-z'])).split('\0').filter(Boolean));
      const worktree = [...(await run(['ls-files', '-m', '-z'])).split('\0'), ...(await run(['ls-files', '-o', '--exclude-standard', '-z'])).split('\0')].filter(Boolean);
      for (const path of worktree) {
        if (deleted.has(path)) continue;
        const hash = contentHash(path);
        if (hash === null) staged.delete(path);
        else staged.set(path, hash);
      }
      return [...staged].filter(([path]) => !deleted.has(path)).map(([path, hash]) => ({ path, hash }));
    },
    read: async (path) => read(path),
    async history() {
      if (!(await gitRepo())) return [];
      // A repository without commits yet has no history to read.
      return readGitHistory(dir, { isolated: false, relative: true, ...(options.signal ? { signal: options.signal } : {}) }).catch(() => []);
    },
  };
}

function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (folder: string) => {
    let names: string[];
    try {
      names = readdirSync(folder).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= MAX_WALKED) return;
      const full = join(folder, name);
      let st;
      try {
        st = lstatSync(full);
      } catch {
        continue;
      }
      // Links are not followed: they could lead outside the repository.
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) {
        if (!WALK_SKIP.has(name)) visit(full);
      } else if (st.isFile()) out.push(relative(root, full).split('\\').join('/'));
    }
  };
  visit(root);
  return out;
}
