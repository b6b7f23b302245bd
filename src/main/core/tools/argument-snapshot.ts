import { types } from 'node:util';

/**
 * A tool call's arguments as the gateway checks and sends them: one plain, deep-frozen JSON copy,
 * taken before anything is looked at. Whatever cannot be copied completely inside the limits
 * (too deep, too many values, too large, not plain JSON, a getter or a proxy that could answer
 * differently the second time) is refused, never cut short: the path check must see every value
 * the server will see, and the server must receive only the values the path check saw.
 */

export type ArgumentLimits = {
  /** Largest arguments object, as JSON bytes. */
  maxBytes: number;
  /** Deepest nesting of arrays and objects (the arguments object itself is depth 0). */
  maxDepth: number;
  /** Most values (strings, numbers, arrays, objects …) in the whole object. */
  maxValues: number;
  /** Most strings that name files: each one is resolved on disk before the call. */
  maxPaths: number;
};

export const DEFAULT_ARGUMENT_LIMITS: ArgumentLimits = { maxBytes: 2_000_000, maxDepth: 32, maxValues: 100_000, maxPaths: 1_000 };

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type FrozenArguments = { readonly [key: string]: JsonValue };

export type SnapshotResult = { ok: true; args: FrozenArguments; bytes: number } | { ok: false; at: string; reason: string };

class Refusal extends Error {
  constructor(
    readonly at: string,
    reason: string,
  ) {
    super(reason);
  }
}

const label = (pointer: readonly (string | number)[]): string =>
  pointer.reduce<string>((out, step) => (typeof step === 'number' ? `${out}[${step}]` : out ? `${out}.${step}` : step), '') || 'arguments';

/** Copies `args` into frozen plain JSON, or says which value could not be taken and why. */
export function snapshotArguments(args: unknown, limits: ArgumentLimits = DEFAULT_ARGUMENT_LIMITS): SnapshotResult {
  let values = 0;
  const ancestors = new Set<object>();

  const copy = (value: unknown, pointer: (string | number)[]): JsonValue => {
    if (++values > limits.maxValues) throw new Refusal(label(pointer), `the arguments hold more than ${limits.maxValues} values`);
    if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Refusal(label(pointer), 'is not a finite number');
      return value;
    }
    if (typeof value !== 'object') throw new Refusal(label(pointer), `is a ${typeof value}, not a JSON value`);
    if (types.isProxy(value)) throw new Refusal(label(pointer), 'is a proxy, not plain JSON');
    if (pointer.length >= limits.maxDepth) throw new Refusal(label(pointer), `is nested deeper than ${limits.maxDepth} levels`);
    if (ancestors.has(value)) throw new Refusal(label(pointer), 'refers to itself');
    ancestors.add(value);
    try {
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) throw new Refusal(label(pointer), 'is not a plain array');
        const out: JsonValue[] = [];
        for (let i = 0; i < value.length; i++) out.push(copy(ownData(value, String(i), pointer), [...pointer, i]));
        return Object.freeze(out);
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new Refusal(label(pointer), 'is not a plain object');
      if (Object.getOwnPropertySymbols(value).length > 0) throw new Refusal(label(pointer), 'has symbol keys');
      const out: Record<string, JsonValue> = {};
      for (const key of Object.keys(value)) {
        // defineProperty: a key named __proto__ stays a key instead of replacing the prototype.
        Object.defineProperty(out, key, { value: copy(ownData(value, key, pointer), [...pointer, key]), enumerable: true, writable: false, configurable: false });
      }
      return Object.freeze(out);
    } finally {
      ancestors.delete(value);
    }
  };

  try {
    if (!args || typeof args !== 'object' || Array.isArray(args)) return { ok: false, at: 'arguments', reason: 'must be a JSON object' };
    const frozen = copy(args, []) as FrozenArguments;
    const bytes = Buffer.byteLength(JSON.stringify(frozen));
    if (bytes > limits.maxBytes) return { ok: false, at: 'arguments', reason: `are larger than ${limits.maxBytes} bytes` };
    return { ok: true, args: frozen, bytes };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, at: e.at, reason: e.message };
    return { ok: false, at: 'arguments', reason: `could not be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** A data property's value; an accessor (which could answer differently later) is refused. */
function ownData(holder: object, key: string, pointer: (string | number)[]): unknown {
  const d = Object.getOwnPropertyDescriptor(holder, key);
  if (!d) throw new Refusal(label([...pointer, key]), 'is missing (a sparse array)');
  if (!('value' in d)) throw new Refusal(label([...pointer, key]), 'is a getter, not a value');
  return d.value;
}

/**
 * The frozen arguments with the strings at `replacements` swapped for new text (the checked,
 * absolute form of each path), frozen again. Nothing else changes.
 */
export function replaceStrings(args: FrozenArguments, replacements: readonly { pointer: readonly (string | number)[]; value: string }[]): FrozenArguments {
  if (replacements.length === 0) return args;
  const byPointer = new Map(replacements.map((r) => [JSON.stringify(r.pointer), r.value]));
  const rebuild = (value: JsonValue, pointer: (string | number)[]): JsonValue => {
    const swapped = byPointer.get(JSON.stringify(pointer));
    if (swapped !== undefined) return swapped;
    if (Array.isArray(value)) return Object.freeze(value.map((v: JsonValue, i: number) => rebuild(v, [...pointer, i])));
    if (value && typeof value === 'object') {
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(value)) {
        Object.defineProperty(out, k, { value: rebuild(v, [...pointer, k]), enumerable: true, writable: false, configurable: false });
      }
      return Object.freeze(out);
    }
    return value;
  };
  return rebuild(args, []) as FrozenArguments;
}
