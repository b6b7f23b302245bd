import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const LockFile = z.object({ pid: z.number().int().positive(), command: z.string(), since: z.number().int() });
export type EngineLockHolder = z.infer<typeof LockFile>;

export const engineLockFile = (dataDir: string) => join(dataDir, 'engine.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One task engine per data folder: two engines on one database would both
 * recover and run the same steps. Taken by creating the file exclusively; a lock whose process is
 * gone is taken over. Returns the holder when another live process has it.
 */
export function acquireEngineLock(dataDir: string, command: string): { release(): void } | { heldBy: EngineLockHolder } {
  const file = engineLockFile(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, command, since: Date.now() }), { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: EngineLockHolder | undefined;
      try {
        const parsed = LockFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
        holder = parsed.success ? parsed.data : undefined;
      } catch {
        holder = undefined;
      }
      if (holder && alive(holder.pid) && holder.pid !== process.pid) return { heldBy: holder };
      // Stale (its process is gone) or unreadable: remove it and try once more.
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take ${file}`);
}
