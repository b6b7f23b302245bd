import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { RiskTier, Task } from '../src/shared/domain/task';
import type { Db } from '../src/main/core/db/open';
import { openDatabase } from '../src/main/core/db/open';
import { Journal } from '../src/main/core/journal/journal';
import { silentLogger } from '../src/main/core/observability/logger';
import { TaskService } from '../src/main/core/tasks/task-service';
import { FakeClock, tempDir } from './helpers';

/** A migrated database, journal and fake clock for governance tests, plus a way to make tasks. */
export function governanceDb(): {
  db: Db;
  journal: Journal;
  clock: FakeClock;
  repo: string;
  newTask(options?: { riskTier?: RiskTier; mode?: Task['mode'] }): Task;
  cleanup(): void;
} {
  const data = tempDir('aa-gov-');
  const repo = tempDir('aa-gov-repo-');
  // A task's target must be a git repository's root (see tasks/target-repo.ts).
  execFileSync('git', ['init', '-q'], { cwd: repo.dir, stdio: 'ignore' });
  const clock = new FakeClock();
  const db = openDatabase({ file: join(data.dir, 'db.sqlite'), logger: silentLogger() });
  const journal = new Journal({ db, clock });
  const tasks = new TaskService({ db, journal, clock, logger: silentLogger() });
  return {
    db,
    journal,
    clock,
    repo: repo.dir,
    newTask: (options = {}) =>
      tasks.submit({
        description: 'add input validation to the signup form',
        repoPath: repo.dir,
        mode: options.mode ?? 'dry-run',
        riskTier: options.riskTier ?? 2,
        priority: 'normal',
        maxIterations: 5,
      }),
    cleanup() {
      db.close();
      data.cleanup();
      repo.cleanup();
    },
  };
}
