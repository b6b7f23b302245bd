import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ContractSession } from '../main/core/api/session';
import { createCore, type Core } from '../main/core/composition/app-core';
import { productionSteps } from '../main/core/composition/production-steps';
import { AppFailure } from '../shared/errors';
import { createLogger } from '../main/core/observability/logger';
import { defaultDataDir } from '../main/core/paths';
import { APP_MCP_VERSION, createAppMcpServer } from '../main/core/api/mcp-server';

export type McpCommandOptions = { dataDir?: string; as?: string };

/**
 * `agent-agency mcp`: the app's own tools as an MCP server on stdin/stdout, for another agent to
 * start as a subprocess. The core runs in this process on the data folder. stdout carries only
 * MCP messages; logs go to stderr. Ends when the client closes stdin.
 */
export async function mcpCommand(options: McpCommandOptions): Promise<void> {
  const logger = createLogger({ level: process.env['AGENT_AGENCY_LOG_LEVEL'] ?? 'warn' });
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  // As `execute` does: the task engine runs here unless another process (serve, the desktop app)
  // already runs it on this data folder; then tasks are queued for that one, and submit_task says so.
  let core: Core;
  let engineElsewhere: string | undefined;
  try {
    core = createCore({ dataDir, logger, steps: productionSteps, tools: { autoStart: true }, engine: { label: 'agent-agency mcp' } });
  } catch (e) {
    if (!(e instanceof AppFailure) || e.code !== 'unavailable') throw e;
    engineElsewhere = e.message;
    core = createCore({ dataDir, logger });
  }
  // MCP clients are models and agents: never a human channel (no waiver approvals).
  const session = new ContractSession(core, () => undefined, { via: 'mcp', human: false });
  const server = createAppMcpServer({
    session,
    logger,
    version: APP_MCP_VERSION,
    defaultActor: () => options.as,
    engine: () => (core.engine ? { runs: true } : { runs: false, reason: engineElsewhere ?? 'no task engine runs in this process' }),
  });
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    session.close();
    await core.tools.close();
    core.close();
    process.exit(0);
  };
  server.onclose = () => void shutdown();
  process.stdin.once('end', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  await server.connect(new StdioServerTransport());
}
