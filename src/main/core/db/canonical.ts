import { createHash, hash } from 'node:crypto';

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
  return write(value, undefined);
}

/**
 * `at` is how to name this value's place in an error: built only when something is refused, since
 * the journal hashes every record it writes and a path string per key cost more than the output.
 */
type Place = { parent: Place | undefined; key: string | number } | undefined;

function placeName(place: Place): string {
  const parts: string[] = [];
  for (let p = place; p; p = p.parent) parts.push(typeof p.key === 'number' ? `[${p.key}]` : `.${p.key}`);
  return `$${parts.reverse().join('')}`;
}

function write(value: unknown, at: Place): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${placeName(at)} is not a finite number`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          if (v === undefined) throw new TypeError(`canonical JSON: ${placeName({ parent: at, key: i })} is undefined`);
          out += (i === 0 ? '' : ',') + write(v, { parent: at, key: i });
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`canonical JSON: ${placeName(at)} is not a plain object`);
      }
      const record = value as Record<string, unknown>;
      // Array.prototype.sort compares strings by UTF-16 code units, which is what JCS asks for.
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = record[k];
        if (v === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(k)}:${write(v, { parent: at, key: k })}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON: ${placeName(at)} has type ${typeof value}, which JSON cannot hold`);
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  // The one-shot digest (Node >= 20.12) skips a Hash object per call; records are hashed per append.
  return typeof hash === 'function' ? hash('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/** The hash everything in the provenance layer is named by: sha256 of the canonical JSON bytes. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** Parses JSON text into a JsonValue (JSON.parse's output always is one). */
export function parseJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}
