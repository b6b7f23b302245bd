import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, tempDir, testCore } from '../../../../test/helpers';
import { silentLogger } from '../observability/logger';
import { verifyBundle } from './bundle-verify';
import { signJws } from './jws';
import { KeyStore } from './keys';
import { taskWithHistory } from './testing/fixture';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function store(dir?: string) {
  const d = dir ? { dir, cleanup: () => undefined } : tempDir('aa-keys-');
  cleanups.push(d.cleanup);
  return new KeyStore({ dir: join(d.dir, 'keys'), clock: new FakeClock(), logger: silentLogger() });
}

describe('KeyStore', () => {
  it('creates an Ed25519 key pair on first run, the private key readable by the owner only', () => {
    const ks = store();
    const { kid } = ks.current();
    const file = join(ks.dir, `${kid}.private.jwk`);
    expect(existsSync(file)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ks.signingKey().key.asymmetricKeyType).toBe('ed25519');
  });

  it('keeps the same key across restarts', () => {
    const d = tempDir('aa-keys-');
    cleanups.push(d.cleanup);
    const a = store(d.dir).current().kid;
    const b = store(d.dir).current().kid;
    expect(b).toBe(a);
  });

  it('names keys by their RFC 7638 thumbprint, as jose computes it', async () => {
    const ks = store();
    expect(ks.current().kid).toBe(await calculateJwkThumbprint(ks.current().publicJwk));
  });

  it('rotates: old signatures stay verifiable from the history, the retired private key is gone', async () => {
    const ks = store();
    const old = ks.signingKey();
    const jws = await signJws({ hello: 'world' }, old.key, old.kid);
    const next = await ks.rotate();
    expect(next.kid).not.toBe(old.kid);
    expect(ks.current().kid).toBe(next.kid);
    const retired = ks.find(old.kid)!;
    expect(retired.retiredAt).not.toBeNull();
    expect(existsSync(join(ks.dir, `${old.kid}.private.jwk`))).toBe(false);
    // The old signature verifies with the public key the history kept.
    const { payload } = await compactVerify(jws, await importJWK(retired.publicJwk, 'EdDSA'));
    expect(new TextDecoder().decode(payload)).toBe('{"hello":"world"}');
    // The new key is endorsed by the old one.
    const endorsement = await compactVerify(next.endorsement!, await importJWK(retired.publicJwk, 'EdDSA'));
    expect(JSON.parse(new TextDecoder().decode(endorsement.payload))).toMatchObject({ previousKid: old.kid, kid: next.kid });
  });

  it('refuses to sign with a clear message when the private key file is gone', () => {
    const ks = store();
    const dir = ks.dir;
    for (const f of readdirSync(dir)) if (f.endsWith('.private.jwk')) rmSync(join(dir, f));
    expect(() => ks.signingKey()).toThrow(/signing key .* is missing/);
  });
});

describe('a bundle across a key rotation', () => {
  it('verifies: decisions signed by the old key, the manifest by the endorsed new one', async () => {
    const core = testCore();
    cleanups.push(() => core.cleanup());
    const first = await taskWithHistory(core, 'first task before the rotation');
    const oldKid = core.provenance.keys.current().kid;
    await core.provenance.rotateKey();
    const { bundle } = await core.provenance.exportBundle(first);
    expect(bundle.content.signatures!.every((s) => s.kid === oldKid)).toBe(true);
    expect(bundle.content.publicKeys).toHaveLength(2);

    const unpinned = await verifyBundle(bundle);
    expect(unpinned.problems).toEqual([]);
    expect(unpinned.signers.map((s) => s.kid).sort()).toEqual([oldKid, core.provenance.keys.current().kid].sort());
    const pinned = await verifyBundle(bundle, { trustedKeys: core.provenance.keys.keys().map((k) => k.publicJwk) });
    expect(pinned.ok).toBe(true);

    // Without the endorsement the new key is a stranger: re-signed.
    const broken = structuredClone(bundle);
    broken.content.publicKeys![1]!.endorsement = null;
    const report = await verifyBundle(broken);
    expect(report.problems.map((p) => p.kind)).toContain('resigned');
  });
});
