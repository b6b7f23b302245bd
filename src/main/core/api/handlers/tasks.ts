import type { taskChannels } from '../../../../shared/channels/tasks';
import type { AreaHandlers, SessionContext } from './types';

export function taskHandlers(ctx: SessionContext): AreaHandlers<keyof typeof taskChannels> {
  const { tasks } = ctx.core;
  return {
    submitTask: (input) => {
      // Attachments are checked before anything is stored; a refused one names its file and why.
      const { attachments = [], ...rest } = input;
      const prepared = ctx.core.attachments.prepare(attachments);
      return tasks.submit(rest, { within: (task) => ctx.core.attachments.store(task.id, prepared) });
    },
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
