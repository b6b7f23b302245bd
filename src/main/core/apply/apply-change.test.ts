import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/open';
import { silentLogger } from '../observability/logger';
import { sha256 } from '../workspace/hash';
import { WorkspaceManager } from '../workspace/manager';
import { gitSync, initRepo } from '../workspace/testing/git-fixture';
import { snapshotTree } from '../workspace/testing/tree-fixture';
import type { WorkspacePatch } from '../workspace/workspace';
import { ChangeApplier, type ApplyRequest } from './apply-change';
import { keepDryRunPatch, promoteDryRun } from './dry-run';
import type { ApplyStatement } from '../provenance/trailers';

const TASK = 'tsk_00000000000b';
const OPEN = { policy: { scope: { in: ['.'] }, allow: ['**'] } };
const clock = { now: () => 1_800_000_000_000 };

describe('applying a change', () => {
  let base: string;
  let repo: string;
  let db: Db;
  let manager: WorkspaceManager;
  let signed: ApplyStatement[];
  let applier: ChangeApplier;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'aa-apply-test-'));
    repo = join(base, 'repo');
    initRepo(repo, { 'src/a.js': 'export const a = 1;\n', 'src/keep.js': 'keep\n', 'README.md': '# r\n' });
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
    manager = new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock });
    signed = [];
    applier = new ChangeApplier({
      logger: silentLogger(),
      sign: async (payload) => {
        signed.push(payload);
        return `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;
      },
    });
  });
  afterEach(() => {
    db.close();
    rmSync(base, { recursive: true, force: true });
  });

  async function producePatch(): Promise<WorkspacePatch> {
    const ws = await manager.create({ taskId: TASK, source: repo });
    const result = await ws.apply(
      {
        edits: [
          { op: 'write', path: 'src/a.js', content: 'export const a = 2;\n', expectedSha256: sha256('export const a = 1;\n') },
          { op: 'write', path: 'src/new.js', content: 'export const n = 1;\n', expectedSha256: null },
        ],
      },
      OPEN,
    );
    if (!result.ok) throw new Error(result.message);
    return ws.patch();
  }

  const request = (p: WorkspacePatch, extra: Partial<ApplyRequest> = {}): ApplyRequest => ({
    taskId: TASK,
    targetPath: repo,
    patch: p.patch,
    expectedSha256: p.sha256,
    baseCommit: p.baseCommit,
    subject: 'Make a two',
    body: 'The worker changed a.',
    specId: 'FIX-0001',
    verdict: 'accept (score 0.90)',
    ...extra,
  });

  it('commits on a new branch with trailers stock git reads, leaving the user branch, index and files alone', async () => {
    const p = await producePatch();
    writeFileSync(join(repo, 'README.md'), '# r\nuser edit, not touched by the change\n');
    const mainBefore = gitSync(repo, ['rev-parse', 'main']);
    const statusBefore = gitSync(repo, ['status', '--porcelain']);
    const filesBefore = snapshotTree(repo);

    const result = await applier.apply(request(p));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({ kind: 'commit', branch: `agent-agency/${TASK}`, mode: 'new-branch', files: ['src/a.js', 'src/new.js'] });

    const trailers = gitSync(repo, ['log', '-1', "--format=%(trailers)", `agent-agency/${TASK}`]);
    expect(trailers).toContain(`Agent-Agency-Task: ${TASK}`);
    expect(trailers).toContain('CAWS-Spec: FIX-0001');
    expect(trailers).toContain('CAWS-Verdict: accept (score 0.90)');
    expect(trailers).toMatch(/Agent-Agency-Signature: eyJ[\w-]+\.[\w-]+\.c2ln/);
    expect(gitSync(repo, ['show', `agent-agency/${TASK}:src/a.js`])).toBe('export const a = 2;\n');
    expect(gitSync(repo, ['rev-parse', `agent-agency/${TASK}^`])).toBe(mainBefore);
    // The signature covers the patch hash and the tree git built.
    expect(signed).toEqual([
      expect.objectContaining({ taskId: TASK, patchSha256: p.sha256, parent: mainBefore.trim(), tree: gitSync(repo, ['rev-parse', `agent-agency/${TASK}^{tree}`]).trim() }),
    ]);

    expect(gitSync(repo, ['rev-parse', 'main'])).toBe(mainBefore);
    expect(gitSync(repo, ['symbolic-ref', 'HEAD']).trim()).toBe('refs/heads/main');
    expect(gitSync(repo, ['status', '--porcelain'])).toBe(statusBefore);
    const filesAfter = snapshotTree(repo);
    const worktree = (s: Record<string, string>) => Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('.git')));
    expect(worktree(filesAfter)).toEqual(worktree(filesBefore));
    expect(filesAfter['.git/index']).toBe(filesBefore['.git/index']);
  });

  it('refuses a target with uncommitted changes in a touched file, and changes nothing', async () => {
    const p = await producePatch();
    writeFileSync(join(repo, 'src/a.js'), 'export const a = 99; // user work\n');
    const before = snapshotTree(repo);
    const result = await applier.apply(request(p));
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict' } });
    if (!result.ok) expect(result.error.message).toMatch(/uncommitted changes in files this change touches: src\/a\.js \(modified\)/);
    expect(snapshotTree(repo)).toEqual(before);
    expect(signed).toEqual([]);
  });

  it('refuses when a file the change adds exists untracked or ignored', async () => {
    const p = await producePatch();
    writeFileSync(join(repo, '.gitignore'), 'src/new.js\n');
    writeFileSync(join(repo, 'src/new.js'), 'mine\n');
    const result = await applier.apply(request(p));
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('src/new.js (ignored)') } });
    expect(readFileSync(join(repo, 'src/new.js'), 'utf8')).toBe('mine\n');
  });

  it('refuses a patch whose hash does not match, and an existing task branch', async () => {
    const p = await producePatch();
    const tampered = await applier.apply(request(p, { patch: p.patch.replace('a = 2', 'a = 3') }));
    expect(tampered).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('does not match its recorded hash') } });
    gitSync(repo, ['branch', `agent-agency/${TASK}`]);
    const exists = await applier.apply(request(p));
    expect(exists).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('already exists') } });
  });

  it('refuses a patch that reaches into .git, whatever its hash', async () => {
    const evil = ['diff --git a/.git/hooks/post-commit b/.git/hooks/post-commit', 'new file mode 100755', '--- /dev/null', '+++ b/.git/hooks/post-commit', '@@ -0,0 +1 @@', '+echo pwned', ''].join('\n');
    const result = await applier.apply({ ...request({ patch: evil, sha256: sha256(evil), baseCommit: 'HEAD', files: [] }) });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('path.git-internal') } });
    expect(readFileSync(join(repo, '.git', 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
  });

  it('commits on the current branch when asked, keeping the user other work', async () => {
    const p = await producePatch();
    writeFileSync(join(repo, 'src/keep.js'), 'keep, staged\n');
    gitSync(repo, ['add', 'src/keep.js']);
    writeFileSync(join(repo, 'README.md'), '# r\nunstaged\n');
    const result = await applier.apply(request(p, { mode: 'current-branch' }));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({ kind: 'commit', branch: 'main', mode: 'current-branch' });
    expect(gitSync(repo, ['rev-parse', 'HEAD']).trim()).toBe(result.value.kind === 'commit' ? result.value.commit : '');
    expect(readFileSync(join(repo, 'src/a.js'), 'utf8')).toBe('export const a = 2;\n');
    // The user's staged and unstaged work is still there and was not swept into the commit.
    expect(gitSync(repo, ['status', '--porcelain']).split('\n').filter(Boolean).sort()).toEqual([' M README.md', 'M  src/keep.js']);
    expect(gitSync(repo, ['show', 'HEAD:src/keep.js'])).toBe('keep\n');
    expect(gitSync(repo, ['log', '-1', '--format=%(trailers:key=Agent-Agency-Task,valueonly)']).trim()).toBe(TASK);
  });

  it('refuses current-branch mode when the branch moved and the change no longer applies', async () => {
    const p = await producePatch();
    writeFileSync(join(repo, 'src/a.js'), 'export const a = 5;\n');
    gitSync(repo, ['commit', '-qam', 'moved on']);
    const before = snapshotTree(repo);
    const result = await applier.apply(request(p, { mode: 'current-branch' }));
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('no longer applies') } });
    expect(snapshotTree(repo)).toEqual(before);
  });

  it('patches a plain folder all-or-nothing', async () => {
    const folder = join(base, 'plain');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.txt'), 'one\n');
    writeFileSync(join(folder, 'b.txt'), 'two\n');
    const ws = await manager.create({ taskId: TASK, source: folder });
    await ws.apply(
      {
        edits: [
          { op: 'write', path: 'a.txt', content: 'uno\n', expectedSha256: sha256('one\n') },
          { op: 'write', path: 'b.txt', content: 'dos\n', expectedSha256: sha256('two\n') },
        ],
      },
      OPEN,
    );
    const p = await ws.patch();
    writeFileSync(join(folder, 'b.txt'), 'changed by the user\n');
    const refused = await applier.apply(request(p, { targetPath: folder }));
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(readFileSync(join(folder, 'a.txt'), 'utf8')).toBe('one\n');
    writeFileSync(join(folder, 'b.txt'), 'two\n');
    const applied = await applier.apply(request(p, { targetPath: folder }));
    expect(applied).toMatchObject({ ok: true, value: { kind: 'files', files: ['a.txt', 'b.txt'] } });
    expect(readFileSync(join(folder, 'b.txt'), 'utf8')).toBe('dos\n');
  });

  it('promotes a kept dry-run patch by its hash without regenerating it', async () => {
    const ws = await manager.create({ taskId: TASK, source: repo });
    await ws.apply({ edits: [{ op: 'write', path: 'src/a.js', content: 'export const a = 7;\n', expectedSha256: sha256('export const a = 1;\n') }] }, OPEN);
    const kept = await keepDryRunPatch({ db, clock }, ws);
    await manager.remove(TASK);
    const repoBefore = snapshotTree(repo);

    const { patch: _patch, expectedSha256: _sha, baseCommit: _base, ...rest } = request({ patch: '', sha256: '', baseCommit: '', files: [] });
    const wrong = await promoteDryRun({ db, applier }, { ...rest, sha256: sha256('something else') });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'not_found' } });

    // A stored patch altered behind the app's back is refused.
    db.exec('DROP TRIGGER task_patches_no_update');
    db.prepare('UPDATE task_patches SET patch = ? WHERE id = ?').run(Buffer.from(kept.patch.replace('a = 7', 'a = 8')), kept.id);
    const altered = await promoteDryRun({ db, applier }, { ...rest, sha256: kept.sha256 });
    expect(altered).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('altered') } });
    expect(snapshotTree(repo)).toEqual(repoBefore);

    db.prepare('UPDATE task_patches SET patch = ? WHERE id = ?').run(Buffer.from(kept.patch), kept.id);
    const promoted = await promoteDryRun({ db, applier }, { ...rest, sha256: kept.sha256 });
    if (!promoted.ok) throw new Error(promoted.error.message);
    expect(promoted.value).toMatchObject({ kind: 'commit', patchSha256: kept.sha256 });
    expect(gitSync(repo, ['show', `agent-agency/${TASK}:src/a.js`])).toBe('export const a = 7;\n');
  });
});
