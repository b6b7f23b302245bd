import { mkdirSync } from 'node:fs';
import type { Db } from './db/open';
import { openDatabase } from './db/open';
import { Journal, systemClock, type Clock } from './journal/journal';
import type { Logger } from './observability/logger';
import { dataFiles } from './paths';
import { TaskService } from './tasks/task-service';

export type CoreOptions = {
  dataDir: string;
  logger: Logger;
  clock?: Clock;
};

/** Everything the transports need, built from plain options so it runs anywhere Node runs. */
export type Core = {
  dataDir: string;
  db: Db;
  journal: Journal;
  tasks: TaskService;
  logger: Logger;
  close(): void;
};

export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  mkdirSync(options.dataDir, { recursive: true });
  const db = openDatabase({ file: dataFiles(options.dataDir).database, logger: options.logger });
  const journal = new Journal({ db, clock });
  const tasks = new TaskService({ db, journal, clock, logger: options.logger });
  let closed = false;
  return {
    dataDir: options.dataDir,
    db,
    journal,
    tasks,
    logger: options.logger,
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
