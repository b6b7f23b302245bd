import { z } from 'zod';
import { AppFailure, describeZodError } from '../../../shared/errors';
import type { JsonSchema } from './types';

const TYPE_NAMES = ['string', 'number', 'integer', 'boolean', 'null', 'object', 'array'] as const;
const TypeName = z.enum(TYPE_NAMES);

type SchemaNode = { [key: string]: unknown };

/**
 * The JSON Schema subset node-llama-cpp turns into a grammar. Schemas arrive from callers and from the
 * OpenAI-compatible endpoint, so they are checked here: an unknown `type` or a malformed keyword is
 * an invalid input, not a grammar that silently means something else.
 */
const Node: z.ZodType<SchemaNode> = z.lazy(() =>
  z
    .object({
      type: z.union([TypeName, z.array(TypeName).min(1)]).optional(),
      enum: z.array(z.unknown()).min(1).optional(),
      const: z.unknown().optional(),
      properties: z.record(z.string(), Node).optional(),
      required: z.array(z.string()).optional(),
      additionalProperties: z.union([z.boolean(), Node]).optional(),
      items: z.union([Node, z.literal(false)]).optional(),
      prefixItems: z.array(Node).optional(),
      minItems: z.number().int().nonnegative().optional(),
      maxItems: z.number().int().nonnegative().optional(),
      minLength: z.number().int().nonnegative().optional(),
      maxLength: z.number().int().nonnegative().optional(),
      oneOf: z.array(Node).min(1).optional(),
      anyOf: z.array(Node).min(1).optional(),
      $ref: z.string().optional(),
      $defs: z.record(z.string(), Node).optional(),
      format: z.string().optional(),
      description: z.string().optional(),
    })
    .loose(),
);

export function parseJsonSchema(schema: unknown): JsonSchema {
  const parsed = Node.safeParse(schema);
  if (!parsed.success) {
    const { message, issues } = describeZodError(parsed.error);
    throw new AppFailure('invalid_input', `the JSON schema is not supported: ${message}`, issues);
  }
  return parsed.data;
}

/**
 * Where `value` holds a number JSON.parse could not represent (an exponent that overflowed to
 * Infinity): grammar-valid output that no zod schema accepts, so it is reported as bad output.
 */
export function nonFinitePath(value: unknown, path = '$'): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = nonFinitePath(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = nonFinitePath(v, `${path}.${k}`);
      if (p) return p;
    }
  }
  return null;
}
