import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Actor, EventPayload } from '../../../shared/domain/events';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { getTask } from '../db/queries/tasks';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import type { InferenceAdmission, WorkPriority } from '../scheduler/admission';
import { canonical, fingerprint, journaledArguments, sha256 } from './audit';
import type { ToolEntry, ToolHub } from './hub';
import { pathArguments, withCheckedPaths } from './path-args';
import type { CheckPath } from './path-guard';
import type { AllowedBy, RequestApproval, ToolPolicy } from './policy';
import { preferences, toolUsage } from './store';

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
};

export const DEFAULT_TOOL_LIMITS: ToolLimits = {
  maxCallsPerTask: 200,
  maxToolMsPerTask: 30 * 60_000,
  callTimeoutMs: 60_000,
  startTimeoutMs: 20_000,
  maxArgumentBytes: 2_000_000,
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

export type DeniedRule = EventPayload<'tool.denied'>['rule'];

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
    const { db, hub } = this.options;
    const callId = randomUUID();
    const { taskId, arguments: args } = request;
    const task = getTask(db, taskId);
    if (!task) throw new AppFailure('not_found', `no task with id ${taskId}`);
    request.signal?.throwIfAborted();

    const deny = (rule: DeniedRule, reason: string, extra: { server?: string | null; tool?: string; actor?: Actor; path?: string } = {}) =>
      this.deny({ callId, taskId, tool: extra.tool ?? request.tool, server: extra.server ?? null, args, rule, reason, actor: extra.actor, path: extra.path });

    const argumentText = canonical(args);
    if (Buffer.byteLength(argumentText) > this.limits.maxArgumentBytes) {
      return deny('invalid_arguments', `the arguments are larger than ${this.limits.maxArgumentBytes} bytes`);
    }

    await this.bringUp(request.tool);
    const prefs = preferences(db);
    const resolved = hub.resolve(request.tool, prefs);
    if (!resolved.ok) {
      const down = resolved.server ? hub.get(resolved.server)?.status() : undefined;
      if (down && down.health !== 'running') {
        return deny('server_unavailable', `tool server ${resolved.server} is ${down.health}${down.lastError ? `: ${down.lastError}` : ''}`, { server: resolved.server });
      }
      return deny(resolved.rule, resolved.reason, { server: resolved.server });
    }
    const { entry, connection } = resolved;
    const at = { server: entry.server, tool: entry.qualified };

    const usage = toolUsage(db, taskId);
    if (usage.calls >= this.limits.maxCallsPerTask) {
      return deny('budget', `the task has used its ${this.limits.maxCallsPerTask} tool calls`, at);
    }
    if (usage.durationMs >= this.limits.maxToolMsPerTask) {
      return deny('budget', `the task has used its ${Math.round(this.limits.maxToolMsPerTask / 1000)} s of tool time`, at);
    }

    const checked: { pointer: (string | number)[]; path: string }[] = [];
    for (const p of pathArguments(args, entry.tool)) {
      const decision = await this.options.checkPath(taskId, p.value, entry.access);
      if (!decision.ok) return deny('path', `${p.key}: ${decision.reason}`, { ...at, path: p.value });
      checked.push({ pointer: p.pointer, path: /^file:\/\//i.test(p.value) ? pathToFileURL(decision.path).href : decision.path });
    }
    const sent = checked.length > 0 ? withCheckedPaths(args, checked) : args;

    // The human is asked about, and the journal keeps, exactly what the server will receive.
    const summary = summarize(entry, sent);
    const auth = await this.options.policy.authorize(
      { taskId, server: entry.server, tool: entry.tool.name, request: { taskId, tool: entry.qualified, args: sent, fingerprint: fingerprint(entry.qualified, sent), summary } },
      request.requestApproval,
    );
    if (!auth.allowed) return deny(auth.rule, auth.reason, { ...at, ...(auth.actor ? { actor: auth.actor } : {}) });

    try {
      await connection.ready(this.limits.startTimeoutMs);
    } catch (e) {
      return deny('server_unavailable', e instanceof Error ? e.message : String(e), at);
    }

    const slot = await this.options.admission.acquire({
      priority: request.priority ?? 'background',
      label: `tool ${entry.qualified} for ${taskId}`,
      taskId,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const started = this.options.clock.now();
    let result: CallToolResult | null = null;
    let error: string | null = null;
    try {
      result = await connection.callTool(entry.tool.name, sent, {
        timeoutMs: Math.min(this.limits.callTimeoutMs, Math.max(1, this.limits.maxToolMsPerTask - usage.durationMs)),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      slot.release();
    }
    const durationMs = Math.max(0, this.options.clock.now() - started);
    const isError = error !== null || result?.isError === true;
    this.options.journal.append(
      taskId,
      {
        type: 'tool.called',
        payload: {
          callId,
          server: entry.server,
          tool: entry.qualified,
          arguments: journaledArguments(sent),
          argumentsSha256: sha256(canonical(sent)),
          resultSha256: result ? sha256(canonical(result)) : null,
          isError,
          ...(error !== null ? { error: error.slice(0, 2_000) } : {}),
          durationMs,
          allowedBy: auth.allowedBy,
        },
      },
      `${taskId}:tool:${callId}`,
    );
    // An abort after the call still journals it (it happened), then tells the caller.
    request.signal?.throwIfAborted();
    return { status: isError ? 'error' : 'ok', callId, tool: entry.qualified, server: entry.server, result, error, durationMs, allowedBy: auth.allowedBy };
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

  private deny(d: {
    callId: string;
    taskId: string;
    tool: string;
    server: string | null;
    args: Record<string, unknown>;
    rule: DeniedRule;
    reason: string;
    actor?: Actor | undefined;
    path?: string | undefined;
  }): ToolCallOutcome {
    this.options.logger.info({ taskId: d.taskId, tool: d.tool, rule: d.rule }, 'tool call refused');
    this.options.journal.append(
      d.taskId,
      {
        type: 'tool.denied',
        payload: {
          callId: d.callId,
          server: d.server,
          tool: d.tool,
          arguments: journaledArguments(d.args),
          argumentsSha256: sha256(canonical(d.args)),
          rule: d.rule,
          reason: d.reason,
          ...(d.actor ? { actor: d.actor } : {}),
          ...(d.path !== undefined ? { path: d.path } : {}),
        },
      },
      `${d.taskId}:tool:${d.callId}`,
    );
    return { status: 'denied', callId: d.callId, tool: d.tool, server: d.server, rule: d.rule, reason: d.reason };
  }
}

/** One line for the person asked to approve. */
export function summarize(entry: Pick<ToolEntry, 'qualified' | 'access'>, args: Record<string, unknown>): string {
  const shown = JSON.stringify(journaledArguments(args));
  const text = shown.length > 600 ? `${shown.slice(0, 600)}…` : shown;
  return `${entry.access === 'write' ? 'Run' : 'Run read-only'} tool ${entry.qualified} with ${text}`;
}
