import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from '../workspace/git';

/** Beyond this many files a folder is simply "large": counting further changes no estimate. */
export const MAX_COUNTED_FILES = 200_000;
const SKIPPED = new Set(['.git', 'node_modules']);

/**
 * The size of a repository in files: what git tracks (`git ls-files`, the user's index read with
 * optional locks off), or, for a folder that is not a git repository, its files counted by walking it
 * (`.git` and `node_modules` skipped) up to MAX_COUNTED_FILES. Null when the folder cannot be read.
 */
export async function repositoryFiles(path: string, signal?: AbortSignal): Promise<number | null> {
  try {
    const out = await git(['ls-files', '-z'], { cwd: path, timeoutMs: 30_000, ...(signal ? { signal } : {}) });
    if (out.code === 0) return Math.min(MAX_COUNTED_FILES, countNul(out.stdout));
  } catch {
    // No git, or not a folder: try walking it.
  }
  try {
    return await walkCount(path, signal);
  } catch {
    return null;
  }
}

function countNul(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(0); i !== -1; i = b.indexOf(0, i + 1)) n++;
  return n;
}

async function walkCount(root: string, signal?: AbortSignal): Promise<number> {
  let count = 0;
  const stack = [root];
  while (stack.length > 0 && count < MAX_COUNTED_FILES) {
    signal?.throwIfAborted();
    const dir = stack.pop()!;
    for await (const entry of await opendir(dir)) {
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) stack.push(join(dir, entry.name));
      } else if (entry.isFile()) count++;
    }
  }
  return Math.min(count, MAX_COUNTED_FILES);
}
