import type { z } from 'zod';
import { AgentEvent } from '../../../shared/domain/events';
import { AppErrorSchema } from '../../../shared/errors';
import { toJsonSchema, type JsonSchema } from './json-schema';
import { API_PREFIX, bodyCarriesInput, paramField, pathParams } from './routes';

import type { DocumentedRoute } from './served-routes';

type Operation = Record<string, unknown>;

/**
 * The OpenAPI 3.1 document of the served routes, generated from the same zod schemas that parse
 * the requests, so the document cannot drift from what the server accepts.
 */
export function buildOpenApi(routes: readonly DocumentedRoute[], version: string): Record<string, unknown> {
  const defs: Record<string, JsonSchema> = {};
  const schemaOf = (schema: z.ZodType, io: 'input' | 'output') => hoistDefs(toJsonSchema(schema, io), defs);
  const paths: Record<string, Record<string, Operation>> = {};

  for (const { route, input, output } of routes) {
    const path = `${API_PREFIX}${route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')}`;
    const inputSchema = schemaOf(input, 'input');
    const fromPath = new Set(pathParams(route.path).map((p) => paramField(route, p)));
    const parameters: Record<string, unknown>[] = pathParams(route.path).map((p) => ({
      name: p,
      in: 'path',
      required: true,
      schema: inputSchema.properties?.[paramField(route, p)] ?? { type: 'string' },
    }));
    const rest = withoutFields(inputSchema, fromPath);
    const op: Operation = {
      operationId: route.operationId ?? route.channel,
      summary: route.summary,
      tags: [route.tag],
      'x-channel': route.channel,
    };

    if (route.stream) {
      parameters.push(
        { name: 'after', in: 'query', required: false, schema: { type: 'integer', minimum: 0 }, description: 'Send events with a larger sequence number first.' },
        { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' }, description: 'Sequence number of the last event received; wins over `after`.' },
      );
      op['responses'] = {
        200: {
          description: 'Server-Sent Events: `id:` is the global sequence number, `data:` one event (JSON).',
          content: { 'text/event-stream': { schema: { type: 'string' }, 'x-event-schema': schemaOf(AgentEvent, 'output') } },
        },
        ...errorResponses(true),
      };
    } else {
      if (bodyCarriesInput(route.method)) {
        op['requestBody'] = {
          required: (rest.required?.length ?? 0) > 0,
          content: { 'application/json': { schema: rest } },
        };
      } else {
        for (const [name, schema] of Object.entries(rest.properties ?? {})) {
          parameters.push({ name, in: 'query', required: rest.required?.includes(name) ?? false, schema, ...explode(schema) });
        }
      }
      op['responses'] = {
        [String(route.status ?? 200)]: {
          description: route.summary,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['ok', 'value'],
                properties: { ok: { const: true }, value: schemaOf(output, 'output') },
              },
            },
          },
        },
        ...errorResponses(fromPath.size > 0),
      };
    }
    if (parameters.length > 0) op['parameters'] = parameters;
    (paths[path] ??= {})[route.method.toLowerCase()] = op;
  }

  paths['/health'] = {
    get: {
      operationId: 'health',
      summary: 'Liveness; needs no token and is not rate limited',
      tags: ['service'],
      security: [],
      responses: {
        200: {
          description: 'The host is up',
          content: { 'application/json': { schema: { type: 'object', properties: { ok: { const: true } }, required: ['ok'] } } },
        },
      },
    },
  };
  paths['/metrics'] = {
    get: {
      operationId: 'metrics',
      summary: 'Metrics in Prometheus text format',
      tags: ['service'],
      responses: {
        200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
        401: { $ref: '#/components/responses/Error' },
        429: { $ref: '#/components/responses/Error' },
      },
    },
  };
  paths[`${API_PREFIX}/openapi.json`] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      tags: ['service'],
      responses: { 200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Agent Agency API',
      version,
      description:
        'The contract of the Agent Agency core over HTTP. Every reply is `{ ok: true, value }` or `{ ok: false, error: { code, message, issues? } }`; `issues` name each bad field. A bearer token (printed by `agent-agency serve`, kept in the data folder\'s instance.json) is required everywhere except /health.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(routes.map((r) => r.route.tag)), 'service'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ...defs,
        ErrorReply: {
          type: 'object',
          required: ['ok', 'error'],
          properties: { ok: { const: false }, error: hoistDefs(toJsonSchema(AppErrorSchema, 'output'), defs) },
        },
      },
      responses: {
        Error: {
          description: 'An error, as data',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorReply' } } },
        },
      },
    },
  };
}

function errorResponses(hasTarget: boolean): Record<string, unknown> {
  const ref = { $ref: '#/components/responses/Error' };
  const codes = ['400', '401', ...(hasTarget ? ['404'] : []), '409', '429', '500', '503'];
  return Object.fromEntries(codes.map((c) => [c, ref]));
}

/** Lists in the query string may repeat (`?states=a&states=b`). */
function explode(schema: JsonSchema): Record<string, unknown> {
  return schema.type === 'array' ? { style: 'form', explode: true } : {};
}

function withoutFields(schema: JsonSchema, fields: ReadonlySet<string>): JsonSchema {
  if (fields.size === 0 || !schema.properties) return schema;
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !fields.has(k)));
  const required = (schema.required ?? []).filter((k) => !fields.has(k));
  const out: JsonSchema = { ...schema, properties };
  if (required.length > 0) out.required = required;
  else delete out.required;
  return out;
}

/**
 * Schemas with an id (or recursive ones) come with `$defs` and refs relative to themselves; in
 * the document they live under components.schemas, so the refs are rewritten to point there.
 */
function hoistDefs(schema: JsonSchema, defs: Record<string, JsonSchema>): JsonSchema {
  const own = schema.$defs;
  if (!own) return schema;
  const copy: JsonSchema = { ...schema };
  delete copy.$defs;
  for (const [name, def] of Object.entries(own)) defs[name] = rewriteRefs(def) as JsonSchema;
  return rewriteRefs(copy) as JsonSchema;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace(/^#\/\$defs\//, '#/components/schemas/') : rewriteRefs(v);
  }
  return out;
}
