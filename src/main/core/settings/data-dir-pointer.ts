import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { z } from 'zod';

/**
 * The data folder cannot be recorded in the database it locates, so the choice lives in a small
 * file at a fixed place (the desktop keeps it in Electron's userData folder) and is read at start.
 */
const Pointer = z.object({ dataDir: z.string().min(1).max(4096).refine(isAbsolute) });

export function readDataDirPointer(file: string): string | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = Pointer.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data.dataDir : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole then renamed, so a crash never leaves half a file for the next start to misread. */
export function writeDataDirPointer(file: string, dataDir: string | null): void {
  if (dataDir === null) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ dataDir }), { mode: 0o600 });
  renameSync(tmp, file);
}
