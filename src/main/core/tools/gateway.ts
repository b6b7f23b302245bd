import { randomUUID } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolAccess } from '../../../shared/channels/tools';
import type { Actor, EventPayload, NewEvent } from '../../../shared/domain/events';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { getTask } from '../db/queries/tasks';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import type { InferenceAdmission, WorkPriority } from '../scheduler/admission';
import { fingerprint, journaledArguments, sha256 } from './audit';
import { canonicalJson } from '../db/canonical';
import type { Resolution, ToolEntry, ToolHub } from './hub';
import { DEFAULT_ARGUMENT_LIMITS, replaceStrings, snapshotArguments, type FrozenArguments } from './argument-snapshot';
import { pathArguments, toolAccess } from './path-args';
import { workspacePathGuard, type CheckPath, type PathDecision } from './path-guard';
import type { PathPolicy } from '../workspace/policy';
import type { AllowedBy, RequestApproval, ToolPolicy } from './policy';
import { toolUsage } from '../db/queries/events';
import { preferences } from '../db/queries/tools';
import type { TaskServers } from './task-servers';

export type ToolLimits = {
  /** Calls one task may make (refused calls do not count). */
  maxCallsPerTask: number;
  /** Total time one task may spend inside tool calls. */
  maxToolMsPerTask: number;
  /** One call's time limit. */
  callTimeoutMs: number;
  /** How long a call waits for its server to come up. */
  startTimeoutMs: number;
  /** Largest arguments object, as JSON. */
  maxArgumentBytes: number;
  /** Deepest nesting of the arguments; deeper is refused, never checked in part. */
  maxArgumentDepth: number;
  /** Most values in the arguments; more is refused. */
  maxArgumentValues: number;
  /** Most path arguments one call may name (each is resolved on disk); more is refused. */
  maxPathArguments: number;
};

export const DEFAULT_TOOL_LIMITS: ToolLimits = {
  maxCallsPerTask: 200,
  maxToolMsPerTask: 30 * 60_000,
  callTimeoutMs: 60_000,
  startTimeoutMs: 20_000,
  maxArgumentBytes: DEFAULT_ARGUMENT_LIMITS.maxBytes,
  maxArgumentDepth: DEFAULT_ARGUMENT_LIMITS.maxDepth,
  maxArgumentValues: DEFAULT_ARGUMENT_LIMITS.maxValues,
  maxPathArguments: DEFAULT_ARGUMENT_LIMITS.maxPaths,
};

export type ToolCallRequest = {
  taskId: string;
  /** `server.tool`, or a bare name that resolves to one (see ToolHub.resolve). */
  tool: string;
  arguments: Record<string, unknown>;
  /** Scheduler priority of the slot the call takes; `background` unless said. */
  priority?: WorkPriority;
  signal?: AbortSignal;
  /** How this caller asks a human for `ask` tools; the policy's default otherwise. */
  requestApproval?: RequestApproval;
};

/**
 * A call outside any task, scoped to a folder (`agent-agency tools call --workspace DIR`): the same
 * resolution, limits, path guard, permissions and scheduler slot as a task's call; the write
 * policy is the caller's (none: every write is refused). It has no task journal, so it is logged.
 */
export type WorkspaceCallRequest = Omit<ToolCallRequest, 'taskId'> & {
  workspace: string;
  writePolicy?: PathPolicy | undefined;
  /** Who makes the call, for the log and for approvals. */
  actor: Actor;
};

export type DeniedRule = EventPayload<'tool.denied'>['rule'];

/** Where a call belongs: a task (journaled, budgeted, its workspace) or a folder (logged). */
type CallScope = {
  taskId: string | null;
  label: string;
  /** The folder offered to the server as its only MCP root. */
  root(): Promise<string | null>;
  checkPath(path: string, access: ToolAccess): Promise<PathDecision>;
  usage(): { calls: number; durationMs: number };
  record(event: NewEvent, callId: string): void;
};

export type ToolCallOutcome =
  | {
      status: 'ok' | 'error';
      callId: string;
      /** `server.tool` as resolved. */
      tool: string;
      server: string;
      result: CallToolResult | null;
      /** Why the call failed when the server never answered (timeout, crash). */
      error: string | null;
      durationMs: number;
      allowedBy: AllowedBy;
    }
  | { status: 'denied'; callId: string; tool: string; server: string | null; rule: DeniedRule; reason: string };

export type ToolGatewayOptions = {
  db: Db;
  journal: Journal;
  clock: Clock;
  logger: Logger;
  hub: ToolHub;
  policy: ToolPolicy;
  checkPath: CheckPath;
  admission: InferenceAdmission;
  limits?: Partial<ToolLimits>;
  /** The app's data folder, which calls scoped to a folder may not reach either. */
  dataDir?: string | undefined;
  /** A task's workspace folder, offered to servers as the only MCP root during its calls. */
  workspaceOf?(taskId: string): string | null;
  /** Stdio servers then run one process per task (or folder) inside the sandbox; see TaskServers. */
  taskServers?: TaskServers;
};

/**
 * Every tool call of every task goes through here, in this order: resolve the name, check the
 * task's tool budget, check each path the arguments name against the workspace, ask the policy
 * (which may ask a human), wait for the server, take a scheduler slot, call, and journal the call
 * — or journal why it was refused. A refused call never reaches its server.
 */
export class ToolGateway {
  readonly limits: ToolLimits;

  constructor(private readonly options: ToolGatewayOptions) {
    this.limits = { ...DEFAULT_TOOL_LIMITS, ...options.limits };
  }

  async call(request: ToolCallRequest): Promise<ToolCallOutcome> {
    const { db, journal } = this.options;
    const { taskId } = request;
    const task = getTask(db, taskId);
    if (!task) throw new AppFailure('not_found', `no task with id ${taskId}`);
    return this.run(request, {
      taskId,
      label: taskId,
      root: async () => realRoot(this.options.workspaceOf?.(taskId) ?? null),
      checkPath: (path, access) => this.options.checkPath(taskId, path, access),
      usage: () => toolUsage(db, taskId),
      record: (event, callId) => journal.append(taskId, event, `${taskId}:tool:${callId}`),
    });
  }

  /** A call scoped to a folder instead of a task; see WorkspaceCallRequest. */
  async callInWorkspace(request: WorkspaceCallRequest): Promise<ToolCallOutcome> {
    const guard = workspacePathGuard({ workspaceRoot: () => request.workspace, writePolicy: () => request.writePolicy, dataDir: this.options.dataDir });
    let calls = 0;
    const logger = this.options.logger.child({ workspace: request.workspace, by: request.actor.who, via: request.actor.via });
    const requestApproval: RequestApproval =
      request.requestApproval ?? (async () => ({ granted: false, actor: request.actor, scope: 'once', reason: 'nobody can be asked here; approve the call explicitly' }));
    return this.run({ ...request, requestApproval }, {
      taskId: null,
      label: request.workspace,
      root: async () => realRoot(request.workspace),
      checkPath: (path, access) => guard('', path, access),
      usage: () => ({ calls: calls++, durationMs: 0 }),
      record: (event) => logger.info({ event: { type: event.type, payload: event.payload } }, event.type === 'tool.called' ? 'tool called' : 'tool call refused'),
    });
  }

  private async run(request: Omit<ToolCallRequest, 'taskId'>, scope: CallScope): Promise<ToolCallOutcome> {
    const { db, hub } = this.options;
    const callId = randomUUID();
    const taskId = scope.taskId ?? '';
    request.signal?.throwIfAborted();

    // One frozen copy, taken first: what is checked below is what the server receives. Anything
    // that cannot be copied completely within the limits is refused, never checked in part.
    const snapshot = snapshotArguments(request.arguments, {
      maxBytes: this.limits.maxArgumentBytes,
      maxDepth: this.limits.maxArgumentDepth,
      maxValues: this.limits.maxArgumentValues,
      maxPaths: this.limits.maxPathArguments,
    });
    // A refused object is not copied into the journal (it may be huge, cyclic or a proxy): its refusal is.
    const args: FrozenArguments = snapshot.ok ? snapshot.args : Object.freeze({ _refused: `${snapshot.at} ${snapshot.reason}` });
    const deny = (rule: DeniedRule, reason: string, extra: { server?: string | null; tool?: string; actor?: Actor; path?: string } = {}) =>
      this.deny(scope, { callId, tool: extra.tool ?? request.tool, server: extra.server ?? null, args, rule, reason, actor: extra.actor, path: extra.path });
    if (!snapshot.ok) return deny('invalid_arguments', `${snapshot.at} ${snapshot.reason}; the call was refused, not checked in part`);

    await this.bringUp(request.tool);
    const prefs = preferences(db);
    const resolved = this.resolveFor(request.tool, prefs, scope.taskId);
    if (!resolved.ok) {
      const down = resolved.server ? hub.get(resolved.server)?.status() : undefined;
      if (down && down.health !== 'running') {
        return deny('server_unavailable', `tool server ${resolved.server} is ${down.health}${down.lastError ? `: ${down.lastError}` : ''}`, { server: resolved.server });
      }
      return deny(resolved.rule, resolved.reason, { server: resolved.server });
    }
    const { entry, connection } = resolved;
    const at = { server: entry.server, tool: entry.qualified };

    const usage = scope.usage();
    if (usage.calls >= this.limits.maxCallsPerTask) {
      return deny('budget', `the task has used its ${this.limits.maxCallsPerTask} tool calls`, at);
    }
    if (usage.durationMs >= this.limits.maxToolMsPerTask) {
      return deny('budget', `the task has used its ${Math.round(this.limits.maxToolMsPerTask / 1000)} s of tool time`, at);
    }

    const paths = pathArguments(args, entry.tool);
    if (paths.length > this.limits.maxPathArguments) {
      return deny('invalid_arguments', `the arguments name ${paths.length} paths, more than the ${this.limits.maxPathArguments} one call may; the call was refused, not checked in part`, at);
    }
    const checked: { pointer: (string | number)[]; value: string }[] = [];
    for (const p of paths) {
      const decision = await scope.checkPath(p.value, entry.access);
      if (!decision.ok) return deny('path', `${p.key}: ${decision.reason}`, { ...at, path: p.value });
      checked.push({ pointer: p.pointer, value: /^file:\/\//i.test(p.value) ? pathToFileURL(decision.path).href : decision.path });
    }
    const sent = replaceStrings(args, checked);

    // The human is asked about, and the journal keeps, exactly what the server will receive.
    const summary = summarize(entry, sent);
    const auth = await this.options.policy.authorize(
      { taskId, server: entry.server, tool: entry.tool.name, request: { taskId, tool: entry.qualified, args: sent, fingerprint: fingerprint(entry.qualified, sent), summary } },
      request.requestApproval,
    );
    if (!auth.allowed) return deny(auth.rule, auth.reason, { ...at, ...(auth.actor ? { actor: auth.actor } : {}) });

    // A stdio server serving a task runs as that task's own process inside the sandbox, with the
    // task's policy; with no workspace to confine it to, it does not start at all.
    let server = connection;
    if (this.options.taskServers && connection.config.transport.kind === 'stdio') {
      const root = await scope.root();
      if (!root) return deny('server_unavailable', `tool server ${entry.server} runs sandboxed in the workspace of ${scope.label}, which has none`, at);
      server = this.options.taskServers.connectionFor(connection, { taskId: scope.taskId, workspaceDir: root });
    }
    try {
      await server.ready(this.limits.startTimeoutMs);
    } catch (e) {
      return deny('server_unavailable', e instanceof Error ? e.message : String(e), at);
    }

    const slot = await this.options.admission.acquire({
      priority: request.priority ?? 'background',
      label: `tool ${entry.qualified} for ${scope.label}`,
      ...(scope.taskId ? { taskId: scope.taskId } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const started = this.options.clock.now();
    let result: CallToolResult | null = null;
    let error: string | null = null;
    try {
      const callOptions = {
        timeoutMs: Math.min(this.limits.callTimeoutMs, Math.max(1, this.limits.maxToolMsPerTask - usage.durationMs)),
        ...(request.signal ? { signal: request.signal } : {}),
      };
      const root = await scope.root();
      result = root ? await server.callToolInRoot(root, entry.tool.name, sent, callOptions) : await server.callTool(entry.tool.name, sent, callOptions);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      slot.release();
    }
    const durationMs = Math.max(0, this.options.clock.now() - started);
    const isError = error !== null || result?.isError === true;
    scope.record(
      {
        type: 'tool.called',
        payload: {
          callId,
          server: entry.server,
          tool: entry.qualified,
          arguments: journaledArguments(sent),
          argumentsSha256: sha256(canonicalJson(sent)),
          resultSha256: result ? sha256(canonicalJson(result)) : null,
          isError,
          ...(error !== null ? { error: error.slice(0, 2_000) } : {}),
          durationMs,
          allowedBy: auth.allowedBy,
        },
      },
      callId,
    );
    // An abort after the call still journals it (it happened), then tells the caller.
    request.signal?.throwIfAborted();
    return { status: isError ? 'error' : 'ok', callId, tool: entry.qualified, server: entry.server, result, error, durationMs, allowedBy: auth.allowedBy };
  }

  /**
   * The catalogue's resolution, except that a task's own server process may offer tools the shared
   * one does not (a server that adds tools as it is used): `server.tool` then resolves to those.
   */
  private resolveFor(name: string, prefs: ReadonlyMap<string, string>, taskId: string | null): Resolution {
    const resolved = this.options.hub.resolve(name, prefs);
    if (resolved.ok || resolved.rule !== 'unknown_tool' || !resolved.server || !taskId) return resolved;
    const own = this.options.taskServers?.existing(resolved.server, taskId);
    const toolName = name.slice(resolved.server.length + 1);
    const tool = own?.tools().find((t) => t.name === toolName);
    if (!own || !tool) return resolved;
    return { ok: true, entry: { qualified: name, server: resolved.server, tool, access: toolAccess(tool) }, connection: this.options.hub.get(resolved.server) ?? own };
  }

  /** Starts what a call needs: its server for `server.tool`, every enabled server for a bare name. */
  private async bringUp(name: string): Promise<void> {
    const { hub } = this.options;
    const dot = name.indexOf('.');
    const named = dot > 0 ? hub.get(name.slice(0, dot)) : undefined;
    const targets = named ? [named] : hub.list().map((h) => h.connection);
    await Promise.all(
      targets
        .filter((c) => c.config.enabled && c.status().health !== 'running' && c.status().health !== 'failed')
        .map((c) => c.ready(this.limits.startTimeoutMs).catch(() => undefined)),
    );
  }

  private deny(
    scope: CallScope,
    d: {
      callId: string;
      tool: string;
      server: string | null;
      args: Record<string, unknown>;
      rule: DeniedRule;
      reason: string;
      actor?: Actor | undefined;
      path?: string | undefined;
    },
  ): ToolCallOutcome {
    this.options.logger.info({ taskId: scope.taskId, tool: d.tool, rule: d.rule }, 'tool call refused');
    scope.record(
      {
        type: 'tool.denied',
        payload: {
          callId: d.callId,
          server: d.server,
          tool: d.tool,
          arguments: journaledArguments(d.args),
          argumentsSha256: sha256(canonicalJson(d.args)),
          rule: d.rule,
          reason: d.reason,
          ...(d.actor ? { actor: d.actor } : {}),
          ...(d.path !== undefined ? { path: d.path } : {}),
        },
      },
      d.callId,
    );
    return { status: 'denied', callId: d.callId, tool: d.tool, server: d.server, rule: d.rule, reason: d.reason };
  }
}

async function realRoot(dir: string | null): Promise<string | null> {
  return dir ? realpath(dir).catch(() => null) : null;
}

/** One line for the person asked to approve. */
export function summarize(entry: Pick<ToolEntry, 'qualified' | 'access'>, args: Record<string, unknown>): string {
  const shown = JSON.stringify(journaledArguments(args));
  const text = shown.length > 600 ? `${shown.slice(0, 600)}…` : shown;
  return `${entry.access === 'write' ? 'Run' : 'Run read-only'} tool ${entry.qualified} with ${text}`;
}
