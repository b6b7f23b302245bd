import { constants as FS } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';

export class SizeCapExceeded extends Error {
  constructor(readonly limit: number) {
    super(`the workspace would exceed its size cap of ${formatBytes(limit)}`);
    this.name = 'SizeCapExceeded';
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/**
 * Copies a plain folder into a workspace: files (cloned where the file system can), folders and
 * symbolic links as links (never followed, so a link cannot pull outside content in). Sockets, pipes
 * and devices are skipped. Stops with SizeCapExceeded as soon as the copy passes `maxBytes`.
 */
export async function copyTree(src: string, dst: string, options: { maxBytes: number; signal?: AbortSignal }): Promise<number> {
  let total = 0;
  const walk = async (from: string, to: string): Promise<void> => {
    options.signal?.throwIfAborted();
    const st = await lstat(from);
    await mkdir(to, { recursive: true });
    await chmod(to, st.mode & 0o7777);
    for (const entry of await readdir(from, { withFileTypes: true })) {
      const a = join(from, entry.name);
      const b = join(to, entry.name);
      if (entry.isSymbolicLink()) {
        await symlink(await readlink(a), b);
      } else if (entry.isDirectory()) {
        await walk(a, b);
      } else if (entry.isFile()) {
        const fst = await lstat(a);
        total += fst.size;
        if (total > options.maxBytes) throw new SizeCapExceeded(options.maxBytes);
        await copyFile(a, b, FS.COPYFILE_FICLONE);
        await chmod(b, fst.mode & 0o7777);
      }
    }
  };
  await walk(src, dst);
  return total;
}

/** Bytes of regular files under `dir`, links not followed; stops counting past `stopAfter`. */
export async function treeSize(dir: string, stopAfter = Number.POSITIVE_INFINITY): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0 && total <= stopAfter) {
    const current = stack.pop()!;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const p = join(current, entry.name);
      if (entry.isDirectory()) stack.push(p);
      else if (entry.isFile()) total += (await lstat(p).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}
