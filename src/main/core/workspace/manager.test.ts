import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/open';
import { silentLogger } from '../observability/logger';
import { sha256 } from './hash';
import { WorkspaceManager } from './manager';
import { getWorkspace } from '../db/queries/workspaces';
import { gitSync, initRepo } from './testing/git-fixture';
import { snapshotTree } from './testing/tree-fixture';

const OPEN = { policy: { scope: { in: ['.'] }, allow: ['**'] } };
const TASK = 'tsk_0000000000aa';

describe('WorkspaceManager', () => {
  let base: string;
  let db: Db;
  let manager: WorkspaceManager;
  const clock = { now: () => 1_800_000_000_000 };

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'aa-wsm-'));
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
    manager = new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock });
  });
  afterEach(() => {
    db.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('clones a git repository onto a private branch without touching the user repository', async () => {
    const repo = join(base, 'repo');
    const head = initRepo(repo, { 'src/a.js': 'export const a = 1;\n', 'README.md': '# r\n' });
    // The user has a stash, another branch, staged and unstaged work; none of it may change.
    writeFileSync(join(repo, 'src/a.js'), 'stashed\n');
    gitSync(repo, ['stash', '--quiet']);
    gitSync(repo, ['branch', 'feature']);
    writeFileSync(join(repo, 'src/a.js'), 'staged\n');
    gitSync(repo, ['add', 'src/a.js']);
    writeFileSync(join(repo, 'README.md'), '# r\nwork in progress\n');
    writeFileSync(join(repo, 'notes.txt'), 'untracked\n');
    const before = snapshotTree(repo);

    const ws = await manager.create({ taskId: TASK, source: repo });
    expect(ws.record).toMatchObject({ kind: 'git', branch: `agent-agency/${TASK}`, baseCommit: head, state: 'active' });
    expect(gitSync(ws.dir, ['rev-parse', '--abbrev-ref', 'HEAD']).trim()).toBe(`agent-agency/${TASK}`);
    expect(gitSync(ws.dir, ['remote']).trim()).toBe('');
    // The workspace holds the committed state, not the user's uncommitted edits.
    expect(readFileSync(join(ws.dir, 'README.md'), 'utf8')).toBe('# r\n');
    expect(readFileSync(join(ws.dir, 'src/a.js'), 'utf8')).toBe('export const a = 1;\n');
    expect(existsSync(join(ws.dir, 'notes.txt'))).toBe(false);

    const result = await ws.apply(
      {
        edits: [
          { op: 'write', path: 'src/a.js', content: 'export const a = 2;\n', expectedSha256: sha256('export const a = 1;\n') },
          { op: 'write', path: 'src/b.js', content: 'export const b = 1;\n', expectedSha256: null },
        ],
      },
      OPEN,
    );
    expect(result.ok).toBe(true);
    const patch = await ws.patch();
    expect(patch.files).toEqual([
      { path: 'src/a.js', status: 'modified', linesAdded: 1, linesRemoved: 1, binary: false },
      { path: 'src/b.js', status: 'added', linesAdded: 1, linesRemoved: 0, binary: false },
    ]);
    expect(patch.patch).toContain('+export const a = 2;');
    expect(patch.sha256).toBe(sha256(patch.patch));
    // The patch applies with stock git to a fresh checkout of the base.
    const check = join(base, 'check');
    execFileSync('git', ['clone', '--quiet', repo, check]);
    execFileSync('git', ['apply', '--check', '-'], { cwd: check, input: patch.patch });

    expect(snapshotTree(repo)).toEqual(before);
    await manager.remove(TASK);
    expect(existsSync(join(base, 'workspaces', TASK))).toBe(false);
    expect(getWorkspace(db, TASK)?.state).toBe('removed');
    expect(snapshotTree(repo)).toEqual(before);
  });

  it('keeps a workspace for inspection on request, and reopens it after a restart', async () => {
    const repo = join(base, 'repo');
    initRepo(repo, { 'a.txt': 'a\n' });
    const ws = await manager.create({ taskId: TASK, source: repo });
    await ws.apply({ edits: [{ op: 'write', path: 'a.txt', content: 'b\n', expectedSha256: sha256('a\n') }] }, OPEN);

    const again = new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock });
    const reopened = await again.open(TASK);
    expect((await reopened!.changes()).map((c) => c.path)).toEqual(['a.txt']);
    // Creating again for the same task resumes rather than starting over.
    const resumed = await again.create({ taskId: TASK, source: repo });
    expect(readFileSync(join(resumed.dir, 'a.txt'), 'utf8')).toBe('b\n');

    await again.remove(TASK, { keep: true });
    expect(existsSync(ws.dir)).toBe(true);
    expect(getWorkspace(db, TASK)?.state).toBe('kept');
  });

  it('copies a plain folder and produces the same kind of patch', async () => {
    const folder = join(base, 'plain');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, 'sub', 'x.txt'), 'one\ntwo\n');
    const before = snapshotTree(folder);
    const ws = await manager.create({ taskId: TASK, source: folder });
    expect(ws.record.kind).toBe('copy');
    await ws.apply({ edits: [{ op: 'patch', path: 'sub/x.txt', expectedSha256: sha256('one\ntwo\n'), hunks: [{ oldStart: 2, lines: ['-two', '+three'] }] }] }, OPEN);
    const patch = await ws.patch();
    expect(patch.files).toEqual([{ path: 'sub/x.txt', status: 'modified', linesAdded: 1, linesRemoved: 1, binary: false }]);
    expect(snapshotTree(folder)).toEqual(before);
    expect(existsSync(join(folder, '.git'))).toBe(false);
  });

  it('refuses a target over the size cap and leaves nothing behind', async () => {
    const folder = join(base, 'big');
    mkdirSync(folder);
    writeFileSync(join(folder, 'blob.bin'), Buffer.alloc(64 * 1024, 1));
    const small = new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock, maxBytes: 16 * 1024 });
    await expect(small.create({ taskId: TASK, source: folder })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('size cap') });
    expect(readdirSync(join(base, 'workspaces'))).toEqual([]);
  });

  it('blocks a changeset that would grow the workspace past the cap', async () => {
    const repo = join(base, 'repo');
    initRepo(repo, { 'a.txt': 'a\n' });
    const capped = new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock, maxBytes: 512 * 1024 });
    const ws = await capped.create({ taskId: TASK, source: repo });
    const result = await ws.apply({ edits: [{ op: 'write', path: 'huge.txt', content: 'x'.repeat(600 * 1024), expectedSha256: null }] }, OPEN);
    expect(result).toMatchObject({ ok: false, kind: 'blocked', violations: [{ rule: 'workspace.size' }] });
  });

  it('refuses a sub-folder of a repository, a repository without commits, an unreadable one and a missing folder', async () => {
    const repo = join(base, 'repo');
    initRepo(repo, { 'pkg/a.txt': 'a\n' });
    await expect(manager.create({ taskId: TASK, source: join(repo, 'pkg') })).rejects.toMatchObject({ message: expect.stringContaining("repository's root") });
    const empty = join(base, 'empty');
    mkdirSync(empty);
    gitSync(empty, ['init', '--quiet']);
    await expect(manager.create({ taskId: TASK, source: empty })).rejects.toMatchObject({ message: expect.stringContaining('no commits') });
    await expect(manager.create({ taskId: TASK, source: join(base, 'nope') })).rejects.toMatchObject({ code: 'not_found' });
    await expect(manager.create({ taskId: '../escape', source: repo })).rejects.toMatchObject({ code: 'invalid_input' });
    const broken = join(base, 'broken');
    mkdirSync(join(broken, '.git'), { recursive: true });
    writeFileSync(join(broken, '.git', 'HEAD'), 'garbage\n');
    await expect(manager.create({ taskId: TASK, source: broken })).rejects.toMatchObject({ message: expect.stringContaining('git cannot read it') });
  });

  it('sweeps workspaces of finished tasks and folders left by a crash, keeping kept ones', async () => {
    const repo = join(base, 'repo');
    initRepo(repo, { 'a.txt': 'a\n' });
    await manager.create({ taskId: 'tsk_0000000000a1', source: repo });
    await manager.create({ taskId: 'tsk_0000000000a2', source: repo });
    await manager.create({ taskId: 'tsk_0000000000a3', source: repo });
    await manager.remove('tsk_0000000000a3', { keep: true });
    mkdirSync(join(base, 'workspaces', 'tsk_0000000000a4'));
    const removed = await manager.sweep((id) => id !== 'tsk_0000000000a2');
    expect(removed.sort()).toEqual(['tsk_0000000000a1', 'tsk_0000000000a4']);
    expect(readdirSync(join(base, 'workspaces')).sort()).toEqual(['tsk_0000000000a2', 'tsk_0000000000a3']);
  });
});
