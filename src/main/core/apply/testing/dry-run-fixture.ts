import { join } from 'node:path';
import type { Db } from '../../db/open';
import type { Clock } from '../../journal/journal';
import type { Logger } from '../../observability/logger';
import type { TaskService } from '../../tasks/task-service';
import { SubmitTaskInput } from '../../../../shared/domain/task';
import { updateTaskState } from '../../db/queries/tasks';
import { sha256 } from '../../workspace/hash';
import { WorkspaceManager } from '../../workspace/manager';
import { initRepo } from '../../workspace/testing/git-fixture';
import { keepDryRunPatch } from '../dry-run';

const OPEN = { policy: { scope: { in: ['.'] }, allow: ['**'] } };

/**
 * Test support: a completed dry-run on a real git repository at `repo`, whose kept patch changes
 * `a.js` from `export const a = 1;` to `... = 2;` (the workspace is removed, as after a real run).
 */
export async function finishedDryRunOn(core: { tasks: TaskService; db: Db; dataDir: string; logger: Logger; clock: Clock }, repo: string): Promise<{ taskId: string; sha256: string }> {
  initRepo(repo, { 'a.js': 'export const a = 1;\n', 'b.js': 'b\n' });
  const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'Bump a', repoPath: repo, mode: 'dry-run' }));
  const manager = new WorkspaceManager({ root: join(core.dataDir, 'workspaces'), db: core.db, logger: core.logger, clock: core.clock });
  const ws = await manager.create({ taskId: task.id, source: repo });
  const applied = await ws.apply({ edits: [{ op: 'write', path: 'a.js', content: 'export const a = 2;\n', expectedSha256: sha256('export const a = 1;\n') }] }, OPEN);
  if (!applied.ok) throw new Error(applied.message);
  const kept = await keepDryRunPatch({ db: core.db, clock: core.clock }, ws);
  await manager.remove(task.id);
  updateTaskState(core.db, task.id, { kind: 'completed' }, 100, core.clock.now());
  return { taskId: task.id, sha256: kept.sha256 };
}
