import type { interventionChannels } from '../../../../shared/channels/intervention';
import { AppFailure } from '../../../../shared/errors';
import type { TaskEngine } from '../../engine/engine';
import type { AreaHandlers, SessionContext } from './types';

export function interventionHandlers(ctx: SessionContext): AreaHandlers<keyof typeof interventionChannels> {
  const engine = (): TaskEngine => {
    if (!ctx.core.engine) throw new AppFailure('unavailable', 'no task engine runs in this process; start the app to steer tasks');
    return ctx.core.engine;
  };
  return {
    pauseTask: (input) => engine().pause(input.id, input.actor),
    resumeTask: (input) => engine().resume(input.id, input.actor),
    cancelTask: (input) => engine().cancel(input.id, input.actor, input.reason),
    guideTask: (input) => engine().guide(input.id, input.actor, input.text),
    overrideDecision: (input) => engine().override(input.id, input.actor, input.decision, input.reason),
    modifyTask: (input) =>
      engine().modify(input.id, input.actor, {
        maxIterations: input.maxIterations,
        timeBudgetMs: input.timeBudgetMinutes === undefined ? undefined : input.timeBudgetMinutes * 60_000,
      }),
    approve: (input) => engine().approve(input.id, input.actor, input.gate),
    deny: (input) => engine().deny(input.id, input.actor, input.reason, input.gate),
  };
}
