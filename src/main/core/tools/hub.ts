import type { ToolAccess, ToolConflict, ToolServerConfig } from '../../../shared/channels/tools';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import type { Timers } from '../scheduler/timers';
import { McpConnection, type BackoffSettings, type McpTool } from './mcp-connection';
import { toolAccess } from './path-args';

export type ConfiguredServer = { config: ToolServerConfig; source: 'settings' | 'file' };

export type ToolEntry = {
  /** `server.tool`. */
  qualified: string;
  server: string;
  tool: McpTool;
  access: ToolAccess;
};

export type Resolution =
  | { ok: true; entry: ToolEntry; connection: McpConnection }
  | { ok: false; rule: 'unknown_tool' | 'ambiguous'; reason: string; server: string | null };

export type ToolHubOptions = {
  logger: Logger;
  clock: Clock;
  timers: Timers;
  backoff?: BackoffSettings;
  connectTimeoutMs?: number;
  /** Called when any server's health or tools change. */
  onChange?: () => void;
};

/**
 * The running MCP servers, kept in step with their configuration, and the namespaced tool catalogue
 * over all of them. Tools are named `server.tool`; a bare name resolves when exactly one running
 * server offers it, or when the user prefers one of the servers that do.
 */
export class ToolHub {
  private readonly connections = new Map<string, { connection: McpConnection; source: ConfiguredServer['source']; key: string }>();

  constructor(private readonly options: ToolHubOptions) {}

  /**
   * Applies a configuration: new servers are added (and started when `start`), changed ones are
   * replaced, removed ones are stopped. Servers already running stay untouched.
   */
  async sync(servers: readonly ConfiguredServer[], start: boolean): Promise<void> {
    const wanted = new Map(servers.map((s) => [s.config.name, s]));
    const stopping: Promise<void>[] = [];
    for (const [name, held] of this.connections) {
      const next = wanted.get(name);
      if (!next || configKey(next.config) !== held.key) {
        this.connections.delete(name);
        stopping.push(held.connection.stop());
      } else {
        held.source = next.source;
      }
    }
    await Promise.all(stopping);
    for (const s of servers) {
      if (this.connections.has(s.config.name)) continue;
      const connection = new McpConnection({
        config: s.config,
        logger: this.options.logger,
        clock: this.options.clock,
        timers: this.options.timers,
        ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
        ...(this.options.connectTimeoutMs ? { connectTimeoutMs: this.options.connectTimeoutMs } : {}),
        ...(this.options.onChange ? { onChange: this.options.onChange } : {}),
      });
      this.connections.set(s.config.name, { connection, source: s.source, key: configKey(s.config) });
      if (start && s.config.enabled) void connection.start().catch(() => undefined);
    }
  }

  get(name: string): McpConnection | undefined {
    return this.connections.get(name)?.connection;
  }

  list(): { connection: McpConnection; source: ConfiguredServer['source'] }[] {
    return [...this.connections.values()].sort((a, b) => a.connection.config.name.localeCompare(b.connection.config.name));
  }

  /** Every tool of every running server, namespaced. */
  entries(server?: string): ToolEntry[] {
    const out: ToolEntry[] = [];
    for (const { connection } of this.list()) {
      const name = connection.config.name;
      if (server && name !== server) continue;
      for (const tool of connection.tools()) out.push({ qualified: `${name}.${tool.name}`, server: name, tool, access: toolAccess(tool) });
    }
    return out;
  }

  /** Bare names offered by more than one server, and which one each resolves to. */
  conflicts(preferences: ReadonlyMap<string, string>): ToolConflict[] {
    const byName = new Map<string, string[]>();
    for (const e of this.entries()) byName.set(e.tool.name, [...(byName.get(e.tool.name) ?? []), e.server]);
    const out: ToolConflict[] = [];
    for (const [name, servers] of byName) {
      if (servers.length < 2) continue;
      const preferred = preferences.get(name);
      out.push({ name, servers, preferred: preferred && servers.includes(preferred) ? preferred : null });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The server that an unqualified name goes to, or undefined when it is ambiguous or unknown. */
  unqualifiedTarget(name: string, preferences: ReadonlyMap<string, string>): string | undefined {
    const servers = this.entries().filter((e) => e.tool.name === name).map((e) => e.server);
    if (servers.length === 1) return servers[0];
    const preferred = preferences.get(name);
    return preferred && servers.includes(preferred) ? preferred : undefined;
  }

  /**
   * `server.tool` first (server names have no dots, tool names may); otherwise a bare name. A
   * server that is configured but not running yet is resolved by name so the call can wait for it.
   */
  resolve(name: string, preferences: ReadonlyMap<string, string>): Resolution {
    const dot = name.indexOf('.');
    if (dot > 0) {
      const server = name.slice(0, dot);
      const toolName = name.slice(dot + 1);
      const held = this.connections.get(server);
      if (held) {
        const tool = held.connection.tools().find((t) => t.name === toolName);
        if (tool) return { ok: true, entry: { qualified: name, server, tool, access: toolAccess(tool) }, connection: held.connection };
        return { ok: false, rule: 'unknown_tool', reason: `server ${server} offers no tool ${toolName}`, server };
      }
    }
    const offers = this.entries().filter((e) => e.tool.name === name);
    if (offers.length === 0) return { ok: false, rule: 'unknown_tool', reason: `no server offers a tool named ${name}`, server: null };
    if (offers.length === 1) return { ok: true, entry: offers[0]!, connection: this.connections.get(offers[0]!.server)!.connection };
    const preferred = preferences.get(name);
    const chosen = offers.find((o) => o.server === preferred);
    if (chosen) return { ok: true, entry: chosen, connection: this.connections.get(chosen.server)!.connection };
    return {
      ok: false,
      rule: 'ambiguous',
      reason: `${name} is offered by ${offers.map((o) => o.qualified).join(' and ')}; name one, or choose a preferred server in Settings`,
      server: null,
    };
  }

  async startAll(): Promise<void> {
    await Promise.all(this.list().map(({ connection }) => (connection.config.enabled ? connection.start().catch(() => undefined) : undefined)));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.list().map(({ connection }) => connection.stop()));
  }
}

const configKey = (c: ToolServerConfig) => JSON.stringify(c);
