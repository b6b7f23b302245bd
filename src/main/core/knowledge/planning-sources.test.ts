import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { ContractSession } from '../api/session';
import { sourceIntegrityForTask } from '../db/queries/source-integrity-records';

/** Source integrity of planning: the attachments read and every knowledge chunk handed to the planner are recorded hashed. */
let core: ReturnType<typeof testCore>;
const NOTES = '# Notes\n\nUsers reported that clamp lets values above the range through.\n';
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

beforeAll(() => {
  core = testCore();
});
afterAll(() => core?.cleanup());

describe('sources the planner read', () => {
  it('records each attachment with the hash of its file and each chunk with the hash of its text, once per version', async () => {
    const session = new ContractSession(core, () => undefined);
    const submitted = await session.call('submitTask', {
      description: 'Make clamp cap values at the upper bound',
      repoPath: core.repo,
      mode: 'dry-run',
      attachments: [{ name: 'notes.md', dataBase64: Buffer.from(NOTES).toString('base64') }],
    });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const taskId = (submitted.value as { id: string }).id;
    await core.attachments.index(taskId);
    const hits = core.attachments.references(taskId, 'clamp values above the range');
    expect(hits.length).toBeGreaterThan(0);

    const records = sourceIntegrityForTask(core.db, taskId);
    expect(records.filter((r) => r.source === 'attachment').map((r) => ({ path: r.path, sha256: r.sha256 }))).toEqual([{ path: 'notes.md', sha256: sha(NOTES) }]);
    const chunks = records.filter((r) => r.source === 'knowledge');
    expect(chunks.map((r) => ({ path: r.path, location: r.location, sha256: r.sha256 }))).toEqual(hits.map((h) => ({ path: h.source, location: h.location, sha256: sha(h.text) })));

    // Planning again reads the same versions: nothing new is recorded.
    core.attachments.references(taskId, 'clamp values above the range');
    expect(sourceIntegrityForTask(core.db, taskId)).toHaveLength(records.length);
  });
});
