import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryCommit } from '../db/queries/retrieval';
import { silentLogger } from '../observability/logger';
import { rankFiles } from './rank';
import { RepoIndex, type IndexSource } from './repo-index';
import { scopedFiles, scopeHistoryFiles, typedFiles } from './scope-signals';
import { commitScopes, commitType, messageWords, scopeWord } from './words';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function source(files: Record<string, string>, history: HistoryCommit[]): IndexSource {
  return {
    files: async () => Object.entries(files).map(([path, text]) => ({ path, hash: createHash('sha256').update(text).digest('hex') })),
    read: async (path) => files[path] ?? null,
    history: async () => history,
  };
}

function open(): RepoIndex {
  const dir = mkdtempSync(join(tmpdir(), 'retrieval-scope-'));
  dirs.push(dir);
  return new RepoIndex({ file: join(dir, 'index.sqlite'), logger: silentLogger() });
}

describe('conventional-commit headers', () => {
  it('reads the scopes and the type of the first line only', () => {
    expect(commitScopes('feat(tools): a server sees its files')).toEqual(['tools']);
    expect(commitScopes('fix(api, cli)!: refuse a bad name\nbody (not) here')).toEqual(['api', 'cli']);
    expect(commitScopes('refactor(governance-steps): one helper')).toEqual(['governancesteps']);
    expect(commitScopes('Fix the tools (again): nothing')).toEqual([]);
    expect(commitScopes('fix: no scope')).toEqual([]);
    expect(commitScopes('plain text\nfeat(tools): not the first line')).toEqual([]);
    expect(commitType('docs(readme): new screenshot')).toBe('docs');
    expect(commitType('test: longer timeout')).toBe('test');
    expect(commitType('Update the docs')).toBeNull();
  });

  it('gives a commit message one history word per scope, which no other message says', () => {
    expect(messageWords('feat(tools): the sandbox').split(' ')).toContain(scopeWord('tools'));
    expect(messageWords('the tools and the sandbox').split(' ')).not.toContain(scopeWord('tools'));
  });
});

describe('scope lists', () => {
  const candidates = ['src/core/tools/service.ts', 'docs/guide.md', 'src/cli/commands/tools.ts', 'src/core/sandbox/policy.ts', 'test/tools-list.test.ts', 'README.md'];

  it('keeps the candidates in a folder or file named after the scope, in their order', () => {
    expect(scopedFiles(candidates, ['tools'])).toEqual(['src/core/tools/service.ts', 'src/cli/commands/tools.ts']);
    expect(scopedFiles(candidates, [])).toEqual([]);
  });

  it('keeps the documentation for a docs commit and the tests for a test commit, nothing for other types', () => {
    expect(typedFiles(candidates, 'docs')).toEqual(['docs/guide.md', 'README.md']);
    expect(typedFiles(candidates, 'test')).toEqual(['test/tools-list.test.ts']);
    expect(typedFiles(candidates, 'feat')).toEqual([]);
    expect(typedFiles(candidates, null)).toEqual([]);
  });

  it('finds the files past commits of the same scope changed, and ranks them for a task of that scope', async () => {
    const files = {
      'src/metrics/collect.ts': 'export function collect() { return 1; }\n',
      'src/ui/ModelRow.tsx': 'export function ModelRow() { return null; }\n',
      'src/server/index.ts': 'export const routes = [];\n',
      'src/queue/wait.ts': 'export function waitTime() { return 0; }\n',
      'src/queue/limits.ts': 'export const limits = {};\n',
    };
    const history: HistoryCommit[] = [
      { sha: 'a'.repeat(40), message: 'fix(queue): the measured wait in line', files: ['src/queue/wait.ts', 'src/queue/limits.ts'] },
      { sha: 'b'.repeat(40), message: 'feat(metrics): generation speed per model', files: ['src/metrics/collect.ts', 'src/ui/ModelRow.tsx', 'src/server/index.ts'] },
    ];
    const index = open();
    try {
      await index.update(source(files, history));
      expect(scopeHistoryFiles(index.db, ['metrics']).sort()).toEqual(['src/metrics/collect.ts', 'src/server/index.ts', 'src/ui/ModelRow.tsx']);
      expect(scopeHistoryFiles(index.db, ['queue']).sort()).toEqual(['src/queue/limits.ts', 'src/queue/wait.ts']);
      // The task's words are the queue commit's; its scope is the metrics commits'.
      const task = 'feat(metrics): show the measured wait in line';
      const ranked = rankFiles(index.db, task, { limit: 5 });
      const at = (list: typeof ranked, path: string) => list.findIndex((r) => r.path === path);
      expect(ranked.find((r) => r.path === 'src/ui/ModelRow.tsx')!.signals).toContain('scope-history');
      for (const p of ['src/ui/ModelRow.tsx', 'src/server/index.ts']) expect(at(ranked, p)).toBeLessThan(at(ranked, 'src/queue/limits.ts'));
      // Without the scope's history, the queue's other file (its commit said the task's words) comes first.
      const unscoped = rankFiles(index.db, task, { limit: 5, weights: { scopeHistory: 0 } });
      expect(at(unscoped, 'src/queue/limits.ts')).toBeLessThan(at(unscoped, 'src/ui/ModelRow.tsx'));
    } finally {
      index.close();
    }
  });
});
