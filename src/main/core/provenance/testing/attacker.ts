import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { contentEntries } from '../bundle-entries';
import type { Bundle } from '../bundle-schema';
import { signJws } from '../jws';
import { jwkThumbprint, type PublicJwk } from '../keys';

/** A key someone else holds: what a forger would sign with. */
export function otherKey(): { kid: string; key: KeyObject; jwk: PublicJwk } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const exported = publicKey.export({ format: 'jwk' });
  const jwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: String(exported.x) };
  return { kid: jwkThumbprint(jwk), key: privateKey, jwk };
}

function payloadOf(jws: string): unknown {
  return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
}

/**
 * What a forger does after editing a bundle: adds their public key, recomputes the manifest and signs
 * it (and, with `everything`, every decision and head signature too, dropping the real keys).
 */
export async function forgeSignatures(bundle: Bundle, signer: ReturnType<typeof otherKey>, everything = false): Promise<Bundle> {
  const forged = structuredClone(bundle);
  const content = forged.content;
  const mine = { kid: signer.kid, jwk: signer.jwk, createdAt: forged.manifest.exportedAt, retiredAt: null, endorsement: null };
  content.publicKeys = everything ? [mine] : [...(content.publicKeys ?? []), mine];
  if (everything) {
    for (const s of content.signatures ?? []) {
      s.jws = await signJws(payloadOf(s.jws), signer.key, signer.kid);
      s.kid = signer.kid;
    }
  }
  forged.manifest.entries = contentEntries(content).map(({ path, sha256 }) => ({ path, sha256 }));
  forged.manifestSignature = await signJws(forged.manifest, signer.key, signer.kid);
  return forged;
}
