import { createPublicKey, type KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import type { BundleContent } from './bundle-schema';
import { safeJson, type Findings } from './bundle-findings';
import { JWS_ALG } from './jws';
import { jwkThumbprint, type PublicJwk } from './keys';

/*
 * Signatures inside an audit bundle: which keys are known (the bundle's own, indexed by their true
 * thumbprint, and the trusted ones), whether a compact JWS verifies with the key it names, and which
 * keys may sign a task's records when no trusted key is given.
 */

export const Statement = z.object({
  typ: z.enum(['agent-agency/decision', 'agent-agency/task-head']),
  taskId: z.string(),
  seq: z.number().int(),
  taskSeq: z.number().int(),
  recordHash: z.string(),
});

const RotationStatement = z.object({
  typ: z.literal('agent-agency/key-rotation'),
  previousKid: z.string(),
  kid: z.string(),
});

export type KeyUse = { kid: string; element: string; createdAt: number | null };

/** Verifies JWS against the known keys and remembers which key signed which element. */
export class SignatureChecker {
  readonly bundleKeys = new Map<string, KeyObject>();
  readonly trusted: Map<string, KeyObject> | undefined;
  readonly uses: KeyUse[] = [];
  private readonly known: Map<string, KeyObject>;

  constructor(
    private readonly findings: Findings,
    publicKeys: BundleContent['publicKeys'],
    trustedKeys: readonly PublicJwk[] | undefined,
  ) {
    (publicKeys ?? []).forEach((k, i) => {
      const thumb = jwkThumbprint(k.jwk);
      if (thumb !== k.kid) {
        findings.add('altered', `publicKeys[${i}]`, `publicKeys[${i}] was altered: its id ${k.kid} is not the thumbprint of its key (${thumb})`);
      }
      this.bundleKeys.set(thumb, createPublicKey({ key: k.jwk, format: 'jwk' }));
    });
    this.trusted = trustedKeys
      ? new Map(trustedKeys.map((jwk) => [jwkThumbprint(jwk), createPublicKey({ key: jwk, format: 'jwk' })]))
      : undefined;
    this.known = new Map([...this.bundleKeys, ...(this.trusted ?? [])]);
  }

  /** The signer and payload of `jws`, or undefined with a finding naming `element`. */
  async check(jws: string, element: string, what: string, createdAt: number | null): Promise<{ kid: string; payload: string } | undefined> {
    const findings = this.findings;
    let header;
    try {
      header = decodeProtectedHeader(jws);
    } catch {
      findings.add('malformed', element, `${what} is not a compact JWS`);
      return undefined;
    }
    if (header.alg !== JWS_ALG) {
      findings.add('invalid_signature', element, `${what} uses algorithm ${String(header.alg)}, not ${JWS_ALG}`);
      return undefined;
    }
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const key = kid === undefined ? undefined : this.known.get(kid);
    if (kid !== undefined && key) {
      const payload = await tryVerify(jws, key);
      if (payload !== undefined) {
        this.uses.push({ kid, element, createdAt });
        return { kid, payload };
      }
    }
    for (const [otherKid, other] of this.known) {
      if (otherKid === kid) continue;
      if ((await tryVerify(jws, other)) !== undefined) {
        findings.add('resigned', element, `${what} was signed with key ${otherKid}, not with key ${kid ?? '(none)'} named in its header`);
        return undefined;
      }
    }
    if (kid === undefined) findings.add('invalid_signature', element, `${what} names no key`);
    else if (!key) findings.add('resigned', element, `${what} is signed with key ${kid}, which is neither in the bundle nor trusted: its public key was removed, or someone else signed it`);
    else findings.add('invalid_signature', element, `${what} does not verify with key ${kid}: the signature or what it signs was altered`);
    return undefined;
  }
}

export async function tryVerify(jws: string, key: KeyObject): Promise<string | undefined> {
  try {
    const { payload } = await compactVerify(jws, key, { algorithms: [JWS_ALG] });
    return new TextDecoder().decode(payload);
  } catch {
    return undefined;
  }
}

/**
 * The keys that may sign this task's records without a trust anchor: the key of the earliest
 * signature, and every key it endorsed in a rotation (transitively). A rotation endorsement is the
 * previous key's JWS over the next key's id.
 */
export async function keyLineage(
  uses: readonly { kid: string; createdAt: number | null }[],
  keys: readonly { kid: string; endorsement: string | null }[],
  bundleKeys: ReadonlyMap<string, KeyObject>,
): Promise<{ root: string | undefined; members: Set<string> }> {
  const dated = uses.filter((u) => u.createdAt !== null).sort((a, b) => a.createdAt! - b.createdAt!);
  const root = (dated[0] ?? uses[0])?.kid;
  const members = new Set<string>(root ? [root] : []);
  let grew = true;
  while (grew) {
    grew = false;
    for (const k of keys) {
      if (members.has(k.kid) || !k.endorsement) continue;
      for (const m of members) {
        const key = bundleKeys.get(m);
        if (!key) continue;
        const payload = await tryVerify(k.endorsement, key);
        const st = payload === undefined ? undefined : RotationStatement.safeParse(safeJson(payload));
        if (st?.success && st.data.kid === k.kid && st.data.previousKid === m && jwkThumbprintMatches(k.kid, bundleKeys)) {
          members.add(k.kid);
          grew = true;
          break;
        }
      }
    }
  }
  return { root, members };
}

/** A key's entry counts only if its id is the thumbprint of a key the bundle really carries. */
function jwkThumbprintMatches(kid: string, bundleKeys: ReadonlyMap<string, KeyObject>): boolean {
  return bundleKeys.has(kid);
}
