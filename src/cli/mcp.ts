import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ContractSession } from '../main/core/api/session';
import { createCore } from '../main/core/composition/app-core';
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
  const core = createCore({ dataDir: resolve(options.dataDir ?? defaultDataDir()), logger });
  // MCP clients are models and agents: never a human channel (no waiver approvals).
  const session = new ContractSession(core, () => undefined, { via: 'mcp', human: false });
  const server = createAppMcpServer({ session, logger, version: APP_MCP_VERSION, defaultActor: () => options.as });
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
