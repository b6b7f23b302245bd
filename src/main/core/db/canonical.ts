import { createHash } from 'node:crypto';

/** A value that survives a JSON round trip unchanged; everything hashed or signed is one of these. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Canonical JSON in the manner of RFC 8785 (JCS): object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings serialised exactly as ECMAScript's JSON.stringify does (which is
 * what JCS specifies). Two parties that parse the same JSON text get the same bytes here, so a hash
 * or signature over it can be checked by anyone with a JCS library, whatever the file's layout.
 *
 * Properties whose value is `undefined` are left out, as JSON.stringify does; anything JSON cannot
 * represent (non-finite numbers, bigint, functions, class instances) is refused rather than guessed.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, at: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${at} is not a finite number`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => {
          if (v === undefined) throw new TypeError(`canonical JSON: ${at}[${i}] is undefined`);
          return write(v, `${at}[${i}]`);
        }).join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`canonical JSON: ${at} is not a plain object`);
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], `${at}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: ${at} has type ${typeof value}, which JSON cannot hold`);
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The hash everything in the provenance layer is named by: sha256 of the canonical JSON bytes. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** Parses JSON text into a JsonValue (JSON.parse's output always is one). */
export function parseJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}
