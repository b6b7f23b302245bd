import type { governanceChannels } from '../../../../shared/channels/governance';
import { userInfo } from 'node:os';
import { AppFailure } from '../../../../shared/errors';
import { HUMAN_CHANNELS, type HumanChannel } from '../../waivers/waiver-service';
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
    approveWaiver: (input) => {
      // The channel comes from the transport, never from the input: MCP (models) and unknown clients are refused.
      const via = ctx.channel.via;
      if (!ctx.channel.human || !(HUMAN_CHANNELS as readonly string[]).includes(via)) {
        throw new AppFailure('forbidden', `approver: a waiver must be approved by a person (window, menu bar, CLI or API), not through ${via}`, [
          { path: 'approver', message: `not a human channel (${via})` },
        ]);
      }
      return waivers.approve(input.id, { who: input.approver, via: via as HumanChannel, osUser: osUser() });
    },
    revokeWaiver: (input) => waivers.revoke(input.id, input.revokedBy, input.reason),
    getPolicy: () => policy.get(),
    setPolicy: (input) => policy.update(input.patch, input.actor),
  };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? '';
  }
}
