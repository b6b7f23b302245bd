import { z } from 'zod';
import type { JsonSchema } from '../models/types';

/**
 * The JSON schema a model is constrained to, derived from a zod schema. The grammar builder
 * understands a subset of JSON Schema (no `anyOf`, `pattern`, numeric bounds, `$schema`), and an
 * unknown construct silently becomes `null` there, so the schema is rewritten into that subset.
 * Whatever the grammar cannot enforce is still enforced by parsing the answer with the zod schema.
 */
export function modelJsonSchema(schema: z.ZodType): JsonSchema {
  const raw = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  return simplify(raw) as JsonSchema;
}

const KEEP = new Set([
  'type',
  'properties',
  'required',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'oneOf',
  'description',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  '$defs',
  '$ref',
]);

function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (typeof node !== 'object' || node === null) return node;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(src)) {
    if (key === 'anyOf') out['oneOf'] = simplify(value);
    else if (key === 'properties' || key === '$defs') {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, simplify(v)]));
    } else if (KEEP.has(key)) out[key] = simplify(value);
  }
  // The grammar writes every listed property (it ignores `required`) and nothing else.
  if (out['type'] === 'object' && out['additionalProperties'] === undefined) out['additionalProperties'] = false;
  return out;
}
