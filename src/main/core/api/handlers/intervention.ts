import type { interventionChannels } from '../../../../shared/channels/intervention';
import { AppFailure } from '../../../../shared/errors';
import { standingApprovalsForTask } from '../../db/queries/standing-approvals';
import { getTask } from '../../db/queries/tasks';
import type { TaskEngine } from '../../engine/engine';
import { revokeStandingApproval } from '../../engine/standing-approvals';
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
    approve: (input) => engine().approve(input.id, input.actor, input.gate, input.scope),
    deny: (input) => engine().deny(input.id, input.actor, input.reason, input.gate),
    listStandingApprovals: (input) => {
      if (!getTask(ctx.core.db, input.taskId)) throw new AppFailure('not_found', `no task with id ${input.taskId}`);
      return standingApprovalsForTask(ctx.core.db, input.taskId, input.includeRevoked);
    },
    // Revoking needs no running engine: the engine reads live standing approvals when it reaches a gate.
    revokeApproval: (input) =>
      ctx.core.engine
        ? ctx.core.engine.revokeApproval(input.taskId, input.approvalId, input.actor)
        : revokeStandingApproval({ db: ctx.core.db, journal: ctx.core.journal, clock: ctx.core.clock }, input),
  };
}
