import type { schedulerChannels } from '../../../../shared/channels/scheduler';
import type { AreaHandlers, SessionContext } from './types';

export function schedulerHandlers(ctx: SessionContext): AreaHandlers<keyof typeof schedulerChannels> {
  const { scheduler } = ctx.core;
  return {
    getSchedulerState: () => scheduler.state(),
    listSchedulerDecisions: (input) =>
      scheduler.decisions({
        limit: input.limit,
        ...(input.beforeId !== undefined ? { beforeId: input.beforeId } : {}),
        ...(input.kinds ? { kinds: input.kinds } : {}),
        ...(input.taskId !== undefined ? { taskId: input.taskId } : {}),
      }),
    getPressureTimeline: (input) => scheduler.timeline(input.windowMs),
    getSchedulerSettings: () => scheduler.settings(),
    updateSchedulerSettings: (input) => scheduler.updateSettings(input.patch),
  };
}
