import type { Actor } from '../../../shared/domain/events';
import type { Db } from '../db/open';
import type { Clock } from '../journal/journal';
import type { ApprovalDecision, ApprovalRequest, RequestApproval } from './policy';
import { canonicalJson } from '../db/canonical';
import { recordRequest } from '../db/queries/tools';

/**
 * Strict mode's approval flow for tool calls, as the task engine runs it: a step cannot wait for a
 * human, so it stops with `{ awaitApproval: { gate: 'tool', summary } }`; the engine journals the
 * request and moves the task to awaiting_approval (waitingFor 'tool'); approving it (once, for
 * this task or always — see ToolsService.approveCall) runs the step again, and the same call then
 * finds its approval among `ctx.approvals`. Denying it fails the task.
 */

/** Thrown by the engine's RequestApproval when a human must be asked; the step returns `awaitApproval`. */
export class ToolApprovalPending extends Error {
  readonly awaitApproval: { gate: 'tool'; summary: string };

  constructor(
    readonly taskId: string,
    readonly tool: string,
    summary: string,
  ) {
    super(`waiting for approval: ${summary}`);
    this.name = 'ToolApprovalPending';
    this.awaitApproval = { gate: 'tool', summary };
  }
}

/** What a step returns to stop for the approval (`StepSet` outcome `AwaitApproval`). */
export function toAwaitApproval(e: unknown): { awaitApproval: { gate: 'tool'; summary: string } } | undefined {
  return e instanceof ToolApprovalPending ? { awaitApproval: e.awaitApproval } : undefined;
}

const TAG = /\[tool-call ([0-9a-f]{24})\]$/;

export const summaryWithFingerprint = (summary: string, fp: string) => `${summary.slice(0, 3_900)} [tool-call ${fp}]`;

export function fingerprintFromSummary(summary: string): string | undefined {
  return TAG.exec(summary)?.[1];
}

/** The slice of a StepContext this needs (kept narrow so any step-like caller can supply it). */
export type ApprovalContext = {
  taskId: string;
  approvals: readonly { gate: string; summary: string; actor: Actor }[];
};

/**
 * A RequestApproval for code running inside an engine step. Each granted approval answers one call
 * (approve once): a second identical call in the same attempt asks again.
 */
export function engineApproval(ctx: ApprovalContext, deps: { db: Db; clock: Clock }): RequestApproval {
  const used = new Set<number>();
  return async (request: ApprovalRequest): Promise<ApprovalDecision> => {
    const index = ctx.approvals.findIndex((a, i) => !used.has(i) && a.gate === 'tool' && fingerprintFromSummary(a.summary) === request.fingerprint);
    if (index >= 0) {
      used.add(index);
      return { granted: true, actor: ctx.approvals[index]!.actor, scope: 'once' };
    }
    // Kept so the approver can see the call in full and approve it for the task or always.
    recordRequest(deps.db, {
      taskId: ctx.taskId,
      fingerprint: request.fingerprint,
      tool: request.tool,
      argumentsJson: canonicalJson(request.args),
      at: deps.clock.now(),
    });
    throw new ToolApprovalPending(ctx.taskId, request.tool, summaryWithFingerprint(request.summary, request.fingerprint));
  };
}
