import { z } from 'zod';
import { Actor } from '../domain/events';
import { Task, TaskId } from '../domain/task';
import { ActorInput } from './intervention';

/**
 * Tools from MCP servers: their configuration, health, permissions and the grants a human gave.
 * Tool names are namespaced `server.tool`; a server name therefore never contains a dot.
 */

export const TOOL_PERMISSIONS = ['always', 'ask', 'never'] as const;
export const ToolPermission = z.enum(TOOL_PERMISSIONS);
export type ToolPermission = z.infer<typeof ToolPermission>;

export const ToolServerName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'must be 1-63 letters, digits, - or _ (no dots: tools are named server.tool)');

/** A tool's own name as its server gives it (MCP allows letters, digits, _ - . and /). */
export const ToolName = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

/** `server.tool`, or an unqualified `tool` that a preference (or a single offer) resolves. */
export const QualifiedToolName = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name');
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'must be an HTTP header name');

export const StdioTransportConfig = z.strictObject({
  kind: z.literal('stdio'),
  command: z.string().trim().min(1, 'must name a program').max(4096),
  args: z.array(z.string().max(8192)).max(200).default([]),
  /** Added to a minimal inherited environment (PATH, HOME, …), never the app's whole environment. */
  env: z.record(envName, z.string().max(32_768)).default({}),
  cwd: z.string().max(4096).optional(),
});

export const HttpTransportConfig = z.strictObject({
  kind: z.literal('http'),
  url: z
    .string()
    .trim()
    .max(4096)
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL'),
  headers: z.record(headerName, z.string().max(8192)).default({}),
});

export const ToolServerTransport = z.discriminatedUnion('kind', [StdioTransportConfig, HttpTransportConfig]);
export type ToolServerTransport = z.infer<typeof ToolServerTransport>;

export const ToolServerConfig = z.strictObject({
  name: ToolServerName,
  transport: ToolServerTransport,
  enabled: z.boolean().default(true),
});
export type ToolServerConfig = z.infer<typeof ToolServerConfig>;
export type ToolServerConfigInput = z.input<typeof ToolServerConfig>;

export const SERVER_HEALTH = ['disabled', 'stopped', 'starting', 'running', 'restarting', 'failed'] as const;
export const ServerHealth = z.enum(SERVER_HEALTH);
export type ServerHealth = z.infer<typeof ServerHealth>;

/** A configured server and how it is doing. Environment values and header values are never sent (they hold secrets). */
export const ToolServerStatus = z.object({
  name: z.string(),
  /** `settings`: kept in the database, editable; `file`: from the mcpServers JSON file, read-only here. */
  source: z.enum(['settings', 'file']),
  enabled: z.boolean(),
  transport: z.enum(['stdio', 'http']),
  /** The command line or URL, for display. */
  target: z.string(),
  envKeys: z.array(z.string()),
  headerKeys: z.array(z.string()),
  health: ServerHealth,
  pid: z.number().int().nullable(),
  tools: z.number().int().nonnegative(),
  /** Restarts after a crash since the app started (or the server was last changed). */
  restarts: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  /** When the current health began. */
  since: z.number().int().nullable(),
  nextRetryAt: z.number().int().nullable(),
  serverInfo: z.object({ name: z.string(), version: z.string() }).nullable(),
  /** The permission the server's tools get unless a tool has its own. */
  permission: ToolPermission,
});
export type ToolServerStatus = z.infer<typeof ToolServerStatus>;

export const ToolAccess = z.enum(['read', 'write']);
export type ToolAccess = z.infer<typeof ToolAccess>;

export const ToolInfo = z.object({
  /** `server.tool`. */
  name: z.string(),
  server: z.string(),
  tool: z.string(),
  title: z.string().nullable(),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
  /** From the server's readOnlyHint, else guessed from the name; a write is checked harder. */
  access: ToolAccess,
  permission: ToolPermission,
  permissionSource: z.enum(['tool', 'server', 'default']),
  /** Another server offers a tool of the same name. */
  conflict: z.boolean(),
  /** The unqualified name resolves to this tool. */
  preferred: z.boolean(),
});
export type ToolInfo = z.infer<typeof ToolInfo>;

export const ToolConflict = z.object({
  /** The unqualified name several servers offer. */
  name: z.string(),
  servers: z.array(z.string()),
  /** The server an unqualified request goes to; null means it is refused as ambiguous. */
  preferred: z.string().nullable(),
});
export type ToolConflict = z.infer<typeof ToolConflict>;

export const GRANT_SCOPES = ['once', 'task', 'always'] as const;
export const GrantScope = z.enum(GRANT_SCOPES);
export type GrantScope = z.infer<typeof GrantScope>;

/** A standing approval of an `ask` tool: for one task, or always. Revoking it makes the tool ask again. */
export const ToolGrant = z.object({
  id: z.number().int().positive(),
  tool: z.string(),
  scope: z.enum(['task', 'always']),
  taskId: z.string().nullable(),
  actor: Actor,
  createdAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
  revokedBy: Actor.nullable(),
});
export type ToolGrant = z.infer<typeof ToolGrant>;

export const ListToolsInput = z.strictObject({ server: ToolServerName.optional() });
export const ToolListing = z.object({ tools: z.array(ToolInfo), conflicts: z.array(ToolConflict) });

export const SetToolPermissionInput = z.strictObject({
  server: ToolServerName,
  /** The tool's own name (not qualified); absent sets the server's default. */
  tool: ToolName.optional(),
  /** null removes a tool's own permission, so the server's applies again. */
  permission: ToolPermission.nullable(),
});

export const SetToolPreferenceInput = z.strictObject({
  /** Unqualified tool name. */
  name: ToolName,
  /** The server whose tool the bare name means; null removes the preference. */
  server: ToolServerName.nullable(),
});

export const AddToolServerInput = z.strictObject({
  config: ToolServerConfig,
  /** Replace a server of the same name kept in Settings. */
  replace: z.boolean().default(false),
});

/** A JSON file in the common `{ "mcpServers": { name: { command, args, env } | { url } } }` shape. */
export const ImportToolServersInput = z.strictObject({
  json: z.string().min(2).max(1_000_000),
  replace: z.boolean().default(false),
});

export const ApproveToolCallInput = z.strictObject({
  id: TaskId,
  actor: ActorInput,
  /** once: this call; task: this tool for the rest of the task; always: this tool from now on. */
  scope: GrantScope.default('once'),
});

export const PendingToolCall = z.object({
  taskId: z.string(),
  tool: z.string(),
  arguments: z.unknown(),
  fingerprint: z.string(),
  requestedAt: z.number().int(),
});

/**
 * The one-click "filesystem access to the task workspace" server: the reference filesystem server
 * started with no folder of its own, so the only folder it may touch is the MCP root the app offers
 * during each call — the calling task's workspace. The path guard holds it there as well.
 */
export const WORKSPACE_FILES_PRESET: ToolServerConfig = {
  name: 'workspace-files',
  enabled: true,
  transport: { kind: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem'], env: {} },
};

/** An absolute folder path (POSIX, or a Windows drive path). */
const AbsoluteFolder = z
  .string()
  .min(1, 'must not be empty')
  .max(4_096, 'must be at most 4096 characters')
  .regex(/^(\/|[A-Za-z]:[\\/])/, 'must be an absolute path');

/**
 * One governed tool call scoped to a folder, outside any task (`agent-agency tools call`). Writes
 * go only under `scope` (none: read-only); an `ask` tool runs only with `approve`.
 */
export const CallToolInput = z.strictObject({
  tool: QualifiedToolName,
  workspace: AbsoluteFolder,
  arguments: z.record(z.string(), z.unknown()).default({}),
  scope: z.array(z.string().trim().min(1, 'must not be empty').max(1_000)).max(200).default([]),
  approve: z.boolean().default(false),
  actor: ActorInput,
});

export const ToolCallReport = z.object({
  status: z.enum(['ok', 'error', 'denied']),
  callId: z.string(),
  tool: z.string(),
  server: z.string().nullable(),
  /** Why a refused call was refused: which rule, and the reason (naming the argument). */
  rule: z.string().nullable(),
  reason: z.string().nullable(),
  /** The result's text content, joined. */
  text: z.string(),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
});

/** MCP servers and their tools, permissions, preferences and grants. */
export const toolChannels = {
  listToolServers: { input: z.strictObject({}), output: z.array(ToolServerStatus) },
  listTools: { input: ListToolsInput, output: ToolListing },
  addToolServer: { input: AddToolServerInput, output: ToolServerStatus },
  importToolServers: { input: ImportToolServersInput, output: z.array(ToolServerStatus) },
  removeToolServer: { input: z.strictObject({ name: ToolServerName }), output: z.object({ removed: z.boolean() }) },
  restartToolServer: { input: z.strictObject({ name: ToolServerName }), output: ToolServerStatus },
  setToolPermission: { input: SetToolPermissionInput, output: ToolListing },
  setToolPreference: { input: SetToolPreferenceInput, output: ToolListing },
  listToolGrants: { input: z.strictObject({ taskId: TaskId.optional(), includeRevoked: z.boolean().default(false) }), output: z.array(ToolGrant) },
  revokeToolGrant: { input: z.strictObject({ id: z.number().int().positive(), actor: ActorInput }), output: ToolGrant },
  /** The tool call a task waits on, if it waits for a tool approval. */
  getPendingToolCall: { input: z.strictObject({ id: TaskId }), output: PendingToolCall.nullable() },
  /** Approves the tool call a task waits for, with a scope; `approve` with gate `tool` is the same as scope `once`. */
  approveToolCall: { input: ApproveToolCallInput, output: Task },
  /** A governed call scoped to a folder (same gateway, guard and permissions as a task's call). */
  callTool: { input: CallToolInput, output: ToolCallReport },
} as const;
