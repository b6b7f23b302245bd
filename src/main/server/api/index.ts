import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { err } from '../../../shared/errors';
import type { Core } from '../../core/composition/app-core';
import { ContractSession } from '../../core/api/session';
import { bearerToken } from '../access';
import { rawInput } from './input';
import { toJsonSchema, type JsonSchema } from './json-schema';
import { registerCoreMetrics, registerHttpMetrics } from './metrics/standard';
import { registerSloMetrics } from './metrics/slo';
import { registerAnalyticsCacheMetrics } from './metrics/analytics-cache';
import { registerModelMetrics } from './metrics/models';
import { MetricsRegistry } from './metrics/registry';
import { buildOpenApi } from './openapi';
import { API_PREFIX, pathParams, ROUTES, type RestRoute } from './routes';
import { resolveRoutes, type SkippedRoute } from './served-routes';
import { streamEvents } from './sse';
import { codeForStatus, errorBody, HTTP_STATUS } from './status';
import { acceptsGzip, CACHEABLE_CHANNELS, etagMatches, gzipped, ReadCache } from './read-cache';

export type RateLimitOptions = {
  /** Requests one client may make per window. */
  max: number;
  timeWindowMs: number;
};

export { resolveRoutes } from './served-routes';

export type ApiOptions = {
  /** Per-client limit on /api/v1 and /metrics (never /health); `false` turns it off. */
  rateLimit?: RateLimitOptions | false;
  /** Comment lines on idle event streams (ms). */
  heartbeatMs?: number;
  /** A stream client this far behind is cut off and resumes with Last-Event-ID. */
  maxStreamBufferBytes?: number;
  /** Routes to serve; the contract's table unless a test says otherwise. */
  routes?: readonly RestRoute[];
  /** Version shown in the OpenAPI document. */
  version?: string;
};

export type ApiHandle = {
  metrics: MetricsRegistry;
  /** Rows of the table that are served (their channel exists). */
  served: readonly RestRoute[];
  /** Rows waiting for their channel, with why. */
  skipped: readonly SkippedRoute[];
};

declare module 'fastify' {
  interface FastifyInstance {
    /** Prometheus registry behind /metrics: other parts add gauges to it. */
    metrics: MetricsRegistry;
  }
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 600, timeWindowMs: 60_000 };

/**
 * Rate limit from the environment (AGENT_AGENCY_API_RATE_MAX, 0 = off; AGENT_AGENCY_API_RATE_WINDOW_MS),
 * else the default. Options given in code win.
 */
export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimitOptions | false {
  const max = env['AGENT_AGENCY_API_RATE_MAX'];
  const window = env['AGENT_AGENCY_API_RATE_WINDOW_MS'];
  const parsedMax = max !== undefined && /^\d+$/.test(max) ? Number(max) : DEFAULT_RATE_LIMIT.max;
  const parsedWindow = window !== undefined && /^\d+$/.test(window) && Number(window) > 0 ? Number(window) : DEFAULT_RATE_LIMIT.timeWindowMs;
  return parsedMax === 0 ? false : { max: parsedMax, timeWindowMs: parsedWindow };
}

/**
 * The REST API under /api/v1 and the metrics at /metrics, on the host's fastify instance. Every
 * route is a row of the table in routes.ts answered through ContractSession, so requests are
 * parsed by the same zod schemas as IPC and WebSocket calls and fail with the same field names.
 */
export async function registerApi(
  app: FastifyInstance,
  options: ApiOptions & { core: Core },
): Promise<ApiHandle> {
  const { core } = options;
  const metrics = new MetricsRegistry();
  registerCoreMetrics(metrics, core);
  registerSloMetrics(metrics, core);
  registerAnalyticsCacheMetrics(metrics, core.metrics.cache);
  registerModelMetrics(metrics, core.models.metrics, () => core.models.host.heldMemory());
  const sseMetrics = registerHttpMetrics(metrics, app);
  app.decorate('metrics', metrics);

  const { served, skipped } = resolveRoutes(options.routes ?? ROUTES);
  for (const s of skipped) core.logger.debug({ route: `${s.route.method} ${s.route.path}`, reason: s.reason }, 'REST route not served');
  const openapi = JSON.stringify(buildOpenApi(served, options.version ?? '1.0.0'));
  // One session answers every one-shot call: REST is stateless, and only `subscribe` keeps state
  // (each event stream opens its own session).
  // The REST token is the person's own (CLI, scripts); models reach the app only through MCP.
  const session = new ContractSession(core, () => undefined, { via: 'api', human: true });
  const readCache = new ReadCache(core.db);
  const rateLimit = options.rateLimit === undefined ? rateLimitFromEnv() : options.rateLimit;
  // Open event streams never end by themselves; closing the host ends them so it can stop.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });
  const streamHooks = {
    open: (end: () => void) => {
      streams.add(end);
      sseMetrics.open();
    },
    close: (end: () => void) => {
      streams.delete(end);
      sseMetrics.close();
    },
    event: sseMetrics.event,
  };

  await app.register(async (scope) => {
    if (rateLimit) {
      await scope.register(fastifyRateLimit, {
        max: rateLimit.max,
        timeWindow: rateLimit.timeWindowMs,
        // Keyed on what the client cannot choose freely: its bearer token (digested), or without one
        // its TCP connection. A header such as X-Client-Id, or a new connection, buys no budget.
        keyGenerator: (request) => rateLimitKey(request),
        errorResponseBuilder: (_request, context) =>
          Object.assign(new Error(`rate limit of ${context.max} requests per ${context.after} reached; retry in ${context.after}`), {
            statusCode: 429,
          }),
      });
    }
    scope.addHook('onRequest', async (request, reply) => {
      if (!core.apiToken.matches(bearerToken(request.headers.authorization))) {
        reply.header('WWW-Authenticate', 'Bearer realm="agent-agency"');
        return reply.code(401).send(errorBody({ code: 'unauthorized', message: 'missing or wrong bearer token' }));
      }
    });
    scope.setErrorHandler(async (error: Error & { statusCode?: number }, _request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) core.logger.error({ err: error }, 'REST request failed');
      const message = status >= 500 ? 'internal error; see the app log' : error.message;
      return reply.code(status).send(errorBody({ code: codeForStatus(status), message }));
    });

    scope.get('/metrics', async (_request, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()),
    );

    await scope.register(
      async (api) => {
        api.setNotFoundHandler(async (request, reply) =>
          reply.code(404).send(errorBody({ code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` })),
        );
        api.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(openapi));
        for (const { route, input } of served) {
          const inputSchema = toJsonSchema(input, 'input');
          api.route({
            method: route.method,
            url: route.path,
            ...(route.bodyLimit !== undefined ? { bodyLimit: route.bodyLimit } : {}),
            handler: route.stream
              ? streamHandler(core, route, options, streamHooks)
              : CACHEABLE_CHANNELS.has(route.channel)
                ? cachedCallHandler(session, route, inputSchema, readCache)
                : callHandler(session, route, inputSchema),
          });
        }
      },
      { prefix: API_PREFIX },
    );
  });

  return { metrics, served: served.map((s) => s.route), skipped };
}

function callHandler(session: ContractSession, route: RestRoute, inputSchema: JsonSchema) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const input = rawInput(route, inputSchema, request);
    const result = input.ok ? await session.call(route.channel, input.value) : input;
    if (result.ok) return reply.code(route.status ?? 200).send(result);
    return reply.code(HTTP_STATUS[result.error.code]).send(result);
  };
}

/**
 * callHandler for a read-only channel: an unchanged database answers from the serialized cache,
 * gzipped for clients that accept it (fetch, browsers and curl --compressed do), and with 304 to a
 * client that already holds this answer (If-None-Match).
 */
function cachedCallHandler(session: ContractSession, route: RestRoute, inputSchema: JsonSchema, cache: ReadCache) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.url;
    const { hit, version } = cache.lookup(key);
    let answer = hit;
    if (!answer) {
      const input = rawInput(route, inputSchema, request);
      const result = input.ok ? await session.call(route.channel, input.value) : input;
      const status = result.ok ? (route.status ?? 200) : HTTP_STATUS[result.error.code];
      const body = JSON.stringify(result);
      if (!result.ok) return reply.code(status).type('application/json; charset=utf-8').send(body);
      answer = cache.store(key, version, status, body);
    }
    reply.header('ETag', answer.etag).header('Vary', 'Accept-Encoding');
    if (etagMatches(request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
    reply.code(answer.status).type('application/json; charset=utf-8');
    if (acceptsGzip(request.headers['accept-encoding'])) return reply.header('Content-Encoding', 'gzip').send(gzipped(answer));
    return reply.send(answer.body);
  };
}

function streamHandler(
  core: Core,
  route: RestRoute,
  options: ApiOptions,
  hooks: { open(end: () => void): void; close(end: () => void): void; event(): void },
) {
  const taskParam = pathParams(route.path)[0];
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as Record<string, unknown>;
    const taskId = taskParam !== undefined ? params[taskParam] : undefined;
    if (taskParam !== undefined && typeof taskId !== 'string') {
      return reply.code(400).send(err('invalid_input', 'taskId: is required'));
    }
    await streamEvents(
      core,
      request,
      reply,
      // A task's stream starts with its whole history; the all-tasks stream starts live.
      { taskId, defaultAfter: taskParam !== undefined ? 0 : undefined },
      {
        heartbeatMs: options.heartbeatMs ?? 15_000,
        maxBufferedBytes: options.maxStreamBufferBytes ?? 8 * 1024 * 1024,
        onOpen: hooks.open,
        onClose: hooks.close,
        onEvent: hooks.event,
      },
    );
  };
}

const connectionIds = new WeakMap<object, number>();
let nextConnectionId = 0;

/** One budget per bearer token (digested); requests without one are counted per TCP connection. */
export function rateLimitKey(request: FastifyRequest): string {
  const token = bearerToken(request.headers.authorization) ?? '';
  if (token) return `token-${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
  const socket = request.raw.socket;
  let id = connectionIds.get(socket);
  if (id === undefined) {
    id = ++nextConnectionId;
    connectionIds.set(socket, id);
  }
  return `no-token|conn-${id}`;
}
