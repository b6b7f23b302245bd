import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { canonicalJson } from '../db/canonical';

/** The one JWS algorithm used: Ed25519 under its registered JOSE name (RFC 8037). */
export const JWS_ALG = 'EdDSA';

/**
 * A compact JWS over the canonical JSON of `payload`, with the key id in the protected header, so a
 * verifier knows which public key to use and any JWS library can check it.
 */
export async function signJws(payload: unknown, key: KeyObject, kid: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(canonicalJson(payload)))
    .setProtectedHeader({ alg: JWS_ALG, kid })
    .sign(key);
}

/** Something that signs: the apply step takes one for the `Agent-Agency-Signature` trailer. */
export type Signer = {
  /** Compact JWS (EdDSA, `kid` in the header) over the canonical JSON of `payload`. */
  sign(payload: unknown): Promise<string>;
};

/**
 * Checks a compact JWS against the given public keys (the one its header names); returns the key id
 * and the decoded payload, or undefined when no key verifies it.
 */
export async function verifyJwsWithKeys(
  jws: string,
  keys: readonly { kid: string; key: KeyObject }[],
): Promise<{ kid: string; payload: unknown } | undefined> {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(jws).kid;
  } catch {
    return undefined;
  }
  const entry = keys.find((k) => k.kid === kid);
  if (!entry) return undefined;
  try {
    const { payload } = await compactVerify(jws, entry.key, { algorithms: [JWS_ALG] });
    return { kid: entry.kid, payload: JSON.parse(new TextDecoder().decode(payload)) as unknown };
  } catch {
    return undefined;
  }
}
