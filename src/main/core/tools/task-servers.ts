import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { buildPolicy, defaultSandboxService, type SandboxService } from '../sandbox';
import { isWithin } from '../sandbox/bwrap-args';
import type { Timers } from '../scheduler/timers';
import { McpConnection, SandboxRefusal, type BackoffSettings, type SpawnWrapper } from './mcp-connection';

export type TaskServersOptions = {
  logger: Logger;
  clock: Clock;
  timers: Timers;
  /** The app's data folder: hidden from every server started for a task. */
  dataDir?: string | undefined;
  /** The sandbox service (the composition root's configured one by default: user override, journaling). */
  sandbox?: () => Promise<SandboxService>;
  backoff?: BackoffSettings;
  connectTimeoutMs?: number;
};

/**
 * Stdio MCP servers started for one task (or one `tools call --workspace` folder): one process per
 * (server, owner), started lazily on the owner's first call, inside the sandbox service with the
 * owner's policy — the workspace writable, the home folder, credentials and data folder hidden, no
 * network, the policy's limits — and stopped when the task ends. Without a sandbox the start is
 * refused (fail closed) unless the user's run-without-sandbox setting is on, which the sandbox
 * service journals on the task.
 */
export class TaskServers {
  private readonly held = new Map<string, { owner: string; connection: McpConnection }>();

  constructor(private readonly options: TaskServersOptions) {}

  /** The connection of `base`'s server for `owner`, created (not started) on first use. */
  connectionFor(base: McpConnection, owner: { taskId: string | null; workspaceDir: string }): McpConnection {
    const ownerKey = owner.taskId ?? `workspace:${owner.workspaceDir}`;
    const key = `${base.config.name}\u0000${ownerKey}\u0000${JSON.stringify(base.config)}\u0000${owner.workspaceDir}`;
    const found = this.held.get(key);
    if (found) return found.connection;
    const wrap: SpawnWrapper = async (argv, env) => {
      const sandbox = await (this.options.sandbox ?? (() => defaultSandboxService(this.options.logger)))();
      const policy = buildPolicy({
        workspaceDir: owner.workspaceDir,
        ...(this.options.dataDir ? { dataDir: this.options.dataDir } : {}),
        network: false,
        extraReadOnly: serverFiles(argv, this.options.dataDir),
      });
      const wrapped = await sandbox.wrapCommand(argv, { cwd: owner.workspaceDir, policy, env, ...(owner.taskId ? { taskId: owner.taskId } : {}) });
      if ('denial' in wrapped) throw new SandboxRefusal(`tool server ${base.config.name} was not started for ${ownerKey}: ${wrapped.denial.message}`);
      return wrapped;
    };
    const connection = new McpConnection({
      config: base.config,
      logger: this.options.logger.child({ owner: ownerKey }),
      clock: this.options.clock,
      timers: this.options.timers,
      wrap,
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
      ...(this.options.connectTimeoutMs ? { connectTimeoutMs: this.options.connectTimeoutMs } : {}),
    });
    this.held.set(key, { owner: ownerKey, connection });
    return connection;
  }

  /** The process of `server` already started for `ownerKey` (a task id), if any. */
  existing(server: string, ownerKey: string): McpConnection | undefined {
    for (const held of this.held.values()) if (held.owner === ownerKey && held.connection.config.name === server) return held.connection;
    return undefined;
  }

  /** Every server process started for `taskId` (or a workspace owner key) is ended. */
  async closeOwner(ownerKey: string): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const [key, held] of this.held) {
      if (held.owner !== ownerKey) continue;
      this.held.delete(key);
      stopping.push(held.connection.stop());
    }
    await Promise.all(stopping);
  }

  /** How many server processes are held for `ownerKey` (for status and tests). */
  count(ownerKey: string): number {
    return [...this.held.values()].filter((h) => h.owner === ownerKey).length;
  }

  async closeAll(): Promise<void> {
    const all = [...this.held.values()];
    this.held.clear();
    await Promise.all(all.map((h) => h.connection.stop()));
  }
}

/**
 * The server's own program files, named by absolute path in its command line (its binary, its
 * script): the user configured them, so the sandbox shows them read-only even when they live under
 * a hidden or private folder. Only single files, never a folder, and nothing in the app's data folder.
 */
export function serverFiles(argv: readonly string[], dataDir?: string): string[] {
  return argv.filter((a) => {
    if (!isAbsolute(a) || (dataDir !== undefined && isWithin(a, dataDir))) return false;
    try {
      return statSync(a).isFile();
    } catch {
      return false;
    }
  });
}
