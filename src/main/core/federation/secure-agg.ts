import { createCipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * Secure aggregation by pairwise masks (after Bonawitz et al. 2017, without the double mask): each
 * pair of members derives a shared seed from X25519 keys published for the round; the member with
 * the smaller id adds the pair's mask and the other subtracts it, so masks cancel in the sum and the
 * coordinator learns only the total. Values travel as fixed-point integers mod 2^32, where a masked
 * value is uniformly distributed whatever the member's real value. When a member drops out after
 * the keys were published, the survivors reveal only their seeds with that member, and the
 * coordinator removes those masks; the dropped member's own update never arrived.
 *
 * Limit: a coordinator that lies about a dropout can learn that member's update if it had in fact
 * received it (the double-mask step of the full protocol closes this); we assume an honest-but-curious
 * coordinator that follows the protocol, and members refuse to reveal seeds for a member whose
 * update the coordinator has acknowledged.
 */

export const FIXED_POINT_SCALE = 2 ** 16;
const MOD = 2 ** 32;

export function encodeFixed(v: readonly number[]): number[] {
  return v.map((x) => {
    const q = Math.round(x * FIXED_POINT_SCALE);
    if (Math.abs(q) >= 2 ** 31) throw new RangeError('secure aggregation: a value is too large for the fixed-point range');
    return ((q % MOD) + MOD) % MOD;
  });
}

/** Decodes a sum of `count` encoded vectors back to reals (two's-complement over 32 bits). */
export function decodeFixed(v: readonly number[]): number[] {
  return v.map((x) => (x >= 2 ** 31 ? x - MOD : x) / FIXED_POINT_SCALE);
}

export function addMod(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => (x + b[i]!) % MOD);
}

export function subMod(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => (x - b[i]! + MOD) % MOD);
}

export type RoundKeyPair = { publicKey: string; privateKey: KeyObject };

/** A fresh X25519 key for one round; the public half is raw base64url. */
export function newRoundKey(): RoundKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { publicKey: String(jwk.x), privateKey };
}

/** The seed a pair shares for a round: HKDF over their X25519 secret, bound to round and pair. */
export function pairSeed(mine: KeyObject, theirPublic: string, roundId: string, a: string, b: string): Buffer {
  const pub = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: theirPublic }, format: 'jwk' });
  const secret = diffieHellman({ privateKey: mine, publicKey: pub });
  const [lo, hi] = a < b ? [a, b] : [b, a];
  return Buffer.from(hkdfSync('sha256', secret, Buffer.from(roundId), Buffer.from(`agent-agency-fed-mask|${lo}|${hi}`), 32));
}

/** The mask a seed expands to: AES-256-CTR keystream read as uint32 words. */
export function maskFromSeed(seed: Buffer, dim: number): number[] {
  const cipher = createCipheriv('aes-256-ctr', seed, Buffer.alloc(16));
  const stream = cipher.update(Buffer.alloc(dim * 4));
  return Array.from({ length: dim }, (_, i) => stream.readUInt32LE(i * 4));
}

/** Adds (to the smaller id of the pair) or subtracts (from the larger) each pair's mask. */
export function maskUpdate(encoded: readonly number[], self: string, seeds: ReadonlyMap<string, Buffer>): number[] {
  let out = [...encoded];
  for (const [peer, seed] of seeds) {
    const m = maskFromSeed(seed, encoded.length);
    out = self < peer ? addMod(out, m) : subMod(out, m);
  }
  return out;
}

/**
 * Sums masked updates of the survivors and removes the masks they shared with dropped members,
 * from the seeds the survivors revealed. Returns the sum of the survivors' encoded updates.
 */
export function unmaskSum(
  masked: ReadonlyMap<string, readonly number[]>,
  revealed: ReadonlyArray<{ survivor: string; dropped: string; seed: Buffer }>,
  dim: number,
): number[] {
  let sum = new Array<number>(dim).fill(0);
  for (const v of masked.values()) sum = addMod(sum, v);
  for (const { survivor, dropped, seed } of revealed) {
    const m = maskFromSeed(seed, dim);
    // The survivor added m when its id was smaller, so take it out; it subtracted m otherwise.
    sum = survivor < dropped ? subMod(sum, m) : addMod(sum, m);
  }
  return sum;
}
