import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger';
import { resolveImport } from './imports';
import { rankFiles } from './rank';
import { indexFileFor, RepoIndex, type IndexSource } from './repo-index';
import { SymbolExtractor } from './symbols';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function memorySource(files: Record<string, string>): IndexSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    files: async () => Object.entries(files).map(([path, text]) => ({ path, hash: createHash('sha256').update(text).digest('hex') })),
    read: async (path) => {
      reads.push(path);
      return files[path] ?? null;
    },
  };
}

const REPO: Record<string, string> = {
  'src/billing/invoice.ts': "import { roundCents } from './money';\nexport function computeInvoiceTotal(lines: Line[]): number {\n  return roundCents(lines.reduce((s, l) => s + l.amount, 0));\n}\nexport interface Line { amount: number }\n",
  'src/billing/money.ts': 'export function roundCents(x: number): number {\n  return Math.round(x * 100) / 100;\n}\n',
  'src/users/signup.ts': 'export class SignupForm {\n  validateEmail(email: string): boolean {\n    return email.includes("@");\n  }\n}\n',
  'test/invoice.test.ts': "import { computeInvoiceTotal } from '../src/billing/invoice';\ntest('total', () => computeInvoiceTotal([]));\n",
  'docs/guide.md': '# Guide\nHow invoices are totalled and rounded.\n',
  'tools/report.py': 'from .fmt import table\nclass Report:\n    def render(self):\n        return table()\n',
  'tools/fmt.py': 'def table():\n    return ""\n',
  'package-lock.json': '{"lockfileVersion": 3}',
};

function open(): RepoIndex {
  const dir = mkdtempSync(join(tmpdir(), 'retrieval-'));
  dirs.push(dir);
  return new RepoIndex({ file: indexFileFor(dir, '/some/repo'), logger: silentLogger() });
}

describe('RepoIndex', () => {
  it('updates incrementally from file hashes: only new or changed files are read, removed ones dropped', async () => {
    const index = open();
    try {
      const first = memorySource(REPO);
      expect(await index.update(first)).toMatchObject({ added: 7, updated: 0, removed: 0, unchanged: 0 });
      expect(first.reads).not.toContain('package-lock.json');
      const { ['docs/guide.md']: _gone, ...rest } = REPO;
      const second = memorySource({ ...rest, 'src/billing/money.ts': 'export function roundCents(x: number): number {\n  return Math.round(x);\n}\n' });
      expect(await index.update(second)).toMatchObject({ added: 0, updated: 1, removed: 1, unchanged: 5 });
      expect(second.reads).toEqual(['src/billing/money.ts']);
      expect(rankFiles(index.db, 'invoices totalled guide', { limit: 10 }).map((r) => r.path)).not.toContain('docs/guide.md');
    } finally {
      index.close();
    }
  });

  it('ranks a file that defines an identifier the task names first, and brings its importers in through the graph', async () => {
    const index = open();
    try {
      await index.update(memorySource(REPO));
      const ranked = rankFiles(index.db, 'Fix rounding in computeInvoiceTotal', { limit: 5 });
      expect(ranked[0]!.path).toBe('src/billing/invoice.ts');
      expect(ranked[0]!.signals).toContain('symbols');
      const paths = ranked.map((r) => r.path);
      expect(paths).toContain('test/invoice.test.ts');
      expect(paths).toContain('src/billing/money.ts');
    } finally {
      index.close();
    }
  });

  it('finds a file by its name in the task and by words in its path', async () => {
    const index = open();
    try {
      await index.update(memorySource(REPO));
      expect(rankFiles(index.db, 'signup.ts should reject emails without a dot', { limit: 3 })[0]!.path).toBe('src/users/signup.ts');
      expect(rankFiles(index.db, 'the users signup form', { limit: 3 })[0]!.path).toBe('src/users/signup.ts');
    } finally {
      index.close();
    }
  });

  it('keeps the index out of the repository, one file per repository key', () => {
    expect(indexFileFor('/data', '/home/me/repo')).toMatch(/^\/data\/retrieval\/[0-9a-f]{32}\.sqlite$/);
    expect(indexFileFor('/data', '/a')).not.toBe(indexFileFor('/data', '/b'));
  });
});

describe('symbols and imports', () => {
  it('parses TypeScript, TSX, JavaScript and Python with the pinned grammars', async () => {
    const x = new SymbolExtractor();
    const ts = await x.extract('a.ts', "import { b } from './b.js';\nexport interface Shape { w: number }\nexport const area = (s: Shape) => s.w;\nfunction inner() { const local = 1; return local; }\n");
    expect(ts!.definitions.map((d) => `${d.kind}:${d.name}`)).toEqual(['interface:Shape', 'variable:area', 'function:inner']);
    expect(ts!.imports).toEqual(['./b.js']);
    const tsx = await x.extract('c.tsx', 'export function Card() { return <div className="x" />; }\n');
    expect(tsx!.definitions.map((d) => d.name)).toEqual(['Card']);
    const js = await x.extract('d.js', "const fs = require('fs');\nclass Store { save() {} }\n");
    expect(js!.definitions.map((d) => d.name)).toEqual(['fs', 'Store', 'save']);
    expect(js!.imports).toEqual(['fs']);
    const py = await x.extract('e.py', 'import os.path\nfrom ..pkg import mod\nclass A:\n    def f(self): pass\n');
    expect(py!.definitions.map((d) => d.name)).toEqual(['A', 'f']);
    expect(py!.imports).toEqual(['os.path', '..pkg']);
    expect(await x.extract('f.rs', 'fn main() {}')).toBeNull();
  });

  it('resolves relative imports to repository files and ignores packages', () => {
    const paths = new Set(['src/a.ts', 'src/b/index.ts', 'src/c.tsx', 'pkg/mod.py', 'pkg/sub/x.py', 'pkg/__init__.py']);
    expect(resolveImport('src/a.ts', './b', paths)).toBe('src/b/index.ts');
    expect(resolveImport('src/b/index.ts', '../a.js', paths)).toBe('src/a.ts');
    expect(resolveImport('src/a.ts', './c', paths)).toBe('src/c.tsx');
    expect(resolveImport('src/a.ts', 'react', paths)).toBeNull();
    expect(resolveImport('src/a.ts', '../../outside', paths)).toBeNull();
    expect(resolveImport('pkg/sub/x.py', '..mod', paths)).toBe('pkg/mod.py');
    expect(resolveImport('pkg/sub/x.py', 'pkg', paths)).toBe('pkg/__init__.py');
  });
});
