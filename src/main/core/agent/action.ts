import { z } from 'zod';
import { describeZodError } from '../../../shared/errors';
import type { JsonSchema } from '../models/types';
import { parseToolCallAction, TOOL_CALL_ACTION, TOOL_CALL_JSON_SCHEMA, type ToolCallAction } from '../tools/worker-tools';
import type { Changeset, FileEdit } from '../workspace/changeset';

/**
 * The structured action a worker model proposes each iteration. Every property is required in the
 * JSON schema (grammar-constrained generation fills each one; unused ones are "" or []), and the
 * answer is validated again with zod: model output is untrusted even when constrained.
 */
export const ACTIONS = ['patch', 'write', 'no-op'] as const;
export const EDIT_OPS = ['write', 'patch', 'delete', 'rename'] as const;

export const ACTION_JSON_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    action: { enum: [...ACTIONS] },
    reason: { type: 'string' },
    confidence: { type: 'number' },
    criteria_met: { type: 'array', items: { type: 'string' } },
    edits: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          op: { enum: [...EDIT_OPS] },
          path: { type: 'string' },
          content: { type: 'string' },
          to: { type: 'string' },
          hunks: {
            type: 'array',
            items: {
              type: 'object',
              properties: { old_start: { type: 'integer' }, lines: { type: 'array', items: { type: 'string' } } },
              required: ['old_start', 'lines'],
              additionalProperties: false,
            },
          },
        },
        required: ['op', 'path', 'content', 'to', 'hunks'],
        additionalProperties: false,
      },
    },
  },
  required: ['action', 'reason', 'confidence', 'criteria_met', 'edits'],
  additionalProperties: false,
};

const ProposedHunk = z.object({
  old_start: z.number().int().min(0).max(10_000_000),
  lines: z.array(z.string().max(20_000)).min(1).max(5_000),
});

const ProposedEdit = z
  .object({
    op: z.enum(EDIT_OPS),
    path: z.string().min(1, 'must name a file').max(1000),
    content: z.string().max(1_000_000).default(''),
    to: z.string().max(1000).default(''),
    hunks: z.array(ProposedHunk).max(200).default([]),
  })
  .superRefine((e, ctx) => {
    if (e.op === 'patch' && e.hunks.length === 0) ctx.addIssue({ code: 'custom', path: ['hunks'], message: 'a patch edit needs at least one hunk' });
    if (e.op === 'rename' && e.to.trim() === '') ctx.addIssue({ code: 'custom', path: ['to'], message: 'a rename edit needs a target path in "to"' });
  });

export const WorkerAction = z
  .object({
    action: z.enum(ACTIONS),
    reason: z.string().trim().min(1, 'must say why').max(4000),
    confidence: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
    criteria_met: z.array(z.string().max(20)).max(50).default([]),
    edits: z.array(ProposedEdit).max(50, 'at most 50 edits per iteration'),
  })
  .superRefine((a, ctx) => {
    if (a.action === 'no-op' && a.edits.length > 0) ctx.addIssue({ code: 'custom', path: ['edits'], message: 'a no-op must not carry edits' });
    if (a.action !== 'no-op' && a.edits.length === 0) ctx.addIssue({ code: 'custom', path: ['edits'], message: `a ${a.action} action needs at least one edit` });
  });
export type WorkerAction = z.infer<typeof WorkerAction>;

/**
 * With tools, the model may instead call one: the tool layer's own `tool_call` object is offered as
 * a second shape (`oneOf`), so an edit never has to carry tool fields nor a call empty edits.
 */
export const ACTION_WITH_TOOLS_JSON_SCHEMA: JsonSchema = { oneOf: [ACTION_JSON_SCHEMA, TOOL_CALL_JSON_SCHEMA] };

export function actionJsonSchema(options: { tools: boolean }): JsonSchema {
  return options.tools ? ACTION_WITH_TOOLS_JSON_SCHEMA : ACTION_JSON_SCHEMA;
}

/** A proposed tool call: which tool, why, and its arguments (already parsed from `arguments_json`). */
export type ToolCallProposal = { action: typeof TOOL_CALL_ACTION } & ToolCallAction;

/** Whatever the model may propose in one iteration. */
export type AgentAction = WorkerAction | ToolCallProposal;

export const isToolCall = (a: AgentAction): a is ToolCallProposal => a.action === TOOL_CALL_ACTION;

/**
 * Parses the model's answer. A `tool_call` is accepted only when tools were offered; its shape is
 * the tool layer's (see worker-tools.ts). Anything else must be an edit action.
 */
export function parseAgentAction(raw: unknown, options: { tools: boolean }): { ok: true; action: AgentAction } | { ok: false; message: string } {
  if (raw !== null && typeof raw === 'object' && (raw as { action?: unknown }).action === TOOL_CALL_ACTION) {
    if (!options.tools) return { ok: false, message: 'action: no tools are available here; propose "patch", "write" or "no-op"' };
    const call = parseToolCallAction(raw);
    return call.ok ? { ok: true, action: { action: TOOL_CALL_ACTION, ...call.value } } : { ok: false, message: call.error.message };
  }
  const parsed = WorkerAction.safeParse(raw);
  return parsed.success ? { ok: true, action: parsed.data } : { ok: false, message: describeZodError(parsed.error).message };
}

/**
 * Turns a proposal into a changeset, attaching to every edit the hash of the file as the proposer
 * saw it (`seen`), or as it is now for files it did not see, so a concurrent edit becomes a conflict.
 */
export async function toChangeset(action: WorkerAction, currentHash: (path: string) => Promise<string | null>, seen: ReadonlyMap<string, string>): Promise<Changeset> {
  const edits: FileEdit[] = [];
  for (const e of action.edits) {
    const expected = seen.get(normalize(e.path)) ?? (await currentHash(e.path));
    switch (e.op) {
      case 'write':
        edits.push({ op: 'write', path: e.path, content: e.content, expectedSha256: expected });
        break;
      case 'patch':
        edits.push({ op: 'patch', path: e.path, hunks: e.hunks.map((h) => ({ oldStart: h.old_start, lines: h.lines })), expectedSha256: expected ?? MISSING });
        break;
      case 'delete':
        edits.push({ op: 'delete', path: e.path, expectedSha256: expected ?? MISSING });
        break;
      case 'rename':
        edits.push({ op: 'rename', path: e.path, to: e.to, expectedSha256: expected ?? MISSING });
        break;
    }
  }
  return { edits };
}

/** Stands for "the file does not exist": no content hashes to it, so the edit reports a conflict. */
const MISSING = '0'.repeat(64);

const normalize = (p: string) => p.replace(/^(\.\/)+/, '');
