import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { AppFailure } from '../../../shared/errors';
import type { Logger } from '../observability/logger';
import { tightenDataFolder } from './file-modes';
import { assertNotNewer, migrate } from './migrate';
import { unpackedPath } from './native-path';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export type OpenDatabaseOptions = {
  file: string;
  logger: Logger;
  migrations?: readonly Migration[];
};

/**
 * Opens the app database: WAL, foreign keys, sqlite-vec loaded and checked, migrations applied.
 * A file that is not a database, or is damaged, is refused with a message and never overwritten.
 */
export function openDatabase(options: OpenDatabaseOptions): Db {
  const { file, logger } = options;
  const existed = file !== ':memory:' && existsSync(file);
  if (file !== ':memory:') {
    // The database's folder is the data folder: 0700, the database and its WAL 0600.
    const changed = tightenDataFolder(dirname(file), file);
    if (changed.length > 0 && existed) logger.warn({ changed }, 'tightened data folder permissions');
  }
  let db: Db;
  try {
    db = new Database(file, { fileMustExist: false });
  } catch (cause) {
    throw refuse(file, cause);
  }
  try {
    // Reading the header first: a non-database file fails here, before anything is written.
    db.pragma('schema_version');
    if (existed) {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`integrity check failed: ${String(check)}`);
    }
    const migrations = options.migrations ?? MIGRATIONS;
    assertNotNewer(db, migrations);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    loadVectorExtension(db);
    const { from, to } = migrate(db, migrations);
    if (file !== ':memory:') tightenDataFolder(dirname(file), file);
    if (from !== to) logger.info({ file, from, to }, 'database migrated');
    return db;
  } catch (cause) {
    db.close();
    if (cause instanceof AppFailure) throw cause;
    throw refuse(file, cause);
  }
}

/** A second, read-only connection for the database explorer: writes are impossible by construction. */
export function openReadOnly(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('query_only = ON');
  loadVectorExtension(db);
  return db;
}

function loadVectorExtension(db: Db): void {
  // Through the unpacked path: a packaged app's sqlite-vec sits beside app.asar, not inside it.
  db.loadExtension(unpackedPath(sqliteVec.getLoadablePath()));
  const row = db.prepare('SELECT vec_version() AS v').get() as { v: string } | undefined;
  if (!row?.v) throw new Error('sqlite-vec did not load');
}

function refuse(file: string, cause: unknown): AppFailure {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AppFailure(
    'unavailable',
    `cannot open database ${file}: ${reason}. The file was left untouched; move it aside or choose another data folder.`,
  );
}
