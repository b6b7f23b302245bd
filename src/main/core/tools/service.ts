// Over 400 lines on purpose: the tools area's one facade for the API handlers. Each method (servers, listings, permissions, grants, approvals) is a few lines over the hub, policy, gateway and stores it wires together; the logic lives in those files.
import { realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import type {
  GrantScope,
  PendingToolCall,
  ToolGrant,
  ToolInfo,
  ToolListing,
  ToolPermission,
  ToolServerConfig,
  ToolServerStatus,
} from '../../../shared/channels/tools';
import type { Actor } from '../../../shared/domain/events';
import type { Task } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { pendingApproval } from '../db/queries/task-approvals';
import { getTask } from '../db/queries/tasks';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { unlimitedAdmission, type InferenceAdmission } from '../scheduler/admission';
import { systemTimers, type Timers } from '../scheduler/timers';
import type { PathPolicy } from '../workspace/policy';
import { getWorkspace } from '../db/queries/workspaces';
import { McpServersFile, parseMcpServersJson } from './config-file';
import { engineApproval, fingerprintFromSummary, type ApprovalContext } from './engine-approval';
import { ToolGateway, type ToolCallOutcome, type ToolCallRequest, type ToolLimits, type WorkspaceCallRequest } from './gateway';
import { ToolHub, type ConfiguredServer } from './hub';
import type { SandboxService } from '../sandbox';
import { TaskServers } from './task-servers';
import type { BackoffSettings } from './mcp-connection';
import { workspacePathGuard, type CheckPath } from './path-guard';
import { currentSpecScope, specWritePolicy } from './write-policy';
import { ToolPolicy, type RequestApproval } from './policy';
import {
  deleteServer,
  getGrant,
  getRequest,
  hasStoredServer,
  insertGrant,
  listGrants,
  preferences,
  revokeGrant,
  SERVER_DEFAULT,
  setPermission,
  setPreference,
  storedServers,
  upsertServer,
} from '../db/queries/tools';

/** Approving a waiting task: the engine's command, as the tools area needs it. */
export type ApproveTask = (taskId: string, actor: Actor) => Task;

export type ToolsServiceOptions = {
  db: Db;
  journal: Journal;
  clock: Clock;
  logger: Logger;
  /** The `{ mcpServers: … }` file read besides Settings (re-read when it changes). */
  configFile?: string;
  /** Start every enabled server now; otherwise each starts on first use or from Settings. */
  autoStart?: boolean;
  /** Inference slots: tool calls wait in the same queue as model calls. */
  admission?: InferenceAdmission;
  /** Path check of tool arguments; the task's workspace (WorkspaceManager's records) by default. */
  checkPath?: CheckPath;
  /**
   * For the default path check: the task's scope and allow-list that tool writes must pass (and
   * whose deny-list and scope.out reads must stay clear of). By default the task's current working
   * spec (no spec yet: every tool write is refused).
   */
  writePolicy?: (taskId: string) => PathPolicy | undefined | Promise<PathPolicy | undefined>;
  /** The app's data folder: tools never reach it, except a task's own workspace inside it. */
  dataDir?: string;
  /** Default way to ask a human for `ask` tools, for callers that bring none. */
  requestApproval?: RequestApproval;
  limits?: Partial<ToolLimits>;
  backoff?: BackoffSettings;
  connectTimeoutMs?: number;
  timers?: Timers;
  /** The sandbox stdio servers serving a task start in; the app's configured one by default. */
  sandbox?: () => Promise<SandboxService>;
};

/** A task that reached one of these is over: the server processes started for it are ended. */
const TASK_ENDED = new Set(['task.completed', 'task.failed', 'task.cancelled']);

/**
 * The tools area: MCP server configuration (Settings and the JSON file), their connections and
 * health, the namespaced catalogue, permissions and preferences, grants, and the governed call.
 */
export class ToolsService {
  readonly hub: ToolHub;
  readonly policy: ToolPolicy;
  readonly gateway: ToolGateway;
  /** Stdio servers started per task inside the sandbox (see TaskServers). */
  readonly taskServers: TaskServers;
  private readonly unsubscribe: () => void;
  private readonly file: McpServersFile;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** The data folder tools never reach: as given, else the folder of the data folder's mcp.json. */
  private readonly dataDir: string | undefined;
  private readonly listeners = new Set<() => void>();
  private started = false;
  private closed = false;
  private reportedProblems = '[]';

  constructor(private readonly options: ToolsServiceOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger.child({ component: 'tools' });
    this.dataDir = options.dataDir ?? (options.configFile ? dirname(options.configFile) : undefined);
    this.file = new McpServersFile(options.configFile);
    this.hub = new ToolHub({
      logger: this.logger,
      clock: options.clock,
      timers: options.timers ?? systemTimers(),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      onChange: () => this.changed(),
    });
    this.taskServers = new TaskServers({
      logger: this.logger,
      clock: options.clock,
      timers: options.timers ?? systemTimers(),
      dataDir: this.dataDir,
      ...(options.sandbox ? { sandbox: options.sandbox } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    });
    this.unsubscribe = options.journal.subscribe((event) => {
      if (TASK_ENDED.has(event.type)) void this.taskServers.closeOwner(event.taskId);
    });
    this.policy = new ToolPolicy({ db: options.db, clock: options.clock, ...(options.requestApproval ? { requestApproval: options.requestApproval } : {}) });
    this.gateway = new ToolGateway({
      db: options.db,
      journal: options.journal,
      clock: options.clock,
      logger: this.logger,
      hub: this.hub,
      policy: this.policy,
      admission: options.admission ?? unlimitedAdmission,
      checkPath:
        options.checkPath ??
        workspacePathGuard({
          workspaceRoot: (taskId) => activeWorkspace(options.db, taskId),
          // The task's own working spec unless the composition root says otherwise: tool writes are
          // held to the scope the worker's own edits are held to.
          writePolicy: options.writePolicy ?? specWritePolicy({ scopeOf: (taskId) => currentSpecScope(options.db, taskId) }),
          dataDir: this.dataDir,
        }),
      ...(options.limits ? { limits: options.limits } : {}),
      dataDir: this.dataDir,
      workspaceOf: (taskId) => activeWorkspace(options.db, taskId),
      taskServers: this.taskServers,
    });
    void this.sync();
    if (options.autoStart) void this.start();
  }

  /** Starts every enabled server (the composition roots of long-running processes call this). */
  async start(): Promise<void> {
    if (this.closed) return;
    this.started = true;
    await this.sync();
    await this.hub.startAll();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.unsubscribe();
    await Promise.all([this.hub.stopAll(), this.taskServers.closeAll()]);
  }

  /** Health or tools changed somewhere (for pushing fresh state to a window). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The governed call; see ToolGateway.call. */
  async call(request: ToolCallRequest): Promise<ToolCallOutcome> {
    await this.sync();
    return this.gateway.call(request);
  }

  /** A governed call scoped to a folder instead of a task; see ToolGateway.callInWorkspace. */
  async callInWorkspace(request: WorkspaceCallRequest): Promise<ToolCallOutcome> {
    await this.sync();
    try {
      return await this.gateway.callInWorkspace(request);
    } finally {
      // The servers started in the folder's sandbox for this one call end with it.
      const dir = await realpath(request.workspace).catch(() => request.workspace);
      await this.taskServers.closeOwner(`workspace:${dir}`);
    }
  }

  /** Strict mode's approval flow for a call made inside an engine step (see engine-approval.ts). */
  approvalFor(ctx: ApprovalContext): RequestApproval {
    return engineApproval(ctx, { db: this.db, clock: this.clock });
  }

  // ---- configuration ---------------------------------------------------------------------------

  configured(): ConfiguredServer[] {
    const fromFile = this.file.read();
    // Said once per version of the file, not at every read.
    const problems = JSON.stringify(fromFile.problems);
    if (problems !== this.reportedProblems) {
      this.reportedProblems = problems;
      for (const p of fromFile.problems) this.logger.warn({ server: p.name, file: this.file.path }, `mcpServers file: ${p.message}`);
    }
    const stored = storedServers(this.db, this.logger);
    const names = new Set(stored.map((s) => s.name));
    // A server kept in Settings overrides the file's entry of the same name.
    return [
      ...stored.map((config) => ({ config, source: 'settings' as const })),
      ...fromFile.servers.filter((s) => !names.has(s.name)).map((config) => ({ config, source: 'file' as const })),
    ];
  }

  async sync(): Promise<void> {
    if (this.closed) return;
    await this.hub.sync(this.configured(), this.started);
  }

  async servers(): Promise<ToolServerStatus[]> {
    await this.sync();
    return this.hub.list().map(({ connection, source }) => {
      const s = connection.status();
      const c = connection.config;
      const t = c.transport;
      return {
        name: c.name,
        source,
        enabled: c.enabled,
        transport: t.kind,
        target: t.kind === 'stdio' ? [t.command, ...t.args].join(' ') : t.url,
        envKeys: t.kind === 'stdio' ? Object.keys(t.env).sort() : [],
        headerKeys: t.kind === 'http' ? Object.keys(t.headers).sort() : [],
        ...s,
        permission: this.policy.permissionOf(c.name, SERVER_DEFAULT).permission,
      };
    });
  }

  async server(name: string): Promise<ToolServerStatus> {
    const found = (await this.servers()).find((s) => s.name === name);
    if (!found) throw new AppFailure('not_found', `no tool server named ${name}`);
    return found;
  }

  async addServer(config: ToolServerConfig, replace: boolean, by: string): Promise<ToolServerStatus> {
    if (!replace && hasStoredServer(this.db, config.name)) {
      throw new AppFailure('conflict', `a tool server named ${config.name} exists; remove it first or replace it`, [{ path: 'config.name', message: 'is taken' }]);
    }
    upsertServer(this.db, config, by, this.clock.now());
    this.logger.info({ server: config.name, by }, 'tool server configured');
    await this.sync();
    return this.server(config.name);
  }

  async importServers(json: string, replace: boolean, by: string): Promise<ToolServerStatus[]> {
    const parsed = parseMcpServersJson(json);
    if (parsed.problems.length > 0) {
      throw new AppFailure(
        'invalid_input',
        parsed.problems.map((p) => (p.name ? `${p.name}: ${p.message}` : p.message)).join('; '),
        parsed.problems.map((p) => ({ path: p.name ? `mcpServers.${p.name}` : 'json', message: p.message })),
      );
    }
    const taken = parsed.servers.filter((s) => hasStoredServer(this.db, s.name)).map((s) => s.name);
    if (!replace && taken.length > 0) throw new AppFailure('conflict', `tool servers already configured: ${taken.join(', ')}; import with replace to overwrite`);
    const at = this.clock.now();
    this.db.transaction(() => {
      for (const s of parsed.servers) upsertServer(this.db, s, by, at);
    })();
    await this.sync();
    const all = await this.servers();
    const names = new Set(parsed.servers.map((s) => s.name));
    return all.filter((s) => names.has(s.name));
  }

  async removeServer(name: string): Promise<boolean> {
    const removed = deleteServer(this.db, name);
    await this.sync();
    if (removed) this.logger.info({ server: name }, 'tool server removed');
    return removed;
  }

  async restartServer(name: string): Promise<ToolServerStatus> {
    await this.sync();
    const held = this.hub.get(name);
    if (!held) throw new AppFailure('not_found', `no tool server named ${name}`);
    if (!held.config.enabled) throw new AppFailure('conflict', `tool server ${name} is disabled; enable it first`);
    await held.restart();
    return this.server(name);
  }

  // ---- catalogue, permissions, preferences -----------------------------------------------------

  async listTools(server?: string): Promise<z.output<typeof ToolListing>> {
    await this.sync();
    const prefs = preferences(this.db);
    const conflicts = this.hub.conflicts(prefs);
    const conflicted = new Set(conflicts.map((c) => c.name));
    const tools: ToolInfo[] = this.hub.entries(server).map((e) => {
      const perm = this.policy.permissionOf(e.server, e.tool.name);
      return {
        name: e.qualified,
        server: e.server,
        tool: e.tool.name,
        title: e.tool.title ?? e.tool.annotations?.title ?? null,
        description: e.tool.description ?? '',
        inputSchema: e.tool.inputSchema as Record<string, unknown>,
        access: e.access,
        permission: perm.permission,
        permissionSource: perm.source,
        conflict: conflicted.has(e.tool.name),
        preferred: this.hub.unqualifiedTarget(e.tool.name, prefs) === e.server,
      };
    });
    return { tools, conflicts: server ? conflicts.filter((c) => c.servers.includes(server)) : conflicts };
  }

  async setPermission(server: string, tool: string | undefined, permission: ToolPermission | null, by: string): Promise<z.output<typeof ToolListing>> {
    if (tool === undefined && permission === null) {
      throw new AppFailure('invalid_input', 'a server always has a permission; give always, ask or never', [{ path: 'permission', message: 'must be set for a server' }]);
    }
    setPermission(this.db, server, tool ?? SERVER_DEFAULT, permission, by, this.clock.now());
    this.logger.info({ server, tool, permission, by }, 'tool permission set');
    return this.listTools();
  }

  async setPreference(name: string, server: string | null, by: string): Promise<z.output<typeof ToolListing>> {
    setPreference(this.db, name, server, by, this.clock.now());
    return this.listTools();
  }

  // ---- grants and waiting calls ----------------------------------------------------------------

  grants(filter: { taskId?: string | undefined; includeRevoked: boolean }): ToolGrant[] {
    return listGrants(this.db, filter);
  }

  revokeGrant(id: number, actor: Actor): ToolGrant {
    const grant = getGrant(this.db, id);
    if (!grant) throw new AppFailure('not_found', `no tool grant ${id}`);
    if (!revokeGrant(this.db, id, actor, this.clock.now())) throw new AppFailure('conflict', `tool grant ${id} is already revoked`);
    this.logger.info({ grant: id, tool: grant.tool, by: actor.who }, 'tool grant revoked');
    return getGrant(this.db, id)!;
  }

  /** The call a task waits on while it waits for a tool approval. */
  pendingCall(taskId: string): z.output<typeof PendingToolCall> | null {
    const approval = pendingApproval(this.db, taskId);
    if (!approval || approval.gate !== 'tool') return null;
    const fp = fingerprintFromSummary(approval.summary);
    const request = fp ? getRequest(this.db, taskId, fp) : undefined;
    if (!request) return null;
    return { taskId, tool: request.tool, arguments: request.arguments, fingerprint: request.fingerprint, requestedAt: request.requestedAt };
  }

  /**
   * Approves the tool call a task waits on. `task` and `always` also store a grant, so the same
   * tool does not ask again (until the grant is revoked); then the engine lets the step run again.
   */
  approveCall(taskId: string, actor: Actor, scope: GrantScope, approve: ApproveTask): Task {
    const task = getTask(this.db, taskId);
    if (!task) throw new AppFailure('not_found', `no task with id ${taskId}`);
    if (task.state.kind !== 'awaiting_approval' || task.state.waitingFor !== 'tool') {
      throw new AppFailure('conflict', `task ${taskId} is not waiting for a tool approval`);
    }
    if (scope === 'once') return approve(taskId, actor);
    const pending = this.pendingCall(taskId);
    if (!pending) throw new AppFailure('conflict', 'the waiting tool call is not known; approve it once instead');
    // One transaction: a grant without the approval (or the reverse) never exists.
    return this.options.journal.transaction(() => {
      insertGrant(this.db, { tool: pending.tool, scope, taskId, actor, at: this.clock.now() });
      return approve(taskId, actor);
    });
  }

  private changed(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch (e) {
        this.logger.warn({ err: e }, 'tools listener failed');
      }
    }
  }
}

function activeWorkspace(db: Db, taskId: string): string | null {
  try {
    const w = getWorkspace(db, taskId);
    return w && w.state !== 'removed' ? w.path : null;
  } catch {
    // The workspaces table may be missing in a database made before it existed.
    return null;
  }
}

/** The `{ mcpServers: … }` file of a data folder. */
export const mcpConfigFile = (dataDir: string): string => join(dataDir, 'mcp.json');
