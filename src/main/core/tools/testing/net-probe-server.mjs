// A small MCP server for the sandbox tests: `connect` tries a TCP connection to 127.0.0.1:port and
// says what happened, so a test can tell whether the process that serves a task has a network.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import net from 'node:net';
import { z } from 'zod';

const server = new McpServer({ name: 'net-probe', version: '1.0.0' });

server.registerTool(
  'connect',
  { description: 'Opens a TCP connection to 127.0.0.1 on `port` and reports the result.', inputSchema: { port: z.number().int() }, annotations: { readOnlyHint: true } },
  async ({ port }) => {
    const said = await new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port, timeout: 5_000 });
      socket.once('data', (d) => {
        resolve(`connected: ${d.toString().trim()}`);
        socket.destroy();
      });
      socket.once('error', (e) => resolve(`failed: ${e.code ?? e.message}`));
      socket.once('timeout', () => {
        resolve('failed: timeout');
        socket.destroy();
      });
    });
    return { content: [{ type: 'text', text: String(said) }] };
  },
);

await server.connect(new StdioServerTransport());
