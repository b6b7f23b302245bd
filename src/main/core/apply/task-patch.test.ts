import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { ContractSession } from '../api/session';
import { WorkspaceManager } from '../workspace/manager';
import { gitSync, initRepo } from '../workspace/testing/git-fixture';
import { snapshotTree } from '../workspace/testing/tree-fixture';
import { savePatch } from '../db/queries/task-patches';
import { readTaskPatch } from './task-patch';

describe("reading a task's patch", () => {
  let core: ReturnType<typeof testCore>;
  let taskId: string;

  beforeEach(() => {
    core = testCore();
    initRepo(core.repo, { 'sum.js': 'export const sum = (a, b) => a - b;\n', 'README.md': '# fixture\n' });
    taskId = core.tasks.submit({ description: 'make sum add', repoPath: core.repo, mode: 'strict', riskTier: 2, priority: 'normal', maxIterations: 3 }).id;
  });
  afterEach(() => core.cleanup());

  const deps = () => ({ db: core.db, dataDir: core.dataDir, logger: core.logger, clock: core.clock });
  const manager = () => new WorkspaceManager({ root: join(core.dataDir, 'workspaces'), db: core.db, logger: core.logger, clock: core.clock });

  it('is null before the task changed anything', async () => {
    expect(await readTaskPatch(deps(), taskId, core.repo)).toBeNull();
  });

  it("reads the live workspace's change without touching the repository", async () => {
    const before = snapshotTree(core.repo, { mtimes: true });
    const ws = await manager().create({ taskId, source: core.repo });
    writeFileSync(join(ws.dir, 'sum.js'), 'export const sum = (a, b) => a + b;\n');
    const view = await readTaskPatch(deps(), taskId, core.repo);
    expect(view).toMatchObject({ source: 'workspace', truncated: false, commit: null, baseCommit: gitSync(core.repo, ['rev-parse', 'HEAD']).trim() });
    expect(view!.patch).toContain('-export const sum = (a, b) => a - b;');
    expect(view!.patch).toContain('+export const sum = (a, b) => a + b;');
    expect(view!.sha256).toBe((await ws.patch()).sha256);
    expect(snapshotTree(core.repo, { mtimes: true })).toEqual(before);
  });

  it('names the kept dry-run patch, and falls back to it once the workspace is gone', async () => {
    const ws = await manager().create({ taskId, source: core.repo });
    writeFileSync(join(ws.dir, 'README.md'), '# fixture, edited\n');
    const produced = await ws.patch();
    savePatch(core.db, { taskId, baseCommit: produced.baseCommit, sourceKind: 'git', patch: produced.patch, files: produced.files, createdAt: 42 });
    // While the workspace still holds exactly the kept patch, that is what the view names.
    expect(await readTaskPatch(deps(), taskId, core.repo)).toMatchObject({ source: 'kept', sha256: produced.sha256 });
    writeFileSync(join(ws.dir, 'README.md'), '# fixture, edited again\n');
    expect(await readTaskPatch(deps(), taskId, core.repo)).toMatchObject({ source: 'workspace' });
    await manager().remove(taskId);
    expect(await readTaskPatch(deps(), taskId, core.repo)).toMatchObject({ source: 'kept', sha256: produced.sha256, patch: produced.patch, at: 42 });
  });

  it('reads an applied commit from the repository, with the same hash as the workspace patch', async () => {
    const ws = await manager().create({ taskId, source: core.repo });
    writeFileSync(join(ws.dir, 'sum.js'), 'export const sum = (a, b) => a + b;\n');
    const produced = await ws.patch();
    await manager().remove(taskId);
    gitSync(core.repo, ['apply', '-'], produced.patch);
    gitSync(core.repo, ['commit', '--quiet', '-am', 'apply']);
    const commit = gitSync(core.repo, ['rev-parse', 'HEAD']).trim();
    core.journal.append(taskId, { type: 'artifact.produced', payload: { kind: 'commit', name: commit, sha256: produced.sha256 } }, `${taskId}:test.commit`);
    const view = await readTaskPatch(deps(), taskId, core.repo);
    expect(view).toMatchObject({ source: 'commit', commit, sha256: produced.sha256, baseCommit: produced.baseCommit });
  });

  it('is served on the getTaskPatch channel, which names an unknown task', async () => {
    const session = new ContractSession(core, () => undefined);
    expect(await session.call('getTaskPatch', { taskId })).toEqual({ ok: true, value: null });
    const missing = await session.call('getTaskPatch', { taskId: 'tsk_0000000000zz' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await session.call('getTaskPatch', { taskId: '../etc' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
