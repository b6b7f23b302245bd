import { createHash } from 'node:crypto';
import { canonicalJson } from '../db/canonical';

/**
 * How tool calls are written down: the app's one canonical JSON (db/canonical.ts) so the same arguments always
 * hash the same, hashes of the full arguments and result, and a shortened copy of the arguments
 * for the journal (a 2 MB file body does not belong in every event listing).
 */

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Same tool, same arguments, same fingerprint. */
export function fingerprint(tool: string, args: Record<string, unknown>): string {
  return sha256(`${tool}\n${canonicalJson(args)}`).slice(0, 24);
}

const MAX_STRING = 1_000;
const MAX_JOURNALED = 16_000;

/** The arguments as the journal keeps them: long strings cut (saying by how much), the whole bounded. */
export function journaledArguments(args: Record<string, unknown>): Record<string, unknown> {
  const shortened = shorten(args, 0) as Record<string, unknown>;
  const text = JSON.stringify(shortened);
  if (text.length <= MAX_JOURNALED) return shortened;
  return { _truncated: true, preview: text.slice(0, MAX_JOURNALED / 4) };
}

function shorten(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[${value.length - MAX_STRING} more characters]` : value;
  if (depth > 10) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((v) => shorten(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = shorten(v, depth + 1);
    return out;
  }
  return value;
}
