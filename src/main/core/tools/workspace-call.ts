import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { CallToolInput, ToolCallReport } from '../../../shared/channels/tools';
import type { ToolCallOutcome, WorkspaceCallRequest } from './gateway';

/**
 * `callTool` (CLI `tools call`, REST `POST /tools/call`) as a gateway request: writes are held to
 * the given scope (an empty scope allows none), the allow-list is everything the scope names, and
 * an `ask` tool runs only when the caller approved it up front — nobody else can be asked.
 */
export function workspaceCall(input: z.output<typeof CallToolInput>): WorkspaceCallRequest {
  const actor = { who: input.actor.who, via: input.actor.via };
  return {
    tool: input.tool,
    arguments: input.arguments,
    workspace: input.workspace,
    writePolicy: input.scope.length > 0 ? { scope: { in: input.scope }, allow: ['**'] } : undefined,
    actor,
    priority: 'interactive',
    requestApproval: async () =>
      input.approve
        ? { granted: true, actor, scope: 'once' }
        : { granted: false, actor, scope: 'once', reason: 'it needs approval; pass --approve (approve: true) to run it once' },
  };
}

export function toolCallReport(outcome: ToolCallOutcome): z.output<typeof ToolCallReport> {
  if (outcome.status === 'denied') {
    return { status: 'denied', callId: outcome.callId, tool: outcome.tool, server: outcome.server, rule: outcome.rule, reason: outcome.reason, text: '', result: null, error: null, durationMs: null };
  }
  return {
    status: outcome.status,
    callId: outcome.callId,
    tool: outcome.tool,
    server: outcome.server,
    rule: null,
    reason: null,
    text: outcome.result ? resultText(outcome.result) : '',
    result: outcome.result,
    error: outcome.error,
    durationMs: outcome.durationMs,
  };
}

function resultText(result: CallToolResult): string {
  return (result.content ?? [])
    .map((c) => (c.type === 'text' ? c.text : c.type === 'resource' && 'text' in c.resource ? c.resource.text : `[${c.type}]`))
    .join('\n');
}
