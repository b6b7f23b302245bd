import type { governanceChannels } from '../../../../shared/channels/governance';
import { AppFailure } from '../../../../shared/errors';
import { getTask } from '../../db/queries/tasks';
import { editTaskSpec, taskSpecView, validateSpecText } from '../../governance-steps/spec-edits';
import type { AreaHandlers, SessionContext } from './types';

export function governanceHandlers(ctx: SessionContext): AreaHandlers<keyof typeof governanceChannels> {
  const { policy, waivers, governance, db } = ctx.core;
  const requireTask = (taskId: string) => {
    if (!getTask(db, taskId)) throw new AppFailure('not_found', `no task with id ${taskId}`);
  };
  return {
    validateSpec: (input) => validateSpecText(input.yaml),
    getTaskSpec: (input) => {
      requireTask(input.taskId);
      return taskSpecView(governance, input.taskId);
    },
    updateTaskSpec: (input) => editTaskSpec(db, governance, input.taskId, input.yaml, input.actor),
    getTaskGates: (input) => {
      requireTask(input.taskId);
      const run = governance.latestGates(input.taskId);
      return { runId: run?.runId ?? null, createdAt: run?.createdAt ?? null, results: run?.results ?? [] };
    },
    getTaskVerdicts: (input) => {
      requireTask(input.taskId);
      return { verdicts: governance.verdicts(input.taskId).map((v) => ({ id: v.id, subject: v.subject, createdAt: v.createdAt, verdict: v.verdict, rounds: v.rounds })) };
    },
    listWaivers: () => waivers.list(),
    createWaiver: (input) => waivers.create(input),
    approveWaiver: (input) => waivers.approve(input.id, input.approver),
    revokeWaiver: (input) => waivers.revoke(input.id, input.revokedBy, input.reason),
    getPolicy: () => policy.get(),
    setPolicy: (input) => policy.update(input.patch, input.actor),
  };
}
