import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import type { Bundle } from './bundle-schema';
import { verifyBundle } from './bundle-verify';
import { taskWithHistory } from './testing/fixture';

/**
 * The audit bundle lists the sources each claim was checked against, hashed in its manifest, and
 * verify checks their hashes against files the user supplies (and says so when none are).
 */
let core: ReturnType<typeof testCore>;
let bundle: Bundle;
let taskId: string;
const dirs: ReturnType<typeof tempDir>[] = [];

const V1 = 'export function validateEmail() {}\n';
const V2 = 'export function validateEmail(e: string) { return e; }\n';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A sources directory holding `files` (path -> text). */
function sources(files: Record<string, string>): string {
  const d = tempDir('aa-src-');
  dirs.push(d);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(d.dir, p, '..'), { recursive: true });
    writeFileSync(join(d.dir, p), text);
  }
  return d.dir;
}

beforeAll(async () => {
  core = testCore();
  taskId = await taskWithHistory(core);
  const checked = { kind: 'file_changed', subject: 'src/a.ts', text: 'Changed src/a.ts.', source: 'worker', extractedBy: 'rules', status: 'verified', evidence: 'the diff modifies src/a.ts' } as const;
  core.claims.recordExecution(taskId, 1, [{ ...checked, sources: [{ source: 'workspace', path: 'src/a.ts', sha256: sha(V1) }] }], []);
  core.claims.recordExecution(taskId, 2, [{ ...checked, sources: [{ source: 'workspace', path: 'src/a.ts', sha256: sha(V2) }] }], []);
  core.claims.recordReads(taskId, [
    { source: 'attachment', path: 'mock.md', sha256: sha('# the mock\n') },
    { source: 'knowledge', path: '/docs/guide.md', location: 'section 2', sha256: sha('a chunk') },
  ]);
  bundle = (await core.provenance.exportBundle(taskId)).bundle;
});
afterAll(() => {
  core?.cleanup();
  for (const d of dirs) d.cleanup();
});

describe('sources in the audit bundle', () => {
  it('lists each version with its kind, location and the claims checked against it, hashed in the manifest', async () => {
    const listed = (bundle.content.sourceIntegrity ?? []).filter((s) => s.source !== 'workspace' || s.path === 'src/a.ts');
    const claimIds = (bundle.content.claims ?? []).flatMap((c) => (c.source === 'table' && c.table === 'task_claims' ? [c.data['id']] : []));
    expect(listed.map((s) => ({ source: s.source, path: s.path, location: s.location, sha256: s.sha256, claims: s.claims }))).toEqual([
      { source: 'workspace', path: 'src/a.ts', location: undefined, sha256: sha(V1), claims: [claimIds[0]] },
      { source: 'workspace', path: 'src/a.ts', location: undefined, sha256: sha(V2), claims: [claimIds[1]] },
      { source: 'attachment', path: 'mock.md', location: undefined, sha256: sha('# the mock\n'), claims: [] },
      { source: 'knowledge', path: '/docs/guide.md', location: 'section 2', sha256: sha('a chunk'), claims: [] },
    ]);
    const n = bundle.content.sourceIntegrity!.length;
    expect(bundle.manifest.entries.filter((e) => e.path.startsWith('sourceIntegrity/'))).toHaveLength(n);
    // A listed hash changed afterwards is named.
    const forged = structuredClone(bundle);
    forged.content.sourceIntegrity![n - 1]!.sha256 = sha('another chunk');
    const report = await verifyBundle(forged);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.element)).toContain(`sourceIntegrity[${n - 1}]`);
  });

  it('names a source linked to a claim the bundle does not hold', async () => {
    const forged = structuredClone(bundle);
    forged.content.sourceIntegrity![0]!.claims = [999_999];
    const report = await verifyBundle(forged);
    expect(report.problems).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'removed', element: 'sourceIntegrity[0]', message: expect.stringContaining('names claim(s) 999999') })]));
  });

  it('without a sources directory, says the files were not checked', async () => {
    const report = await verifyBundle(bundle);
    expect(report.ok).toBe(true);
    expect(report.sources).toEqual({ listed: bundle.content.sourceIntegrity!.length, checked: false, files: [] });
  });

  it('checks the supplied files: the last version matches, an earlier one is a note, another fails as altered', async () => {
    const base = { 'src/signup.ts': 'export function signup() {}', 'mock.md': '# the mock\n' };
    const good = await verifyBundle(bundle, { sourcesDir: sources({ ...base, 'src/a.ts': V2 }) });
    expect(good.problems).toEqual([]);
    const status = (r: typeof good) => Object.fromEntries((r.sources?.files ?? []).map((f) => [`${f.source} ${f.path}`, f.status]));
    expect(status(good)).toMatchObject({ 'workspace src/a.ts': 'matches', 'attachment mock.md': 'matches', 'knowledge /docs/guide.md': 'not_checkable' });

    const older = await verifyBundle(bundle, { sourcesDir: sources({ ...base, 'src/a.ts': V1 }) });
    expect(older.ok).toBe(true);
    expect(status(older)['workspace src/a.ts']).toBe('earlier');
    expect(older.warnings.join('\n')).toContain('src/a.ts is an earlier version');

    const edited = await verifyBundle(bundle, { sourcesDir: sources({ ...base, 'src/a.ts': 'edited by hand\n', 'mock.md': '# another mock\n' }) });
    expect(edited.ok).toBe(false);
    expect(edited.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'altered', element: 'sourceIntegrity (workspace src/a.ts)', message: expect.stringContaining(`sha256 ${sha('edited by hand\n')}`) }),
        expect.objectContaining({ kind: 'altered', element: 'sourceIntegrity (attachment mock.md)' }),
      ]),
    );

    const none = await verifyBundle(bundle, { sourcesDir: sources({}) });
    expect(none.ok).toBe(true);
    expect(status(none)['workspace src/a.ts']).toBe('not_supplied');
    expect(none.warnings.join('\n')).toMatch(/source file\(s\) were not in .*, so their hashes were not checked/);
  });

  it('never reads outside the sources directory', async () => {
    const forged = structuredClone(bundle);
    const outside = sources({ 'secret.txt': 'x' });
    forged.content.sourceIntegrity!.push({ path: `../${outside.split('/').pop()}/secret.txt`, sha256: sha('x'), kind: 'read', recordedAt: 1, source: 'workspace' });
    const report = await verifyBundle(forged, { sourcesDir: sources({}) });
    expect(report.problems).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'malformed', message: expect.stringContaining('leads outside the sources directory') })]));
  });
});
