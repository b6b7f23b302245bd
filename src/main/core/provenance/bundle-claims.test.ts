import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import type { Bundle } from './bundle-schema';
import { verifyBundle } from './bundle-verify';
import { taskWithHistory } from './testing/fixture';

/** The audit bundle carries the claim table and the criteria's standing, hashed in its manifest, and verify checks it. */
let core: ReturnType<typeof testCore>;
let bundle: Bundle;

const refutedClaim = { kind: 'file_changed', subject: 'CHANGELOG.md', text: 'Updated CHANGELOG.md.', source: 'worker', extractedBy: 'rules', status: 'refuted', evidence: 'the diff does not touch CHANGELOG.md' } as const;

beforeAll(async () => {
  core = testCore();
  const taskId = await taskWithHistory(core);
  core.claims.recordExecution(taskId, 1, [refutedClaim], [{ criterionId: 'A1', status: 'verified', decidedBy: 'test', evidence: 'passed: npm test' }]);
  bundle = (await core.provenance.exportBundle(taskId)).bundle;
});
afterAll(() => core?.cleanup());

describe('claims in the audit bundle', () => {
  it('holds each claim with its verdict and evidence, and each criterion, and verifies', async () => {
    const items = bundle.content.claims ?? [];
    expect(items.map((i) => (i.source === 'table' ? i.table : i.type))).toEqual(['task_claims', 'task_criteria']);
    expect(items[0]).toMatchObject({ source: 'table', data: { kind: 'file_changed', subject: 'CHANGELOG.md', status: 'refuted', evidence: 'the diff does not touch CHANGELOG.md' } });
    expect(items[1]).toMatchObject({ source: 'table', data: { criterion_id: 'A1', status: 'verified', decided_by: 'test' } });
    expect(bundle.manifest.entries.map((e) => e.path)).toEqual(expect.arrayContaining(['claims/0', 'claims/1']));
    const report = await verifyBundle(bundle);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('names a claim whose verdict was changed afterwards', async () => {
    const forged = structuredClone(bundle);
    const item = forged.content.claims![0]!;
    if (item.source === 'table') item.data['status'] = 'verified';
    const report = await verifyBundle(forged);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.element)).toContain('claims[0]');
  });

  it("names a claim row of another task put into the bundle, and an item that is no claim row", async () => {
    const forged = structuredClone(bundle);
    const item = forged.content.claims![0]!;
    if (item.source === 'table') item.data['task_id'] = 'T-other';
    forged.content.claims!.push({ source: 'table', table: 'tasks', data: { id: 'x' } });
    const report = await verifyBundle(forged);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'inserted', element: 'claims[0]', message: expect.stringContaining('belongs to task T-other') }),
        expect.objectContaining({ kind: 'malformed', element: 'claims[2]', message: 'claims[2] is not a row of task_claims or task_criteria' }),
      ]),
    );
  });

  it('fails a signed bundle whose criterion counts as met by no test and no judge, or whose claim has a verdict the app never gives', async () => {
    // What an edited database exports: the signature is honest, the table is not.
    const taskId = await taskWithHistory(core, 'another task');
    core.claims.recordExecution(taskId, 1, [{ ...refutedClaim, status: 'refuted', evidence: '  ' }], [{ criterionId: 'A2', status: 'verified', decidedBy: 'none', evidence: 'the worker said so' }]);
    const report = await verifyBundle((await core.provenance.exportBundle(taskId)).bundle);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { kind: 'malformed', element: 'claims[0]', message: 'claims[0] (claim file_changed CHANGELOG.md) is refuted without evidence' },
      { kind: 'malformed', element: 'claims[1]', message: 'claims[1] (criterion A2) counts as met, but neither its test nor the constitutional judge decided it' },
    ]);
  });
});
