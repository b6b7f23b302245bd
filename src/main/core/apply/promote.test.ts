import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { SubmitTaskInput } from '../../../shared/domain/task';
import { ContractSession } from '../api/session';
import { updateTaskState } from '../db/queries/tasks';
import { sha256 } from '../workspace/hash';
import { WorkspaceManager } from '../workspace/manager';
import { gitSync, initRepo, writeFiles } from '../workspace/testing/git-fixture';
import { keepDryRunPatch } from './dry-run';

let core: ReturnType<typeof testCore>;
afterEach(() => core?.cleanup());

const OPEN = { policy: { scope: { in: ['.'] }, allow: ['**'] } };
const actor = { who: 'tester', via: 'api' } as const;

/** A finished dry-run on a real repository that kept a patch changing `a.js` from 1 to 2. */
async function finishedDryRun(): Promise<{ session: ContractSession; taskId: string; kept: string; repo: string }> {
  core = testCore();
  const repo = join(core.repo, 'r');
  initRepo(repo, { 'a.js': 'export const a = 1;\n', 'b.js': 'b\n' });
  const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'Bump a', repoPath: repo, mode: 'dry-run' }));
  const manager = new WorkspaceManager({ root: join(core.dataDir, 'workspaces'), db: core.db, logger: core.logger, clock: core.clock });
  const ws = await manager.create({ taskId: task.id, source: repo });
  const applied = await ws.apply({ edits: [{ op: 'write', path: 'a.js', content: 'export const a = 2;\n', expectedSha256: sha256('export const a = 1;\n') }] }, OPEN);
  if (!applied.ok) throw new Error(applied.message);
  const kept = await keepDryRunPatch({ db: core.db, clock: core.clock }, ws);
  await manager.remove(task.id);
  updateTaskState(core.db, task.id, { kind: 'completed' }, 100, core.clock.now());
  return { session: new ContractSession(core, () => undefined), taskId: task.id, kept: kept.sha256, repo };
}

describe('promoting a dry-run', () => {
  it('applies exactly the kept patch on a new branch from the current HEAD and journals who promoted it', async () => {
    const { session, taskId, kept, repo } = await finishedDryRun();
    // The repository moved, in a file the patch does not touch: it still applies cleanly.
    writeFiles(repo, { 'b.js': 'b2\n' });
    gitSync(repo, ['commit', '--quiet', '-am', 'unrelated']);
    const head = gitSync(repo, ['rev-parse', 'HEAD']).trim();

    const check = await session.call('checkPromote', { id: taskId });
    expect(check).toMatchObject({ ok: true, value: { applies: true, moved: true, reason: null, sha256: kept } });

    const promoted = await session.call('promoteTask', { id: taskId, sha256: kept, actor });
    expect(promoted).toMatchObject({ ok: true, value: { branch: `agent-agency/${taskId}`, files: ['a.js'], patchSha256: kept } });
    const commit = (promoted as { value: { commit: string } }).value.commit;
    expect(gitSync(repo, ['rev-parse', `${commit}^`]).trim()).toBe(head);
    expect(gitSync(repo, ['show', `${commit}:a.js`])).toBe('export const a = 2;\n');
    // The user's branch and working tree are untouched.
    expect(gitSync(repo, ['rev-parse', 'HEAD']).trim()).toBe(head);
    const events = core.tasks.get(taskId).events.map((e) => e.type);
    expect(events).toContain('change.promoted');

    // A second promote is refused: it already happened.
    const again = await session.call('promoteTask', { id: taskId, sha256: kept, actor });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/already promoted as commit/) } });
  });

  it('refuses when the repository moved so the patch no longer applies, and offers a re-run that is linked to the task', async () => {
    const { session, taskId, kept, repo } = await finishedDryRun();
    writeFiles(repo, { 'a.js': 'export const a = 100;\n' });
    gitSync(repo, ['commit', '--quiet', '-am', 'conflicting']);

    const check = await session.call('checkPromote', { id: taskId });
    expect(check).toMatchObject({ ok: true, value: { applies: false, moved: true, offerRerun: true, reason: expect.stringMatching(/moved since the dry-run .* no longer applies cleanly.*Re-run the task against the new head/) } });
    const refused = await session.call('promoteTask', { id: taskId, sha256: kept, actor });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/no longer applies cleanly/) } });
    expect(gitSync(repo, ['branch', '--list', 'agent-agency/*']).trim()).toBe('');

    const rerun = await session.call('retryTask', { id: taskId, actor });
    expect(rerun).toMatchObject({ ok: true, value: { retryOf: taskId, description: 'Bump a', mode: 'dry-run', state: { kind: 'queued' } } });
  });

  it('refuses a hash other than the kept patch, naming the field', async () => {
    const { session, taskId } = await finishedDryRun();
    const wrong = await session.call('promoteTask', { id: taskId, sha256: 'a'.repeat(64), actor });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'conflict', issues: [{ path: 'sha256' }] } });
    const malformed = await session.call('promoteTask', { id: taskId, sha256: 'nope', actor });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [expect.objectContaining({ path: 'sha256' })] } });
  });

  it('says why a task that is not a finished dry-run cannot be promoted', async () => {
    core = testCore();
    const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'Auto task', repoPath: core.repo, mode: 'auto' }));
    const session = new ContractSession(core, () => undefined);
    expect(await session.call('checkPromote', { id: task.id })).toMatchObject({ ok: true, value: { applies: false, reason: expect.stringMatching(/ran in auto mode/) } });
  });
});

describe('retry and the repository check', () => {
  it('retries only a task that ended, with the same inputs, and links edited resubmissions', async () => {
    core = testCore();
    const session = new ContractSession(core, () => undefined);
    const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'Flaky task', repoPath: core.repo, mode: 'strict', riskTier: 1, maxIterations: 7 }));
    const early = await session.call('retryTask', { id: task.id, actor });
    expect(early).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/is queued; only a failed, cancelled or finished task/) } });
    updateTaskState(core.db, task.id, { kind: 'failed', reason: 'model crashed' }, 40, core.clock.now());
    const retried = await session.call('retryTask', { id: task.id, actor });
    expect(retried).toMatchObject({ ok: true, value: { retryOf: task.id, description: 'Flaky task', mode: 'strict', riskTier: 1, maxIterations: 7 } });
    const edited = await session.call('submitTask', { description: 'Flaky task, smaller', repoPath: core.repo, retryOf: task.id });
    expect(edited).toMatchObject({ ok: true, value: { retryOf: task.id, description: 'Flaky task, smaller' } });
    // The link survives a read back from the database.
    const id = (edited as { value: { id: string } }).value.id;
    expect(core.tasks.get(id).task.retryOf).toBe(task.id);
  });

  it('checks a repository: missing, plain folder, git root, inside a repository', async () => {
    core = testCore();
    const session = new ContractSession(core, () => undefined);
    const repo = join(core.repo, 'g');
    initRepo(repo, { 'x.txt': 'x\n' });
    expect(await session.call('checkRepository', { path: join(core.repo, 'missing') })).toMatchObject({ ok: true, value: { exists: false, problem: expect.stringMatching(/not an existing folder/) } });
    expect(await session.call('checkRepository', { path: 'relative' })).toMatchObject({ ok: true, value: { problem: expect.stringMatching(/absolute/) } });
    const plain = mkdtempSync(join(tmpdir(), 'aa-plain-'));
    expect(await session.call('checkRepository', { path: plain })).toMatchObject({ ok: true, value: { exists: true, isGit: false, problem: expect.stringMatching(/not the root of a git repository/) } });
    rmSync(plain, { recursive: true, force: true });
    expect(await session.call('checkRepository', { path: repo })).toMatchObject({ ok: true, value: { exists: true, isGit: true, allowed: true, problem: null, warning: null } });
    writeFiles(repo, { 'sub/y.txt': 'y\n' });
    expect(await session.call('checkRepository', { path: join(repo, 'sub') })).toMatchObject({ ok: true, value: { problem: expect.stringMatching(/choose the repository's root/) } });
    rmSync(repo, { recursive: true, force: true });
  });
});
