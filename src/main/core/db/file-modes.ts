import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const loosen = (path: string, wanted: number): boolean => {
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & ~wanted) === 0) return false;
    chmodSync(path, wanted);
    return true;
  } catch {
    return false;
  }
};

/**
 * The data folder holds the database, the signing keys and every task's workspace: 0700, and the
 * database with its WAL and shared-memory files 0600 (SQLite gives the WAL the main file's mode).
 * Tightened at every start when an older version or the user left them looser. Returns what it changed.
 * No-op on Windows, whose permissions are not modes.
 */
export function tightenDataFolder(dataDir: string, databaseFile?: string): string[] {
  if (process.platform === 'win32') return [];
  const changed: string[] = [];
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (loosen(dataDir, 0o700)) changed.push(dataDir);
  if (databaseFile && !existsSync(databaseFile)) writeFileSync(databaseFile, '', { mode: 0o600, flag: 'wx' });
  const files = databaseFile ? [databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`, `${databaseFile}-journal`] : [];
  for (const f of files) if (loosen(f, 0o600)) changed.push(f);
  const keys = join(dataDir, 'keys');
  if (existsSync(keys)) {
    if (loosen(keys, 0o700)) changed.push(keys);
    for (const name of readdirSync(keys)) if (loosen(join(keys, name), 0o600)) changed.push(join(keys, name));
  }
  return changed;
}
