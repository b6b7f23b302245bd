import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalJson } from '../db/canonical';

/** Every signed federation message starts from this, so a signature cannot be replayed elsewhere. */
const DOMAIN = 'agent-agency/federation/v1';

const IdentityFile = z.strictObject({ d: z.string().regex(/^[A-Za-z0-9_-]{43}$/), x: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

/** An installation's Ed25519 federation key; the public half (raw, base64url) is its member id. */
export type Identity = { publicKey: string; privateKey: KeyObject };

/** Loads the installation's key from `dir/identity.json`, creating it (0600) on first use. */
export function loadIdentity(dir: string): Identity {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'identity.json');
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    writeFileSync(file, JSON.stringify({ d: jwk.d, x: jwk.x }), { mode: 0o600, flag: 'wx' });
  }
  if (process.platform !== 'win32') chmodSync(file, 0o600);
  const parsed = IdentityFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: not a federation identity (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return {
    publicKey: parsed.data.x,
    privateKey: createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', ...parsed.data }, format: 'jwk' }),
  };
}

export function newIdentity(): Identity {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: String(privateKey.export({ format: 'jwk' }).x), privateKey };
}

export const Signed = z.strictObject({
  kind: z.string().min(1).max(40),
  signer: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url Ed25519 public key'),
  payload: z.record(z.string(), z.unknown()),
  sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'must be a base64url Ed25519 signature'),
});
export type Signed = z.infer<typeof Signed>;

function bytesOf(kind: string, signer: string, payload: unknown): Buffer {
  return Buffer.from(canonicalJson({ domain: DOMAIN, kind, signer, payload }));
}

export function signMessage(id: Identity, kind: string, payload: Record<string, unknown>): Signed {
  const sig = sign(null, bytesOf(kind, id.publicKey, payload), id.privateKey).toString('base64url');
  return { kind, signer: id.publicKey, payload, sig };
}

/** True when `msg` is of `kind` and signed by its signer's key (the caller decides whether it trusts that key). */
export function verifyMessage(msg: Signed, kind: string): boolean {
  if (msg.kind !== kind) return false;
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: msg.signer }, format: 'jwk' });
    return verify(null, bytesOf(msg.kind, msg.signer, msg.payload), key, Buffer.from(msg.sig, 'base64url'));
  } catch {
    return false;
  }
}

/** Parses and verifies a message, naming what is wrong; the payload is then parsed by `schema`. */
export function openMessage<T>(raw: unknown, kind: string, schema: z.ZodType<T>): { signer: string; payload: T } {
  const env = Signed.safeParse(raw);
  if (!env.success) {
    const issue = env.error.issues[0];
    throw new FederationError(400, `message.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  if (!verifyMessage(env.data, kind)) throw new FederationError(401, `message: signature does not verify for a ${kind} message`);
  const payload = schema.safeParse(env.data.payload);
  if (!payload.success) {
    const issue = payload.error.issues[0];
    throw new FederationError(400, `payload.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return { signer: env.data.signer, payload: payload.data };
}

export class FederationError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
