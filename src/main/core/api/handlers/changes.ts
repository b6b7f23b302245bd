import type { changeChannels } from '../../../../shared/channels/changes';
import { AppFailure } from '../../../../shared/errors';
import { readTaskPatch } from '../../apply/task-patch';
import { getTask } from '../../db/queries/tasks';
import type { AreaHandlers, SessionContext } from './types';

/** A task's change as a patch (read-only). */
export function changeHandlers(ctx: SessionContext): AreaHandlers<keyof typeof changeChannels> {
  const { db, dataDir, logger, clock } = ctx.core;
  return {
    getTaskPatch: async (input) => {
      const task = getTask(db, input.taskId);
      if (!task) throw new AppFailure('not_found', `no task with id ${input.taskId}`);
      return readTaskPatch({ db, dataDir, logger, clock }, task.id, task.repoPath);
    },
  };
}
