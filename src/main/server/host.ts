import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { Core } from '../core/composition/app-core';
import { dataFiles } from '../core/paths';
import { allowedHosts } from './access';
import { registerApi, type ApiOptions } from './api';
import { MAX_FRAME_BYTES, registerWsTransport } from './ws-transport';
import { registerOpenAiRoutes } from './openai/routes';
import { registerMcpRoutes } from './mcp/routes';

/** The one path a WebSocket upgrade is accepted on (the contract's transport). */
export const WS_PATH = '/ws';

export type HeadlessHostOptions = {
  core: Core;
  /** Built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** Write port and token to the data folder so the CLI can find this instance. */
  advertise?: boolean;
  /** REST API settings (rate limit, stream heartbeat). */
  api?: ApiOptions;
};

export type HeadlessHost = {
  url: string;
  /** The URL to open in a browser: it carries the token once, the page then keeps it. */
  launchUrl: string;
  port: number;
  token: string;
  app: FastifyInstance;
  close(): Promise<void>;
};

/** Serves the renderer and carries the contract over a WebSocket, on loopback only by default. */
export async function startHeadlessHost(options: HeadlessHostOptions): Promise<HeadlessHost> {
  const { core } = options;
  const host = options.host ?? '127.0.0.1';
  // A token fixed by the caller replaces the core's per-launch one.
  if (options.token) core.apiToken.rotate(options.token);
  if (!existsSync(options.rendererDir)) {
    throw new Error(`renderer not built at ${options.rendererDir}; run "npm run build" first`);
  }
  let port = options.port ?? 0;
  const app = Fastify({ logger: false, bodyLimit: 1_000_000 });

  // Both depend only on the port, known once listening: built then, not per request.
  let hosts = allowedHosts(port);
  let csp = contentSecurityPolicy(port);
  app.addHook('onRequest', async (request, reply) => {
    // A page on another site that resolves its own name to 127.0.0.1 still sends its own Host.
    if (!hosts.has(request.headers.host ?? '')) {
      return reply.code(421).send({ ok: false, error: { code: 'forbidden', message: 'unknown host' } });
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Content-Security-Policy', csp);
    return payload;
  });

  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: MAX_FRAME_BYTES,
      // Only the contract's path upgrades; any other path is refused before the handshake completes.
      verifyClient: (info: { req: { url?: string } }) => new URL(info.req.url ?? '/', 'http://localhost').pathname === WS_PATH,
    },
  });
  registerWsTransport(app, core, () => port);
  registerOpenAiRoutes(app, core);
  registerMcpRoutes(app, core);
  app.get('/health', async () => ({ ok: true }));
  await registerApi(app, { ...options.api, core });
  await app.register(fastifyStatic, { root: options.rendererDir, index: 'index.html', wildcard: false });

  await app.listen({ host, port });
  const address = app.server.address();
  if (address && typeof address === 'object') port = address.port;
  hosts = allowedHosts(port);
  csp = contentSecurityPolicy(port);
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const instanceFile = dataFiles(core.dataDir).instance;
  const advertise = (token: string) => {
    writeFileSync(instanceFile, JSON.stringify({ url, port, token, pid: process.pid }), { mode: 0o600 });
    chmodSync(instanceFile, 0o600);
  };
  // The CLI finds the current token in the data folder, also after a rotation.
  const stopFollowing = options.advertise ? core.apiToken.onRotate(advertise) : () => undefined;
  if (options.advertise) advertise(core.apiToken.current());
  core.logger.info({ url }, 'headless host listening');
  return {
    url,
    launchUrl: `${url}/#token=${core.apiToken.current()}`,
    port,
    get token() {
      return core.apiToken.current();
    },
    app,
    async close() {
      stopFollowing();
      if (options.advertise) rmSync(instanceFile, { force: true });
      await app.close();
    },
  };
}

function contentSecurityPolicy(port: number): string {
  return `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
}
