import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ListRootsRequestSchema, ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerHealth, ToolServerConfig } from '../../../shared/channels/tools';
import { AppFailure } from '../../../shared/errors';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import type { TimerHandle, Timers } from '../scheduler/timers';
import { describeFailure, isConnectionFailure, listAllTools, openTransport, SandboxRefusal, transportPid, type McpTool, type SpawnWrapper } from './mcp-transport';

export { SandboxRefusal, type McpTool, type SpawnWrapper };

export type BackoffSettings = {
  /** Delay before the first restart after a crash; doubles each time, up to `maxMs`. */
  baseMs: number;
  maxMs: number;
  /** Crashes in a row (each within `stableMs` of its start) after which the server is left failed. */
  maxRestarts: number;
  /** A server that ran this long before crashing starts counting afresh. */
  stableMs: number;
};

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 500, maxMs: 30_000, maxRestarts: 8, stableMs: 60_000 };

export type ConnectionStatus = {
  health: ServerHealth;
  pid: number | null;
  tools: number;
  restarts: number;
  lastError: string | null;
  since: number | null;
  nextRetryAt: number | null;
  serverInfo: { name: string; version: string } | null;
};

export type McpConnectionOptions = {
  config: ToolServerConfig;
  logger: Logger;
  clock: Clock;
  timers: Timers;
  backoff?: BackoffSettings;
  /** Limit on connecting and listing tools. */
  connectTimeoutMs?: number;
  clientInfo?: { name: string; version: string };
  /** Health or tool list changed. */
  onChange?: () => void;
  /** Set for servers started for a task: the stdio process is spawned as this wraps it (the sandbox). */
  wrap?: SpawnWrapper;
};

const STDERR_TAIL = 2_000;

/**
 * One MCP server: the SDK client over stdio or streamable HTTP, its tool list (followed through
 * list-changed notifications), and its health. A server that goes away without being asked is
 * restarted with exponential backoff; one that keeps crashing soon after starting is left `failed`
 * until the user restarts it or changes its configuration.
 */
export class McpConnection {
  readonly config: ToolServerConfig;
  private readonly logger: Logger;
  private readonly backoff: BackoffSettings;
  private client: Client | undefined;
  private transport: Transport | undefined;
  private starting: Promise<void> | undefined;
  private retryTimer: TimerHandle | undefined;
  /** Bumped on every start and stop; callbacks of an older client are ignored. */
  private generation = 0;
  private stopped = false;
  private crashesInARow = 0;
  private startedAt = 0;
  private stderrTail = '';
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private toolList: McpTool[] = [];
  /** The folders offered as MCP roots: the workspace of the task whose call runs now, or none. */
  private rootDirs: string[] = [];
  /** Whether the server has asked for roots (it follows them); servers that ignore roots never do. */
  private rootsAware = false;
  private rootsAsked: (() => void)[] = [];
  /** Calls that switch roots run one at a time, so one task's call never runs under another's root. */
  private rootsQueue: Promise<unknown> = Promise.resolve();
  private state: ConnectionStatus = { health: 'stopped', pid: null, tools: 0, restarts: 0, lastError: null, since: null, nextRetryAt: null, serverInfo: null };

  constructor(private readonly options: McpConnectionOptions) {
    this.config = options.config;
    this.logger = options.logger.child({ mcpServer: options.config.name });
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    if (!options.config.enabled) this.set({ health: 'disabled' });
  }

  status(): ConnectionStatus {
    return { ...this.state, tools: this.toolList.length };
  }

  tools(): readonly McpTool[] {
    return this.toolList;
  }

  /** Starts the server unless it runs, is starting or waits for a restart. */
  start(): Promise<void> {
    if (!this.config.enabled) return Promise.resolve();
    this.stopped = false;
    if (this.state.health === 'running') return Promise.resolve();
    if (this.starting) return this.starting;
    if (this.retryTimer) return Promise.resolve();
    this.starting = this.connect().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Stops for good (until `start` or `restart`); the process is ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    this.clearRetry();
    const client = this.client;
    this.client = undefined;
    this.transport = undefined;
    this.toolList = [];
    this.set({ health: this.config.enabled ? 'stopped' : 'disabled', pid: null, nextRetryAt: null });
    this.rejectWaiters(new AppFailure('unavailable', `tool server ${this.config.name} was stopped`));
    await client?.close().catch(() => undefined);
  }

  /** A manual restart: forgets earlier crashes and starts now. */
  async restart(): Promise<void> {
    await this.stop();
    this.crashesInARow = 0;
    this.set({ restarts: 0, lastError: null });
    await this.start();
  }

  /** Resolves once the server runs; starts it if needed; rejects if it cannot come up in `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    if (!this.config.enabled) throw new AppFailure('unavailable', `tool server ${this.config.name} is disabled`);
    if (this.state.health === 'running') return;
    if (this.state.health === 'failed') {
      throw new AppFailure('unavailable', `tool server ${this.config.name} failed: ${this.state.lastError ?? 'it kept crashing'}; restart it in Settings`);
    }
    void this.start().catch(() => undefined);
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          this.options.timers.clearTimeout(timer);
          resolve();
        },
        reject: (e: unknown) => {
          this.options.timers.clearTimeout(timer);
          reject(e);
        },
      };
      const timer = this.options.timers.setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new AppFailure('unavailable', `tool server ${this.config.name} is ${this.state.health}${this.state.lastError ? `: ${this.state.lastError}` : ''}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The roots currently offered (for status and tests). */
  roots(): readonly string[] {
    return this.rootDirs;
  }

  /**
   * Calls a tool with `root` as the only MCP root. For a server that follows roots, the roots are
   * switched (and the server's re-reading of them awaited) before the call, and such calls run one
   * at a time; a server that never asked for roots is called directly.
   */
  async callToolInRoot(root: string, name: string, args: Record<string, unknown>, options: { signal?: AbortSignal; timeoutMs: number }): Promise<CallToolResult> {
    const run = async () => {
      const switched = await this.useRoots([root], Math.min(options.timeoutMs, 5_000));
      const result = await this.callTool(name, args, options);
      // The server applies new roots on its own time after asking for them; a call it refused for
      // being outside its (old) folders right after a switch is made once more, a moment later.
      if (switched && result.isError && /allowed director|access denied/i.test(JSON.stringify(result.content ?? []))) {
        await new Promise((r) => setTimeout(r, 250));
        return this.callTool(name, args, options);
      }
      return result;
    };
    const result = this.rootsQueue.then(run, run);
    this.rootsQueue = result.catch(() => undefined);
    return result;
  }

  /** Offers `dirs` as the roots; true when they changed for a server that follows roots. */
  private async useRoots(dirs: string[], waitMs: number): Promise<boolean> {
    if (dirs.length === this.rootDirs.length && dirs.every((d, i) => d === this.rootDirs[i])) return false;
    this.rootDirs = dirs;
    const client = this.client;
    if (!client || this.state.health !== 'running') return false;
    const asked = this.rootsAware
      ? new Promise<void>((resolve) => {
          const timer = this.options.timers.setTimeout(resolve, waitMs);
          this.rootsAsked.push(() => {
            this.options.timers.clearTimeout(timer);
            resolve();
          });
        })
      : Promise.resolve();
    await client.sendRootsListChanged().catch((e: unknown) => this.logger.debug({ err: e }, 'could not announce new roots'));
    await asked;
    // The server applies the roots after asking (its own file checks); give its handler a moment
    // so the call does not race it. The path guard has already confined the call either way.
    if (this.rootsAware) await new Promise((r) => setTimeout(r, 25));
    return this.rootsAware;
  }

  async callTool(name: string, args: Record<string, unknown>, options: { signal?: AbortSignal; timeoutMs: number }): Promise<CallToolResult> {
    const client = this.client;
    if (!client || this.state.health !== 'running') throw new AppFailure('unavailable', `tool server ${this.config.name} is ${this.state.health}`);
    const generation = this.generation;
    try {
      const result = await client.callTool({ name, arguments: args }, undefined, {
        timeout: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return result as CallToolResult;
    } catch (e) {
      // A stdio server that dies closes its pipe (see onClosed); an HTTP server that stops
      // answering only shows up here, so it is treated as a crash and reconnected with backoff.
      if (this.config.transport.kind === 'http' && isConnectionFailure(e) && generation === this.generation) {
        this.client = undefined;
        this.transport = undefined;
        this.toolList = [];
        // Scheduled before closing: the close notice then belongs to an old generation and is ignored.
        this.scheduleRestart(describeFailure(e, ''), this.options.clock.now() - this.startedAt);
        void client.close().catch(() => undefined);
      }
      throw e;
    }
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.clearRetry();
    this.set({ health: this.state.restarts > 0 ? 'restarting' : 'starting', nextRetryAt: null });
    this.stderrTail = '';
    let transport: Transport;
    try {
      transport = await openTransport(this.config.transport, this.options.wrap, (chunk) => {
        this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL);
      });
    } catch (e) {
      if (generation !== this.generation) return;
      const message = describeFailure(e, '');
      this.logger.warn({ err: e }, 'MCP server was not started');
      if (e instanceof SandboxRefusal) {
        // Fail closed and at once: retrying cannot make a sandbox appear.
        this.generation++;
        this.set({ health: 'failed', pid: null, lastError: message, nextRetryAt: null });
        this.rejectWaiters(new AppFailure('unavailable', message));
        return;
      }
      this.scheduleRestart(message, 0);
      return;
    }
    // Roots: the client offers the task's workspace as the only root to servers that follow roots
    // (the filesystem server then confines itself to it); servers that ignore roots are still held
    // by the gateway's path guard.
    const client = new Client(this.options.clientInfo ?? { name: 'agent-agency', version: '0.1.0' }, { capabilities: { roots: { listChanged: true } } });
    client.setRequestHandler(ListRootsRequestSchema, () => {
      if (generation === this.generation) {
        this.rootsAware = true;
        for (const resolve of this.rootsAsked.splice(0)) resolve();
      }
      return { roots: this.rootDirs.map((dir) => ({ uri: pathToFileURL(dir).href, name: basename(dir) })) };
    });
    client.onclose = () => this.onClosed(generation);
    client.onerror = (e) => this.logger.debug({ err: e }, 'MCP transport error');
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      if (generation === this.generation) void this.refreshTools(client, generation);
    });
    this.client = client;
    this.transport = transport;
    try {
      const timeout = this.options.connectTimeoutMs ?? 20_000;
      await client.connect(transport, { timeout });
      const tools = await listAllTools(client, timeout);
      if (generation !== this.generation) {
        await client.close().catch(() => undefined);
        return;
      }
      this.toolList = tools;
      this.startedAt = this.options.clock.now();
      const info = client.getServerVersion();
      this.set({
        health: 'running',
        pid: transportPid(transport),
        serverInfo: info ? { name: info.name, version: info.version } : null,
      });
      this.logger.info({ tools: tools.length }, 'MCP server running');
      for (const w of this.waiters.splice(0)) w.resolve();
    } catch (e) {
      if (generation !== this.generation) return;
      const message = describeFailure(e, this.stderrTail);
      this.logger.warn({ err: e }, 'MCP server failed to start');
      this.client = undefined;
      this.transport = undefined;
      // Scheduled before closing: the close notice of this client then belongs to an old
      // generation, so a failed start is counted once whichever of the two arrives first.
      this.scheduleRestart(message, 0);
      await client.close().catch(() => undefined);
    }
  }

  private async refreshTools(client: Client, generation: number): Promise<void> {
    try {
      const tools = await listAllTools(client, this.options.connectTimeoutMs ?? 20_000);
      if (generation !== this.generation) return;
      this.toolList = tools;
      this.logger.info({ tools: tools.length }, 'MCP server tool list changed');
      this.options.onChange?.();
    } catch (e) {
      this.logger.warn({ err: e }, 'could not refresh the tool list after a change notice');
    }
  }

  private onClosed(generation: number): void {
    if (generation !== this.generation || this.stopped) return;
    // Closed without being asked: the process died or the connection dropped.
    const ranFor = this.options.clock.now() - this.startedAt;
    const wasRunning = this.state.health === 'running';
    this.client = undefined;
    this.transport = undefined;
    this.toolList = [];
    const message = wasRunning ? describeFailure(new Error('the server exited'), this.stderrTail) : describeFailure(new Error('the connection closed while starting'), this.stderrTail);
    this.logger.warn({ ranFor }, 'MCP server went away');
    this.scheduleRestart(message, wasRunning ? ranFor : 0);
  }

  private scheduleRestart(message: string, ranForMs: number): void {
    if (this.stopped) return;
    this.generation++;
    if (ranForMs >= this.backoff.stableMs) this.crashesInARow = 0;
    this.crashesInARow++;
    if (this.crashesInARow > this.backoff.maxRestarts) {
      this.set({ health: 'failed', pid: null, lastError: `${message} (gave up after ${this.backoff.maxRestarts} restarts)`, nextRetryAt: null });
      this.rejectWaiters(new AppFailure('unavailable', `tool server ${this.config.name} failed: ${message}`));
      return;
    }
    const delay = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (this.crashesInARow - 1));
    this.set({ health: 'restarting', pid: null, lastError: message, nextRetryAt: this.options.clock.now() + delay, restarts: this.state.restarts + 1 });
    this.retryTimer = this.options.timers.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped) return;
      this.starting = this.connect().finally(() => {
        this.starting = undefined;
      });
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) this.options.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private rejectWaiters(e: unknown): void {
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  private set(patch: Partial<ConnectionStatus>): void {
    const healthChanged = patch.health !== undefined && patch.health !== this.state.health;
    this.state = { ...this.state, ...patch, ...(healthChanged ? { since: this.options.clock.now() } : {}) };
    this.options.onChange?.();
  }
}
