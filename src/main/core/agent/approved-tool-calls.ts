import { z } from 'zod';
import type { Db } from '../db/open';
import type { StepContext } from '../engine/step';
import { fingerprintFromSummary } from '../tools/engine-approval';
import type { ToolsService } from '../tools/service';
import { getRequest } from '../db/queries/tools';
import { parseToolCallAction, runToolAction, type ToolCallAction } from '../tools/worker-tools';

export type ApprovedToolCall = { call: ToolCallAction; prompt: string };

/**
 * The tool calls a human approved for this step, performed before the worker loop asks its model
 * again: approval re-runs the step, and the call that was approved is the one that runs, not
 * whatever the model would propose next time. Each is a journaled effect, so it runs once per
 * round however often the step runs again (later approvals, retries, a crash).
 */
export async function performApprovedToolCalls(
  tools: ToolsService,
  db: Db,
  ctx: Pick<StepContext, 'taskId' | 'approvals' | 'journalEffect' | 'logger'>,
): Promise<ApprovedToolCall[]> {
  const out: ApprovedToolCall[] = [];
  for (const [index, approval] of ctx.approvals.entries()) {
    if (approval.gate !== 'tool') continue;
    const fp = fingerprintFromSummary(approval.summary);
    const request = fp ? getRequest(db, ctx.taskId, fp) : undefined;
    if (!fp || !request) {
      ctx.logger.warn({ taskId: ctx.taskId, summary: approval.summary }, 'an approved tool call is not known; the model will be asked again');
      continue;
    }
    // The stored request is a JSON column: parsed like any model proposal.
    const parsed = parseToolCallAction({ action: 'tool_call', reason: `approved by ${approval.actor.who}`, tool: request.tool, arguments: request.arguments });
    if (!parsed.ok) {
      ctx.logger.warn({ taskId: ctx.taskId, tool: request.tool, err: parsed.error.message }, 'an approved tool call could not be read back');
      continue;
    }
    const call = parsed.value;
    const prompt = await ctx.journalEffect({ key: `tool.approved.${index}.${fp}`, kind: 'tool.call', result: z.string() }, async (attempt) => {
      // An earlier run may have made the call and stopped before recording it: never call twice.
      if (attempt.interrupted) return `The approved call of ${call.tool} may already have run before an interruption; check its effect before calling it again.`;
      const ran = await runToolAction(tools, { taskId: ctx.taskId, signal: attempt.signal, approvals: [approval] }, call);
      return ran.prompt;
    });
    out.push({ call, prompt });
  }
  return out;
}
