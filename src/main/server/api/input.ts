import { err, ok, type Result } from '../../../shared/errors';
import { admittedTypes, type JsonSchema } from './json-schema';
import { bodyCarriesInput, paramField, pathParams, type RestRoute } from './routes';

export type RawRequest = {
  params: unknown;
  query: unknown;
  body: unknown;
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The raw input of a channel call from an HTTP request: the JSON body or the query string, plus
 * the path parameters. Nothing is validated here: the channel's zod schema does that, so REST and
 * the other transports accept and refuse exactly the same inputs. Query strings only carry text,
 * so values are converted to the type the schema asks for (numbers, booleans, lists) first.
 */
export function rawInput(route: RestRoute, inputSchema: JsonSchema, request: RawRequest): Result<Record<string, unknown>> {
  let input: Record<string, unknown>;
  if (bodyCarriesInput(route.method)) {
    if (request.body === undefined || request.body === null || request.body === '') input = {};
    else if (isRecord(request.body)) input = { ...request.body };
    else return err('invalid_input', 'body: must be a JSON object', [{ path: 'body', message: 'must be a JSON object' }]);
  } else {
    input = coerceQuery(isRecord(request.query) ? request.query : {}, inputSchema);
  }
  const params = isRecord(request.params) ? request.params : {};
  for (const param of pathParams(route.path)) {
    const field = paramField(route, param);
    const value = params[param];
    if (field in input && input[field] !== value) {
      return err('invalid_input', `${field}: is given by the path; leave it out of the request`, [
        { path: field, message: 'is given by the path; leave it out of the request' },
      ]);
    }
    input[field] = value;
  }
  return ok(input);
}

/** Converts query-string text into the types the input schema declares for each field. */
export function coerceQuery(query: Record<string, unknown>, schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    out[key] = coerceValue(value, schema.properties?.[key]);
  }
  return out;
}

function coerceValue(value: unknown, schema: JsonSchema | undefined): unknown {
  if (!schema) return value;
  const types = admittedTypes(schema);
  if (types.has('array')) {
    // `?states=queued&states=paused` and `?states=queued,paused` mean the same list.
    const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
    const items = schema.items ?? schema.anyOf?.find((s) => s.items)?.items;
    return parts.filter((p) => p !== '').map((p) => coerceScalar(p, items));
  }
  if (Array.isArray(value)) return value.map((v) => coerceScalar(v, schema));
  return coerceScalar(value, schema);
}

function coerceScalar(value: unknown, schema: JsonSchema | undefined): unknown {
  if (typeof value !== 'string' || !schema) return value;
  const types = admittedTypes(schema);
  if ((types.has('number') || types.has('integer')) && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  if (types.has('null') && value === 'null') return null;
  // Left as text: the schema then names the field and what it expected.
  return value;
}
