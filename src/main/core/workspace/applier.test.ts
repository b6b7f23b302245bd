import { chmodSync, existsSync, statSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BudgetWaiverRequest } from './applier';
import { sha256 } from './hash';
import { defaultStrategy } from './safe-fs';
import { snapshotTree, treeFixture, type TreeFixture } from './testing/tree-fixture';

const BINARY = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]);

describe('changesets', () => {
  let fx: TreeFixture;
  let hashes: Record<string, string>;

  beforeEach(() => {
    fx = treeFixture(defaultStrategy());
    hashes = {
      a: fx.write('src/a.ts', 'line 1\nline 2\nline 3\n'),
      b: fx.write('src/b.ts', 'export const b = 2;\r\nexport const c = 3;\r\n'),
      c: fx.write('docs/c.md', '# c\n'),
      bin: fx.write('assets/logo.bin', BINARY),
    };
    chmodSync(join(fx.ws, 'src/a.ts'), 0o755);
  });
  afterEach(() => fx.cleanup());

  describe('atomicity', () => {
    it('leaves every file as it was when the write phase fails halfway', async () => {
      const before = snapshotTree(fx.ws);
      const applier = await fx.applier({
        hooks: {
          beforeOperation: (index) => {
            if (index === 3) throw new Error('disk full (simulated)');
          },
        },
      });
      const result = await applier.apply({
        edits: [
          { op: 'write', path: 'src/a.ts', content: 'replaced\n', expectedSha256: hashes.a },
          { op: 'write', path: 'new/deep/file.ts', content: 'new\n', expectedSha256: null },
          { op: 'delete', path: 'docs/c.md', expectedSha256: hashes.c },
          { op: 'patch', path: 'src/b.ts', expectedSha256: hashes.b, hunks: [{ oldStart: 1, lines: ['-export const b = 2;', '+export const b = 20;'] }] },
        ],
      });
      expect(result).toMatchObject({ ok: false, kind: 'io_error', message: expect.stringContaining('disk full') });
      expect(snapshotTree(fx.ws)).toEqual(before);
      expect(existsSync(join(fx.ws, 'new'))).toBe(false);
    });

    it('writes nothing when a later hunk does not apply', async () => {
      const before = snapshotTree(fx.ws);
      const applier = await fx.applier();
      const result = await applier.apply({
        edits: [
          { op: 'write', path: 'src/a.ts', content: 'replaced\n', expectedSha256: hashes.a },
          { op: 'patch', path: 'src/b.ts', expectedSha256: hashes.b, hunks: [{ oldStart: 1, lines: ['-not in the file', '+x'] }] },
        ],
      });
      expect(result).toMatchObject({ ok: false, kind: 'patch_failed', path: 'src/b.ts' });
      expect(snapshotTree(fx.ws)).toEqual(before);
    });

    it('treats a stale expected hash as a conflict and writes nothing', async () => {
      const before = snapshotTree(fx.ws);
      const applier = await fx.applier();
      const result = await applier.apply({
        edits: [
          { op: 'write', path: 'src/a.ts', content: 'x', expectedSha256: hashes.a },
          { op: 'write', path: 'docs/c.md', content: 'y', expectedSha256: sha256('what the proposer saw') },
        ],
      });
      expect(result).toMatchObject({ ok: false, kind: 'conflict', path: 'docs/c.md' });
      expect(snapshotTree(fx.ws)).toEqual(before);
      const create = await applier.apply({ edits: [{ op: 'write', path: 'docs/c.md', content: 'z', expectedSha256: null }] });
      expect(create).toMatchObject({ ok: false, kind: 'conflict', message: expect.stringContaining('already exists') });
    });

    it('does not overwrite an edit made in place between the check and the write', async () => {
      const applier = await fx.applier({
        hooks: { afterValidate: () => appendFileSync(join(fx.ws, 'docs/c.md'), 'user edit\n') },
      });
      const result = await applier.apply({
        edits: [
          { op: 'write', path: 'src/a.ts', content: 'x\n', expectedSha256: hashes.a },
          { op: 'write', path: 'docs/c.md', content: 'agent\n', expectedSha256: hashes.c },
        ],
      });
      expect(result).toMatchObject({ ok: false, kind: 'conflict' });
      expect(fx.read('docs/c.md').toString()).toBe('# c\nuser edit\n');
      expect(fx.read('src/a.ts').toString()).toBe('line 1\nline 2\nline 3\n');
    });

    it('refuses a changeset that edits the same file twice', async () => {
      const applier = await fx.applier();
      const result = await applier.apply({
        edits: [
          { op: 'write', path: 'src/a.ts', content: 'x', expectedSha256: hashes.a },
          { op: 'rename', path: 'docs/c.md', to: './src//a.ts', expectedSha256: hashes.c },
        ],
      });
      expect(result).toMatchObject({ ok: false, kind: 'blocked', violations: [{ rule: 'changeset.duplicate-path' }] });
    });
  });

  describe('rollback', () => {
    it('restores the exact prior bytes, modes and folders', async () => {
      const before = snapshotTree(fx.ws);
      const applier = await fx.applier();
      const result = await applier.apply({
        edits: [
          { op: 'patch', path: 'src/b.ts', expectedSha256: hashes.b, hunks: [{ oldStart: 2, lines: [' export const b = 2;', '-export const c = 3;', '+export const c = 30;'] }] },
          { op: 'write', path: 'src/a.ts', content: 'replaced\n', expectedSha256: hashes.a },
          { op: 'write', path: 'assets/logo.bin', content: Buffer.from([9, 9, 0]).toString('base64'), encoding: 'base64', expectedSha256: hashes.bin },
          { op: 'rename', path: 'docs/c.md', to: 'docs/moved/c.md', expectedSha256: hashes.c },
          { op: 'write', path: 'brand/new/file.ts', content: 'new\n', expectedSha256: null },
        ],
      });
      if (!result.ok) throw new Error(result.message);
      // The patch kept the file's CRLF line endings; the write kept the executable bit.
      expect(fx.read('src/b.ts').toString()).toBe('export const b = 2;\r\nexport const c = 30;\r\n');
      expect(statSync(join(fx.ws, 'src/a.ts')).mode & 0o777).toBe(0o755);
      expect(fx.read('docs/moved/c.md').toString()).toBe('# c\n');
      expect(existsSync(join(fx.ws, 'docs/c.md'))).toBe(false);
      expect(result.applied.stats).toEqual({ files: 6, linesAdded: 5, linesRemoved: 6 });

      const undo = await applier.rollback(result.applied);
      expect(undo).toEqual({ ok: true });
      expect(snapshotTree(fx.ws)).toEqual(before);
    });
  });

  describe('budgets', () => {
    const budget = (maxFiles: number, maxLines: number, alreadyChanged: string[] = []) => ({
      limits: { maxFiles, maxLines },
      baseline: async (path: string) => (existsSync(join(fx.ws, path)) ? fx.read(path) : null),
      alreadyChanged: async () => alreadyChanged,
    });
    const twoFiles = () => ({
      edits: [
        { op: 'write', path: 'src/a.ts', content: 'x\n', expectedSha256: hashes.a },
        { op: 'write', path: 'src/new.ts', content: 'y\n', expectedSha256: null },
      ],
    });

    it('blocks a change over the file budget before writing, naming the rule', async () => {
      const before = snapshotTree(fx.ws);
      const applier = await fx.applier({ budget: budget(1, 100) });
      const result = await applier.apply(twoFiles());
      expect(result).toMatchObject({ ok: false, kind: 'blocked', violations: [{ rule: 'budget.files' }] });
      if (!result.ok) expect(result.message).toMatch(/budget\.files: .*2 files; the budget is 1/);
      expect(snapshotTree(fx.ws)).toEqual(before);
    });

    it('blocks a change over the line budget, counting earlier changes of the task', async () => {
      // a.ts already differs from its baseline by one added line; the new file adds a second.
      const baseline = async (path: string) => (path === 'src/a.ts' ? Buffer.from('line 1\nline 2\nline 3\n') : null);
      appendFileSync(join(fx.ws, 'src/a.ts'), 'extra\n');
      const applier = await fx.applier({ budget: { limits: { maxFiles: 10, maxLines: 1 }, baseline, alreadyChanged: async () => ['src/a.ts'] } });
      const result = await applier.apply({ edits: [{ op: 'write', path: 'src/new.ts', content: 'one\n', expectedSha256: null }] });
      expect(result).toMatchObject({ ok: false, kind: 'blocked', violations: [{ rule: 'budget.lines' }] });
    });

    it('lets an approved waiver past the budget and records it', async () => {
      const requests: BudgetWaiverRequest[] = [];
      const applier = await fx.applier({
        budget: budget(1, 100),
        waiverCheck: async (request) => {
          requests.push(request);
          return { approved: true, waiverId: 'WV-0001' };
        },
      });
      const result = await applier.apply(twoFiles());
      expect(result).toMatchObject({ ok: true, applied: { waiverIds: ['WV-0001'] } });
      expect(requests).toEqual([{ rule: 'budget.files', limit: 1, actual: 2, paths: ['src/a.ts', 'src/new.ts'] }]);
    });

    it('fails closed when the waiver is refused, malformed or the check throws', async () => {
      for (const waiverCheck of [
        async () => ({ approved: false as const, reason: 'expired' }),
        async () => ({ approved: true as const, waiverId: '' }),
        async () => {
          throw new Error('waiver store offline');
        },
      ]) {
        const applier = await fx.applier({ budget: budget(1, 100), waiverCheck });
        const result = await applier.apply(twoFiles());
        expect(result).toMatchObject({ ok: false, kind: 'blocked', violations: [{ rule: 'budget.files' }] });
      }
      expect(fx.read('src/a.ts').toString()).toBe('line 1\nline 2\nline 3\n');
    });

    it('blocks a change that would grow the workspace past its size cap', async () => {
      const applier = await fx.applier({ maxGrowthBytes: async () => 10 });
      const result = await applier.apply({ edits: [{ op: 'write', path: 'big.txt', content: 'x'.repeat(100), expectedSha256: null }] });
      expect(result).toMatchObject({ ok: false, kind: 'blocked', violations: [{ rule: 'workspace.size' }] });
      expect(existsSync(join(fx.ws, 'big.txt'))).toBe(false);
    });
  });

  describe('scope and allow-list', () => {
    const policy = { scope: { in: ['src'], out: ['src/secrets'], support: ['docs/**/*.md'] }, allow: ['src/**', 'docs/**'], deny: ['**/*.pem'] };

    it.each([
      ['lib/x.ts', 'scope.in'],
      ['src/secrets/key.ts', 'scope.out'],
      ['src/SECRETS/key.ts', 'scope.out'],
      ['src/cert.pem', 'deny-list'],
      ['docs/notes.txt', 'scope.in'],
    ])('blocks %s by %s', async (path, rule) => {
      const applier = await fx.applier({ policy });
      const result = await applier.apply({ edits: [{ op: 'write', path, content: 'x', expectedSha256: null }] });
      expect(result).toMatchObject({ ok: false, kind: 'blocked', violations: [{ rule }] });
    });

    it('blocks a path in scope but off the allow-list', async () => {
      const applier = await fx.applier({ policy: { scope: { in: ['.'] }, allow: ['src/**'] } });
      const result = await applier.apply({ edits: [{ op: 'write', path: 'README.md', content: 'x', expectedSha256: null }] });
      expect(result).toMatchObject({ ok: false, kind: 'blocked', violations: [{ rule: 'allow-list' }] });
    });

    it('allows paths in scope.in and scope.support', async () => {
      const applier = await fx.applier({ policy });
      const result = await applier.apply({
        edits: [
          { op: 'write', path: 'src/ok.ts', content: 'x', expectedSha256: null },
          { op: 'write', path: 'docs/guide/ok.md', content: 'y', expectedSha256: null },
        ],
      });
      expect(result.ok).toBe(true);
    });
  });
});
