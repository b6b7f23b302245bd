import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger';
import { gitSync, initRepo, writeFiles } from '../workspace/testing/git-fixture';
import { snapshotTree } from '../workspace/testing/tree-fixture';
import { indexFileFor } from './repo-index';
import { RetrievalService } from './service';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const base = mkdtempSync(join(tmpdir(), 'aa-retrieval-service-'));
  dirs.push(base);
  const repo = join(base, 'repo');
  const dataDir = join(base, 'data');
  initRepo(repo, {
    'src/billing/invoice.ts': "import { roundCents } from './money';\nexport function computeInvoiceTotal(lines: number[]): number {\n  return roundCents(lines.reduce((s, l) => s + l, 0));\n}\n",
    'src/billing/money.ts': 'export function roundCents(x: number): number {\n  return Math.round(x * 100) / 100;\n}\n',
    'src/users/signup.ts': 'export class SignupForm {\n  validateEmail(email: string): boolean {\n    return email.includes("@");\n  }\n}\n',
    'README.md': '# Shop\n',
  });
  return { repo, dataDir, service: new RetrievalService({ dataDir, logger: silentLogger() }) };
}

describe('RetrievalService', () => {
  it("keeps each repository's index in the data folder, never writing to the repository", async () => {
    const { repo, dataDir, service } = setup();
    const before = snapshotTree(repo);
    const ranked = await service.relevantFiles({ repoPath: repo, task: 'The invoice total is not rounded to cents', limit: 3 });
    expect(ranked[0]!.path).toBe('src/billing/invoice.ts');
    expect(ranked.map((r) => r.path)).toContain('src/billing/money.ts');
    expect(existsSync(indexFileFor(dataDir, realpathSync(repo)))).toBe(true);
    expect(snapshotTree(repo)).toEqual(before);
  });

  it('updates incrementally from file hashes, and sees uncommitted and untracked files', async () => {
    const { repo, service } = setup();
    expect(await service.update(repo)).toMatchObject({ added: 4, updated: 0, unchanged: 0 });
    expect(await service.update(repo)).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 4 });
    // A working-tree edit, a new untracked file and a deleted one: only those are read again.
    writeFileSync(join(repo, 'src/users/signup.ts'), 'export class SignupForm {\n  checkPasswordStrength(pw: string) { return pw.length > 12; }\n}\n');
    writeFiles(repo, { 'src/users/profile.ts': 'export function avatarUrl(id: string) { return `/avatars/${id}`; }\n' });
    rmSync(join(repo, 'README.md'));
    expect(await service.update(repo)).toMatchObject({ added: 1, updated: 1, removed: 1, unchanged: 2 });
    expect((await service.relevantFiles({ repoPath: repo, task: 'password strength check', limit: 1 }))[0]!.path).toBe('src/users/signup.ts');
    expect((await service.relevantFiles({ repoPath: repo, task: 'avatar url', limit: 1 }))[0]!.path).toBe('src/users/profile.ts');
  });

  it('learns from the repository history: files changed together with the best match come along', async () => {
    const { repo, service } = setup();
    // Other files that share the task's words, so the changelog is not among the first-stage best.
    writeFiles(repo, Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`src/checks/input${n}.ts`, `// breaks on empty input ${n}\n`])));
    gitSync(repo, ['add', '-A']);
    gitSync(repo, ['commit', '-q', '-m', 'checks']);
    // A changelog that never names the task's words, changed with invoice.ts twice.
    for (const n of [1, 2]) {
      writeFiles(repo, { 'src/billing/invoice.ts': `// revision ${n}\n`, 'CHANGELOG.md': `- ${n}\n` });
      gitSync(repo, ['add', '-A']);
      gitSync(repo, ['commit', '-q', '-m', `billing: revision ${n}`]);
    }
    writeFiles(repo, { 'src/billing/invoice.ts': 'export function computeInvoiceTotal() {}\n' });
    const ranked = await service.relevantFiles({ repoPath: repo, task: 'computeInvoiceTotal breaks on empty input', limit: 10 });
    expect(ranked[0]!.path).toBe('src/billing/invoice.ts');
    expect(ranked.find((r) => r.path === 'CHANGELOG.md')?.signals).toContain('cochange');
  });

  it('indexes a folder inside a repository with paths relative to it, its history included', async () => {
    const { repo, service } = setup();
    expect(await service.update(join(repo, 'src'))).toMatchObject({ files: 3, added: 3, commits: 1 });
    const ranked = await service.relevantFiles({ repoPath: join(repo, 'src'), task: 'invoice total rounding', limit: 2 });
    expect(ranked[0]).toMatchObject({ path: 'billing/invoice.ts', signals: expect.arrayContaining(['bm25', 'prior']) });
  });

  it('indexes a folder without git by walking and hashing it', async () => {
    const base = mkdtempSync(join(tmpdir(), 'aa-retrieval-plain-'));
    dirs.push(base);
    writeFiles(join(base, 'folder'), { 'notes/todo.md': 'Rewrite the scheduler queue\n', 'node_modules/x/index.js': 'scheduler queue' });
    const service = new RetrievalService({ dataDir: join(base, 'data'), logger: silentLogger() });
    expect(await service.update(join(base, 'folder'))).toMatchObject({ files: 1, added: 1 });
    expect((await service.relevantFiles({ repoPath: join(base, 'folder'), task: 'scheduler queue' })).map((r) => r.path)).toEqual(['notes/todo.md']);
  });
});
