import type { Database } from 'better-sqlite3';
import { AppFailure } from '../../../shared/errors';
import type { Migration } from './migrations';

/**
 * Applies every pending migration in one transaction and records the result in `user_version`.
 * A database written by newer code is refused rather than guessed at.
 */
export function migrate(db: Database, migrations: readonly Migration[]): { from: number; to: number } {
  const current = assertNotNewer(db, migrations);
  const latest = latestVersion(migrations);
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return { from: current, to: current };
  db.transaction(() => {
    for (const m of pending) db.exec(m.sql);
    db.pragma(`user_version = ${latest}`);
  }).immediate();
  return { from: current, to: latest };
}

const latestVersion = (migrations: readonly Migration[]) =>
  migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;

/** Reads the schema version, refusing one newer than `migrations` know; call before anything writes. */
export function assertNotNewer(db: Database, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = latestVersion(migrations);
  if (current > latest) {
    throw new AppFailure(
      'conflict',
      `database schema version ${current} is newer than this app understands (${latest}); update the app or choose another data folder — the file was left untouched`,
    );
  }
  return current;
}
