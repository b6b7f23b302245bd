import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerificationReport } from '../../../shared/channels/provenance';
import { tempDir, testCore } from '../../../../test/helpers';
import { ContractSession } from '../api/session';
import { taskWithHistory } from './testing/fixture';

/**
 * The Audit page's verify with a sources folder (as `verify --sources DIR`), through the contract the
 * page calls: a real core, a real exported bundle, real files hashed in a folder on this machine.
 */
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const README = '# Widget\n\nThe cache keeps entries for thirty seconds.\n';
let core: ReturnType<typeof testCore>;
let content: string;
const folder = tempDir('aa-verify-src-');

beforeAll(async () => {
  core = testCore();
  const taskId = await taskWithHistory(core);
  core.claims.recordReads(taskId, [{ source: 'repository', path: 'README.md', sha256: sha(README) }]);
  content = JSON.stringify((await core.provenance.exportBundle(taskId)).bundle);
});
afterAll(() => {
  core?.cleanup();
  folder.cleanup();
});

describe('verifyBundle with a sources folder', () => {
  it('hashes the files the bundle lists in the folder: a matching file passes, an altered one fails', async () => {
    const session = new ContractSession(core, () => undefined);
    const verify = async (sourcesDir?: string) => {
      const r = await session.call('verifyBundle', { content, ...(sourcesDir ? { sourcesDir } : {}) });
      if (!r.ok) throw new Error(r.error.message);
      return r.value as VerificationReport;
    };
    expect((await verify())?.sources?.checked).toBe(false);

    mkdirSync(folder.dir, { recursive: true });
    writeFileSync(join(folder.dir, 'README.md'), README);
    const good = await verify(folder.dir);
    expect(good.sources?.checked).toBe(true);
    expect(good.sources?.files.find((f) => f.path === 'README.md')).toMatchObject({ source: 'repository', status: 'matches' });
    expect(good.ok).toBe(true);

    writeFileSync(join(folder.dir, 'README.md'), README.replace('thirty', 'sixty'));
    const bad = await verify(folder.dir);
    expect(bad.ok).toBe(false);
    expect(bad.sources?.files.find((f) => f.path === 'README.md')).toMatchObject({ status: 'differs' });
    expect(bad.problems.map((p) => p.kind)).toContain('altered');
  });

  it('refuses a relative path or a folder that does not exist, naming the field', async () => {
    const session = new ContractSession(core, () => undefined);
    const relative = await session.call('verifyBundle', { content, sourcesDir: 'some/folder' });
    expect(relative).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('sourcesDir') } });
    const missing = await session.call('verifyBundle', { content, sourcesDir: join(folder.dir, 'nope') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/^sourcesDir: .* is not a folder$/) } });
  });
});
