import { createHash } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { serializeBundle } from './bundle-export';
import { taskWithHistory } from './testing/fixture';

/**
 * What docs/verify-bundle.md tells a third party to do, done with nothing of this app but the bundle
 * file: `jose` for the signatures, node:crypto for sha256, and a dozen lines of JCS.
 */
let core: ReturnType<typeof testCore>;
let file: string;

beforeAll(async () => {
  core = testCore();
  const taskId = await taskWithHistory(core);
  file = serializeBundle((await core.provenance.exportBundle(taskId)).bundle);
});
afterAll(() => core?.cleanup());

/** RFC 8785 for the JSON this format uses (no exotic numbers): sorted keys, no whitespace. */
function jcs(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`).join(',')}}`;
}
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('a bundle checked with a stock JWS library and only the public key', () => {
  it('the manifest signature verifies with jose, and its payload is the manifest', async () => {
    const bundle = JSON.parse(file) as {
      manifest: unknown;
      manifestSignature: string;
      content: { publicKeys: { kid: string; jwk: { kty: string; crv: string; x: string } }[] };
    };
    const { kid } = decodeProtectedHeader(bundle.manifestSignature);
    const jwk = bundle.content.publicKeys.find((k) => k.kid === kid)!.jwk;
    const key = await importJWK(jwk, 'EdDSA');
    const { payload, protectedHeader } = await compactVerify(bundle.manifestSignature, key, { algorithms: ['EdDSA'] });
    expect(protectedHeader.alg).toBe('EdDSA');
    const manifest = JSON.parse(new TextDecoder().decode(payload)) as { entries: { path: string; sha256: string }[] };
    expect(jcs(manifest)).toBe(jcs(bundle.manifest));

    // A byte changed in the manifest is caught by jose as well.
    const tampered = bundle.manifestSignature.replace(/\.(.)/, (_m, c: string) => `.${c === 'e' ? 'f' : 'e'}`);
    await expect(compactVerify(tampered, key, { algorithms: ['EdDSA'] })).rejects.toThrow();
  });

  it('every entry hash, the record chain and each decision signature check out by hand', async () => {
    const bundle = JSON.parse(file) as {
      manifestSignature: string;
      content: {
        task: unknown;
        patch: unknown;
        events: { taskSeq: number; recordHash: string; taskPrevHash: string | null }[];
        signatures: { jws: string; subjectHash: string }[];
        publicKeys: { kid: string; jwk: { kty: string; crv: string; x: string } }[];
      } & Record<string, unknown>;
    };
    const key = await importJWK(bundle.content.publicKeys[0]!.jwk, 'EdDSA');
    const { payload } = await compactVerify(bundle.manifestSignature, key);
    const manifest = JSON.parse(new TextDecoder().decode(payload)) as { entries: { path: string; sha256: string }[] };
    const c = bundle.content;
    for (const entry of manifest.entries) {
      const [section, id] = entry.path.split('/') as [string, string | undefined];
      let item: unknown;
      if (id === undefined) item = c[section];
      else if (section === 'events') {
        const { recordHash: _drop, ...rest } = c.events.find((e) => String(e.taskSeq) === id)!;
        item = rest;
      } else item = (c[section] as unknown[])[Number(id)];
      expect(sha256(jcs(item)), entry.path).toBe(entry.sha256);
    }
    let prev: string | null = null;
    for (const e of c.events) {
      expect(e.taskPrevHash).toBe(prev);
      prev = e.recordHash;
    }
    for (const s of c.signatures) {
      const { payload: signed } = await compactVerify(s.jws, key);
      expect((JSON.parse(new TextDecoder().decode(signed)) as { recordHash: string }).recordHash).toBe(s.subjectHash);
    }
  });
});
