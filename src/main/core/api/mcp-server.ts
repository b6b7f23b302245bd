import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { GrantScope } from '../../../shared/channels/tools';
import { ListTasksInput } from '../../../shared/channels/tasks';
import type { ChannelName } from '../../../shared/contract';
import type { Actor } from '../../../shared/domain/events';
import { ApprovalGate, SubmitTaskInput } from '../../../shared/domain/task';
import { describeZodError, type Result } from '../../../shared/errors';
import type { ContractSession } from './session';
import type { Logger } from '../observability/logger';

/**
 * The app's own tools over MCP, so another agent can drive it: submit a task, list tasks, read a
 * task's status and events, steer it, approve or deny. Every tool is a thin map onto contract
 * channels answered by a ContractSession, so inputs are parsed by the same zod schemas as the
 * window's, the CLI's and the REST API's, and errors carry the same codes and field names.
 */

/** Version of the app's MCP interface (its tools and their inputs). */
export const APP_MCP_VERSION = '1.0.0';

export type AppMcpServerOptions = {
  session: ContractSession;
  logger: Logger;
  version: string;
  /** Who acts when a tool does not say (`who`): the transport knows best (client name, token holder). */
  defaultActor?: () => string | undefined;
  /**
   * Whether submitted tasks run in this process; when not, why (another process holds the data
   * folder's task engine). submit_task then says plainly that the task was queued, not started.
   */
  engine?: () => { runs: true } | { runs: false; reason: string };
};

const who = z.string().trim().min(1).max(200).optional();

const TaskEventsInput = z.strictObject({
  id: z.string(),
  /** Only events after this task sequence number (for polling). */
  afterTaskSeq: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1_000).default(200),
});

const InterveneInput = z.strictObject({
  id: z.string(),
  action: z.enum(['pause', 'resume', 'cancel', 'guide']),
  /** The guidance (guide). */
  text: z.string().optional(),
  /** Why (cancel). */
  reason: z.string().optional(),
  who,
});

const ApproveToolInput = z.strictObject({
  id: z.string(),
  decision: z.enum(['approve', 'deny']),
  /** What is being approved; checked against what the task waits for. */
  gate: ApprovalGate.optional(),
  /** Required to deny. */
  reason: z.string().optional(),
  /** For a tool call: once, for the rest of this task, or always. */
  scope: GrantScope.optional(),
  who,
});

type ToolDef = {
  name: string;
  title: string;
  description: string;
  input: z.ZodType;
  readOnly: boolean;
  run(input: unknown, actor: Actor): Promise<Result<unknown>>;
};

export function createAppMcpServer(options: AppMcpServerOptions): Server {
  const { session } = options;
  const call = (channel: ChannelName, input: unknown) => session.call(channel, input);

  const tools: ToolDef[] = [
    {
      name: 'submit_task',
      title: 'Submit a task',
      description:
        'Submits a coding task against a local repository. mode: dry-run (default; the repository is never touched), auto or strict. Returns the task with its id.',
      // A network grant lifts part of the trust boundary: a person gives it (window, CLI, REST), never an outside agent.
      input: SubmitTaskInput.omit({ allowNetwork: true }),
      readOnly: false,
      run: async (input) => {
        const submitted = await call('submitTask', input);
        const engine = options.engine?.();
        if (!submitted.ok || !engine || engine.runs) return submitted;
        return { ok: true, value: { ...(submitted.value as Record<string, unknown>), queued: `queued, not started here: ${engine.reason}` } };
      },
    },
    {
      name: 'list_tasks',
      title: 'List tasks',
      description: 'Lists tasks, newest first; filter by state or search the description.',
      input: ListTasksInput,
      readOnly: true,
      run: async (input) => wrap(await call('listTasks', input), (tasks) => ({ tasks })),
    },
    {
      name: 'task_status',
      title: 'Task status',
      description: 'A task: its state (and what it waits for), progress, mode and spec.',
      input: z.strictObject({ id: z.string() }),
      readOnly: true,
      run: async (input) => wrap(await call('getTask', input), (v) => (v as { task: unknown }).task),
    },
    {
      name: 'task_events',
      title: 'Task events',
      description: "A task's progress events in order; pass afterTaskSeq to read only what is new.",
      input: TaskEventsInput,
      readOnly: true,
      run: async (raw) => {
        const input = raw as z.output<typeof TaskEventsInput>;
        return wrap(await call('getTask', { id: input.id }), (v) => {
          const events = (v as { events: { taskSeq: number }[] }).events.filter((e) => e.taskSeq > input.afterTaskSeq);
          const page = events.slice(0, input.limit);
          return { events: page, more: events.length > page.length, lastTaskSeq: page.at(-1)?.taskSeq ?? input.afterTaskSeq };
        });
      },
    },
    {
      name: 'intervene',
      title: 'Steer a task',
      description: 'Pauses, resumes or cancels a task, or gives it guidance (text) that it takes in at its next step.',
      input: InterveneInput,
      readOnly: false,
      run: (raw, actor) => {
        const input = raw as z.output<typeof InterveneInput>;
        const base = { id: input.id, actor };
        switch (input.action) {
          case 'pause':
            return call('pauseTask', base);
          case 'resume':
            return call('resumeTask', base);
          case 'cancel':
            return call('cancelTask', input.reason === undefined ? base : { ...base, reason: input.reason });
          case 'guide':
            return call('guideTask', { ...base, text: input.text });
        }
      },
    },
    {
      name: 'approve',
      title: 'Approve or deny',
      description:
        'Answers what a task waits for (plan, changeset, apply, tool). Deny needs a reason. For a tool call, scope once, task or always decides how long the approval lasts.',
      input: ApproveToolInput,
      readOnly: false,
      run: (raw, actor) => {
        const input = raw as z.output<typeof ApproveToolInput>;
        const gate = input.gate === undefined ? {} : { gate: input.gate };
        if (input.decision === 'deny') return call('deny', { id: input.id, actor, reason: input.reason, ...gate });
        if (input.scope && input.scope !== 'once') return call('approveToolCall', { id: input.id, actor, scope: input.scope });
        return call('approve', { id: input.id, actor, ...gate });
      },
    },
  ];

  const byName = new Map(tools.map((t) => [t.name, t]));
  const server = new Server({ name: 'agent-agency', version: options.version }, { capabilities: { tools: {} } });

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map(
      (t): Tool => ({
        name: t.name,
        title: t.title,
        description: t.description,
        inputSchema: inputJsonSchema(t.input),
        annotations: { title: t.title, readOnlyHint: t.readOnly, openWorldHint: false },
      }),
    ),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    // An unknown tool is a protocol error (JSON-RPC -32602), not a tool result the model reads as output.
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}; this server offers ${tools.map((t) => t.name).join(', ')}`);
    const parsed = tool.input.safeParse(request.params.arguments ?? {});
    if (!parsed.success) {
      const { message, issues } = describeZodError(parsed.error);
      return failure('invalid_input', message, issues);
    }
    const given = (parsed.data as { who?: string }).who;
    const clientName = server.getClientVersion()?.name;
    const actor: Actor = { who: given ?? options.defaultActor?.() ?? (clientName ? `mcp:${clientName}` : 'mcp client'), via: 'mcp' };
    try {
      const result = await tool.run(parsed.data, actor);
      if (!result.ok) return failure(result.error.code, result.error.message, result.error.issues);
      const value = result.value as Record<string, unknown>;
      return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
    } catch (e) {
      options.logger.error({ err: e, tool: tool.name }, 'MCP tool failed');
      return failure('internal', 'internal error; see the app log');
    }
  });

  return server;
}

function wrap(result: Result<unknown>, map: (value: unknown) => unknown): Result<unknown> {
  return result.ok ? { ok: true, value: map(result.value) } : result;
}

function failure(code: string, message: string, issues?: { path: string; message: string }[]): CallToolResult {
  const error = issues ? { code, message, issues } : { code, message };
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}` }], structuredContent: { error } };
}

/** The input schema as MCP wants it: a JSON Schema object, what a client may send (defaults optional). */
function inputJsonSchema(schema: z.ZodType): Tool['inputSchema'] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json['$schema'];
  return { ...json, type: 'object' } as Tool['inputSchema'];
}
