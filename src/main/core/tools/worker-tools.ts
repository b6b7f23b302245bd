import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { QualifiedToolName } from '../../../shared/channels/tools';
import type { Actor } from '../../../shared/domain/events';
import { describeZodError, err, ok, type Result } from '../../../shared/errors';
import type { JsonSchema } from '../models/types';
import type { WorkPriority } from '../scheduler/admission';
import type { ToolCallOutcome } from './gateway';
import type { ToolsService } from './service';

/**
 * What the worker loop needs to let its model use tools: the `tool_call` action (schema for
 * constrained generation, zod for the answer), the catalogue as prompt text, and `runToolAction`,
 * which makes the proposed call a governed one and formats its result for the next prompt.
 */

export const TOOL_CALL_ACTION = 'tool_call';

/**
 * The action's JSON schema. Arguments travel as a JSON string because a grammar needs a fixed
 * shape and every tool's arguments differ; they are parsed and checked afterwards.
 */
export const TOOL_CALL_JSON_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    action: { enum: [TOOL_CALL_ACTION] },
    reason: { type: 'string' },
    tool: { type: 'string' },
    arguments_json: { type: 'string' },
  },
  required: ['action', 'reason', 'tool', 'arguments_json'],
  additionalProperties: false,
};

const ArgumentsObject = z.record(z.string(), z.unknown());

/** The model's proposal. `arguments` (an object) is accepted too, for providers that can emit one. */
export const ToolCallAction = z
  .object({
    action: z.literal(TOOL_CALL_ACTION),
    reason: z.string().max(4_000).default(''),
    tool: QualifiedToolName,
    arguments_json: z.string().max(2_000_000).optional(),
    arguments: ArgumentsObject.optional(),
  })
  .transform((a, ctx) => {
    let args: Record<string, unknown> = a.arguments ?? {};
    if (a.arguments === undefined && a.arguments_json !== undefined && a.arguments_json.trim() !== '') {
      let raw: unknown;
      try {
        raw = JSON.parse(a.arguments_json);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['arguments_json'], message: 'must be a JSON object' });
        return z.NEVER;
      }
      const parsed = ArgumentsObject.safeParse(raw);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', path: ['arguments_json'], message: 'must be a JSON object' });
        return z.NEVER;
      }
      args = parsed.data;
    }
    return { tool: a.tool, reason: a.reason, args };
  });
export type ToolCallAction = z.output<typeof ToolCallAction>;

export function parseToolCallAction(raw: unknown): Result<ToolCallAction> {
  const parsed = ToolCallAction.safeParse(raw);
  if (parsed.success) return ok(parsed.data);
  const { message, issues } = describeZodError(parsed.error);
  return err('invalid_input', message, issues);
}

/** The part of the engine's StepContext a tool call uses. */
export type ToolStepContext = {
  taskId: string;
  signal: AbortSignal;
  approvals: readonly { gate: string; summary: string; actor: Actor }[];
};

export type ToolActionResult = {
  outcome: ToolCallOutcome;
  /** The result as the next prompt shows it. */
  prompt: string;
};

/**
 * Runs the model's tool call under governance. `ask` tools follow the engine's approval flow: when
 * a human must decide, this throws `ToolApprovalPending`, and the step returns
 * `toAwaitApproval(error)`; once approved, the step runs again and the same call goes through.
 * Refused and failed calls resolve (the model reads why in `prompt`); an abort rejects.
 */
export async function runToolAction(
  tools: ToolsService,
  ctx: ToolStepContext,
  action: ToolCallAction,
  options: { priority?: WorkPriority; maxResultChars?: number } = {},
): Promise<ToolActionResult> {
  const outcome = await tools.call({
    taskId: ctx.taskId,
    tool: action.tool,
    arguments: action.args,
    signal: ctx.signal,
    priority: options.priority ?? 'background',
    requestApproval: tools.approvalFor(ctx),
  });
  return { outcome, prompt: formatToolResult(outcome, options.maxResultChars) };
}

/** A result as text for the model: what came back, or plainly why nothing did. */
export function formatToolResult(outcome: ToolCallOutcome, maxChars = 8_000): string {
  if (outcome.status === 'denied') {
    return `Tool call ${outcome.tool} was refused (${outcome.rule}): ${outcome.reason}. Do not repeat it unchanged.`;
  }
  const head = outcome.status === 'ok' ? `Tool ${outcome.tool} returned:` : `Tool ${outcome.tool} failed:`;
  const body = outcome.result ? resultText(outcome.result) : (outcome.error ?? 'no answer');
  const clipped = body.length > maxChars ? `${body.slice(0, maxChars)}\n…[${body.length - maxChars} more characters cut]` : body;
  return `${head}\n${clipped}`;
}

function resultText(result: CallToolResult): string {
  const parts: string[] = [];
  for (const c of result.content ?? []) {
    switch (c.type) {
      case 'text':
        parts.push(c.text);
        break;
      case 'image':
      case 'audio':
        parts.push(`[${c.type} ${c.mimeType}, ${Math.round((c.data.length * 3) / 4)} bytes]`);
        break;
      case 'resource':
        parts.push('text' in c.resource ? c.resource.text : `[resource ${c.resource.uri}]`);
        break;
      case 'resource_link':
        parts.push(`[resource ${c.uri}]`);
        break;
      default:
        break;
    }
  }
  if (parts.length === 0 && result.structuredContent) parts.push(JSON.stringify(result.structuredContent));
  return parts.join('\n');
}

/**
 * The tools a task's model may call, for its prompt: namespaced names (both, where two servers
 * offer the same tool), what each does and its arguments. Tools set to `never` are left out.
 */
export async function describeToolsForPrompt(tools: ToolsService, options: { maxChars?: number } = {}): Promise<string> {
  const { tools: list } = await tools.listTools();
  const usable = list.filter((t) => t.permission !== 'never');
  if (usable.length === 0) return '';
  const lines = usable.map((t) => {
    const props = (t.inputSchema['properties'] ?? {}) as Record<string, { type?: unknown; description?: unknown }>;
    const required = new Set(Array.isArray(t.inputSchema['required']) ? (t.inputSchema['required'] as string[]) : []);
    const args = Object.entries(props)
      .map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${typeof v.type === 'string' ? v.type : 'value'}`)
      .join(', ');
    const flags = [t.access === 'read' ? 'read-only' : 'writes', t.permission === 'ask' ? 'needs approval' : ''].filter(Boolean).join(', ');
    return `- ${t.name}(${args}) [${flags}]: ${t.description.split('\n')[0]?.slice(0, 300) ?? ''}`;
  });
  const text = `Tools you can call with {"action":"tool_call","tool":"<name>","arguments_json":"{…}"}. File paths must be inside the workspace.\n${lines.join('\n')}`;
  const max = options.maxChars ?? 6_000;
  return text.length > max ? `${text.slice(0, max)}\n…` : text;
}
