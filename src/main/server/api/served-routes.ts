import type { z } from 'zod';
import { channels, type ChannelName } from '../../../shared/contract';
import { toJsonSchema } from './json-schema';
import { paramField, pathParams, type RestRoute } from './routes';

export type DocumentedRoute = { route: RestRoute; input: z.ZodType; output: z.ZodType };
export type SkippedRoute = { route: RestRoute; reason: string };

/**
 * Which table rows this build's contract can serve, and why the others cannot (yet). Light on
 * purpose (the contract and zod only): the CLI's remote client reads it without loading the server.
 */
export function resolveRoutes(routes: readonly RestRoute[]): { served: DocumentedRoute[]; skipped: SkippedRoute[] } {
  const served: DocumentedRoute[] = [];
  const skipped: SkippedRoute[] = [];
  for (const route of routes) {
    if (!Object.hasOwn(channels, route.channel)) {
      skipped.push({ route, reason: `channel ${route.channel} is not in the contract` });
      continue;
    }
    const channel = channels[route.channel as ChannelName];
    const fields = inputFields(channel.input);
    const missing = pathParams(route.path).filter((p) => !(paramField(route, p) in fields));
    if (missing.length > 0) {
      skipped.push({ route, reason: `${route.channel} has no input field ${missing.map((p) => paramField(route, p)).join(', ')}` });
      continue;
    }
    served.push({ route, input: channel.input, output: channel.output });
  }
  return { served, skipped };
}

/** Field names of an input schema: its object shape when it has one (cheap), else its JSON Schema. */
function inputFields(schema: z.ZodType): Record<string, unknown> {
  const shape = (schema as { shape?: unknown }).shape;
  if (typeof shape === 'object' && shape !== null) return shape as Record<string, unknown>;
  return toJsonSchema(schema, 'input').properties ?? {};
}
