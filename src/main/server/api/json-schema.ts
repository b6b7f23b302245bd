import { z } from 'zod';

/** A JSON Schema as z.toJSONSchema writes it; only the parts this module reads are typed. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  description?: string;
  [key: string]: unknown;
};

/**
 * JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) of a contract schema: `io: 'input'` for
 * what a client sends (defaults optional), `'output'` for what it receives. Checks zod cannot
 * express (refinements) stay with zod, which still parses every request.
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete json['$schema'];
  return json;
}

/** The JSON types a schema admits, looking through unions, constants and enums. */
export function admittedTypes(schema: JsonSchema | undefined): Set<string> {
  const out = new Set<string>();
  if (!schema) return out;
  if (typeof schema.type === 'string') out.add(schema.type);
  if (Array.isArray(schema.type)) schema.type.forEach((t) => out.add(t));
  for (const sub of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    admittedTypes(sub).forEach((t) => out.add(t));
  }
  const constants = schema.const !== undefined ? [schema.const] : (schema.enum ?? []);
  for (const c of constants) out.add(typeof c === 'number' ? (Number.isInteger(c) ? 'integer' : 'number') : typeof c);
  return out;
}
