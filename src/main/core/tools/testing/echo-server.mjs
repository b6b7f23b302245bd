// A small MCP server for tests of what the filesystem server does not do: it announces tool list
// changes (`add_tool` registers a new tool, and the SDK notifies the client) and it can be started
// under several names so that two servers offer the same tool (`echo`).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import process from 'node:process';
import { z } from 'zod';

const label = process.argv[2] ?? 'echo-server';
const server = new McpServer({ name: label, version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });

server.registerTool(
  'echo',
  { description: 'Returns its text, prefixed with the server name.', inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } },
  async ({ text }) => ({ content: [{ type: 'text', text: `${label}: ${text}` }] }),
);

server.registerTool(
  'add_tool',
  { description: 'Adds a tool named by `name`.', inputSchema: { name: z.string() } },
  async ({ name }) => {
    server.registerTool(name, { description: `Added at run time.`, inputSchema: {} }, async () => ({ content: [{ type: 'text', text: `${name} ran` }] }));
    return { content: [{ type: 'text', text: `added ${name}` }] };
  },
);

await server.connect(new StdioServerTransport());
