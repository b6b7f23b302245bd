import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { silentLogger } from '../observability/logger';
import { initRepo } from '../workspace/testing/git-fixture';
import { APP_MCP_VERSION, createAppMcpServer, type AppMcpServerOptions } from './mcp-server';
import { ContractSession } from './session';

/** The app's own MCP server with the SDK's client over an in-memory pair (the stdio wiring is src/cli/mcp.test.ts). */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function connect(engine?: AppMcpServerOptions['engine']) {
  const core = testCore({ scheduler: { autoStart: false } });
  const session = new ContractSession(core, () => undefined, { via: 'mcp', human: false });
  const server = createAppMcpServer({ session, logger: silentLogger(), version: APP_MCP_VERSION, ...(engine ? { engine } : {}) });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await Promise.all([server.connect(a), client.connect(b)]);
  cleanups.push(() => core.cleanup(), () => session.close(), () => client.close());
  initRepo(core.repo, { 'README.md': 'x\n' });
  return { core, client };
}

describe('the app’s MCP server', () => {
  it('answers an unknown tool with a JSON-RPC error (invalid params), not a tool result', async () => {
    const { client } = await connect();
    const error = await client.callTool({ name: 'delete_everything', arguments: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpError);
    expect(error).toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining('Unknown tool: delete_everything') });
    // A known tool with bad input is still a tool result naming the field.
    const bad = (await client.callTool({ name: 'task_status', arguments: {} })) as CallToolResult;
    expect(bad).toMatchObject({ isError: true, structuredContent: { error: { code: 'invalid_input' } } });
  });

  it('says plainly when a submitted task was queued for another process’s engine', async () => {
    const { client, core } = await connect(() => ({ runs: false, reason: 'another Agent Agency process (pid 4242, agent-agency serve) runs the task engine' }));
    const r = (await client.callTool({ name: 'submit_task', arguments: { description: 'document the loader', repoPath: core.repo } })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ state: { kind: 'queued' }, queued: expect.stringContaining('queued, not started here: another Agent Agency process (pid 4242') });
    const here = await connect(() => ({ runs: true }));
    const ran = (await here.client.callTool({ name: 'submit_task', arguments: { description: 'document the loader', repoPath: here.core.repo } })) as CallToolResult;
    expect(ran.structuredContent).not.toHaveProperty('queued');
  });
});
