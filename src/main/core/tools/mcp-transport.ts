import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolServerConfig } from '../../../shared/channels/tools';
import type { WrappedCommand } from '../sandbox';

/** How an MCP server is reached, and how what it says is read: the parts of a connection that do not keep state. */

export type McpTool = Tool;

/** Wraps a stdio server's argv (and its configured env) to run inside the sandbox; throws SandboxRefusal when it may not start. */
export type SpawnWrapper = (argv: string[], env: Record<string, string>) => Promise<WrappedCommand>;

/** The sandbox refused to start the server (no sandbox, bad policy): not retried, the server is failed. */
export class SandboxRefusal extends Error {}

/**
 * The SDK transport for a server's configuration. A stdio server started for a task runs as the
 * sandbox wraps it: its env is the sandbox's sanitized one plus the server's configured variables,
 * its folder the task's workspace. What a stdio server writes on stderr goes to `onStderr`.
 */
export async function openTransport(transport: ToolServerConfig['transport'], wrap: SpawnWrapper | undefined, onStderr: (chunk: string) => void): Promise<Transport> {
  if (transport.kind === 'stdio') {
    const spawn = wrap ? await wrap([transport.command, ...transport.args], transport.env) : { command: transport.command, args: transport.args, env: transport.env, cwd: transport.cwd };
    const stdio = new StdioClientTransport({
      command: spawn.command,
      args: spawn.args,
      env: spawn.env,
      ...(spawn.cwd ? { cwd: spawn.cwd } : {}),
      stderr: 'pipe',
    });
    stdio.stderr?.on('data', (chunk: Buffer) => onStderr(chunk.toString('utf8')));
    return stdio;
  }
  return new StreamableHTTPClientTransport(new URL(transport.url), { requestInit: { headers: transport.headers } });
}

/** Every page of the server's tool list. */
export async function listAllTools(client: Client, timeout: number): Promise<McpTool[]> {
  const tools: McpTool[] = [];
  let cursor: string | undefined;
  // Bounded: a server that pages forever must not hang the app.
  for (let page = 0; page < 100; page++) {
    const result = await client.listTools(cursor ? { cursor } : undefined, { timeout });
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

/** The server could not be reached at all (as opposed to answering with an error). */
export function isConnectionFailure(e: unknown): boolean {
  const text = `${e instanceof Error ? e.message : String(e)} ${e instanceof Error && e.cause instanceof Error ? e.cause.message : ''}`;
  return /fetch failed|ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|other side closed|network/i.test(text);
}

/** An error's message with the last lines the server wrote on stderr, which explain most failed starts. */
export function describeFailure(e: unknown, stderr: string): string {
  const base = e instanceof Error ? e.message : String(e);
  const tail = stderr.trim().split('\n').slice(-3).join(' | ');
  return (tail ? `${base}; stderr: ${tail}` : base).slice(0, 1_000);
}

/** The process id of a stdio server; an HTTP server has none here. */
export function transportPid(transport: Transport): number | null {
  return transport instanceof StdioClientTransport ? transport.pid : null;
}
