import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/composition/app-core';
import { ContractSession } from '../../core/api/session';
import { APP_MCP_VERSION, createAppMcpServer } from '../../core/api/mcp-server';
import { bearerToken } from '../access';

export const MCP_PATH = '/mcp';

/**
 * The app's MCP server over streamable HTTP at /mcp, behind the API token (`Authorization: Bearer`).
 * Stateless: each POST gets its own server and transport (plain JSON replies, no session to keep
 * or expire; GET and DELETE answer 405), all answered by one ContractSession. The host already
 * refuses unknown Host headers; a browser's Origin must be the host itself, so no web page can
 * drive the app.
 */
export function registerMcpRoutes(app: FastifyInstance, core: Core): void {
  // MCP clients are models and agents: never a human channel (no waiver approvals).
  const session = new ContractSession(core, () => undefined, { via: 'mcp', human: false });
  app.addHook('onClose', async () => session.close());

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!core.apiToken.matches(bearerToken(request.headers.authorization))) {
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer')
        .send(rpcError(-32001, 'unauthorized: send the API token as "Authorization: Bearer <token>"'));
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !sameHost(origin, request.headers.host)) {
      return reply.code(403).send(rpcError(-32002, 'forbidden origin'));
    }
    if (request.method !== 'POST') {
      // Stateless: no session to delete and no stream of server-initiated messages to offer. An
      // open GET stream would also keep the host from closing.
      return reply.code(405).header('Allow', 'POST').send(rpcError(-32000, 'method not allowed: this server is stateless; POST each request'));
    }
    const server = createAppMcpServer({ session, logger: core.logger, version: APP_MCP_VERSION, defaultActor: () => 'api token holder' });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (e) {
      core.logger.error({ err: e }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify(rpcError(-32603, 'internal error')));
      }
    }
  };

  app.route({ method: ['GET', 'POST', 'DELETE'], url: MCP_PATH, handler: handle });
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && host !== undefined && url.host === host;
  } catch {
    return false;
  }
}

const rpcError = (code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: null });
