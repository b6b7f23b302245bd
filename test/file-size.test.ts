import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFileSize } from './file-size';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx|mts)$/.test(d.name) ? [p] : [];
  });
}

const lines = (n: number, top = '') => `${top}${'const x = 1;\n'.repeat(n - (top ? top.split('\n').length - 1 : 0))}`;

describe('small files with one purpose', () => {
  it('every source file over 400 lines (test file over 600) says why at its top', () => {
    const root = join(import.meta.dirname, '..');
    const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'test'))];
    expect(files.length).toBeGreaterThan(20);
    const problems = files.flatMap((f) => checkFileSize(relative(root, f), readFileSync(f, 'utf8')));
    expect(problems).toEqual([]);
  });

  it('catches a long file without a reason, and counts a test file against its own limit', () => {
    expect(checkFileSize('src/main/core/x.ts', lines(401)).join('\n')).toMatch(/x.ts: 401 lines \(over 400\) without a reason/);
    expect(checkFileSize('src/main/core/x.test.ts', lines(601)).join('\n')).toMatch(/601 lines \(over 600\)/);
    // A comment that only says "on purpose" somewhere below the top does not count.
    expect(checkFileSize('src/main/core/x.ts', `${lines(30)}// Over 400 lines on purpose: shared state.\n${lines(400)}`)).toHaveLength(1);
  });

  it('lets short files through, and long ones that say why', () => {
    expect(checkFileSize('src/main/core/x.ts', lines(400))).toEqual([]);
    expect(checkFileSize('src/main/core/x.test.ts', lines(600))).toEqual([]);
    expect(checkFileSize('src/main/core/x.ts', lines(450, '// Over 400 lines on purpose: the queue and its timers share state.\n'))).toEqual([]);
    expect(checkFileSize('src/cli/x.test.ts', lines(700, "import { x } from 'y';\n\n/**\n * A long test, on purpose: every case starts real processes.\n */\n"))).toEqual([]);
  });
});
