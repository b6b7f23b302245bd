import type { taskChannels } from '../../../../shared/channels/tasks';
import type { AreaHandlers, SessionContext } from './types';

export function taskHandlers(ctx: SessionContext): AreaHandlers<keyof typeof taskChannels> {
  const { tasks } = ctx.core;
  return {
    submitTask: (input) => tasks.submit(input),
    listTasks: (input) => tasks.listSummaries(input),
    getTask: (input) => tasks.get(input.id),
    subscribe: (input) => {
      const { snapshot, unsubscribe } = tasks.subscribe(input, ctx.push);
      ctx.setSubscription(unsubscribe);
      return snapshot;
    },
    unsubscribe: () => {
      ctx.setSubscription(undefined);
      return {};
    },
  };
}
