import { describe, expect, it } from 'vitest';
import { matchesGlob, underEntry } from './glob';
import { applyHunks } from './hunks';
import { countLineChanges, diffCounts } from './line-diff';

describe('globs and scope entries', () => {
  it.each([
    ['src/a.ts', 'src/*.ts', true],
    ['src/x/a.ts', 'src/*.ts', false],
    ['src/x/a.ts', 'src/**/*.ts', true],
    ['src/a.ts', 'src/**/*.ts', true],
    ['a.ts', '**/*.ts', true],
    ['deep/er/a.ts', '**/*.ts', true],
    ['src/a.tsx', 'src/*.{ts,tsx}', true],
    ['src/a.js', 'src/*.{ts,tsx}', false],
    ['src/b1.ts', 'src/[ab][0-9].ts', true],
    ['src/c1.ts', 'src/[!ab]1.ts', true],
    ['src/a1.ts', 'src/[!ab]1.ts', false],
    ['src/a.ts', 'src/?.ts', true],
    ['src/.env', 'src/*', true],
    ['src.ts', 'src/**', false],
  ])('%s matches %s: %s', (path, glob, expected) => {
    expect(matchesGlob(path, glob)).toBe(expected);
  });

  it('treats a plain entry as a file or a folder and everything in it', () => {
    expect(underEntry('src/auth/login.ts', 'src/auth')).toBe(true);
    expect(underEntry('src/auth/login.ts', './src/auth/')).toBe(true);
    expect(underEntry('src/authz/x.ts', 'src/auth')).toBe(false);
    expect(underEntry('anything', '.')).toBe(true);
    expect(underEntry('SRC/Auth/x', 'src/auth', { caseInsensitive: true })).toBe(true);
    expect(underEntry('SRC/Auth/x', 'src/auth')).toBe(false);
    expect(underEntry('src/auth/deep/x.ts', 'src/*')).toBe(true);
  });
});

describe('hunks', () => {
  const text = 'a\nb\nc\nd\ne\n';
  it('applies hunks near a wrong line number and keeps the final newline', () => {
    expect(applyHunks(text, [{ oldStart: 40, lines: [' c', '-d', '+D'] }])).toEqual({ ok: true, text: 'a\nb\nc\nD\ne\n' });
  });
  it('applies several hunks in order and insertions', () => {
    const r = applyHunks(text, [
      { oldStart: 1, lines: ['-a', '+A'] },
      { oldStart: 5, lines: [' e', '+f'] },
    ]);
    expect(r).toEqual({ ok: true, text: 'A\nb\nc\nd\ne\nf\n' });
    expect(applyHunks('', [{ oldStart: 0, lines: ['+first'] }])).toEqual({ ok: true, text: 'first\n' });
  });
  it('keeps CRLF endings and tolerates trailing whitespace in context', () => {
    expect(applyHunks('x  \r\ny\r\n', [{ oldStart: 1, lines: [' x', '-y', '+z'] }])).toEqual({ ok: true, text: 'x  \r\nz\r\n' });
  });
  it('fails, naming the hunk, when old lines are absent or lines are malformed', () => {
    expect(applyHunks(text, [{ oldStart: 1, lines: ['-zzz', '+y'] }])).toMatchObject({ ok: false, message: expect.stringContaining('hunk 1 does not apply') });
    expect(applyHunks(text, [{ oldStart: 1, lines: ['*a'] }])).toMatchObject({ ok: false, message: expect.stringContaining('hunk 1') });
    expect(applyHunks(text, [{ oldStart: 1, lines: [' a'] }])).toMatchObject({ ok: false, message: expect.stringContaining('changes nothing') });
    // A second hunk may not reach back before the first.
    expect(applyHunks(text, [{ oldStart: 4, lines: ['-d'] }, { oldStart: 1, lines: ['-a'] }])).toMatchObject({ ok: false });
  });
});

describe('line counts', () => {
  it('counts like git --numstat', () => {
    expect(diffCounts(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual({ added: 1, removed: 1 });
    expect(diffCounts(['a', 'b', 'c', 'd'], ['b', 'd', 'e'])).toEqual({ added: 1, removed: 2 });
    expect(countLineChanges(null, Buffer.from('1\n2\n'))).toEqual({ added: 2, removed: 0 });
    expect(countLineChanges(Buffer.from('1\n2\n'), null)).toEqual({ added: 0, removed: 2 });
    expect(countLineChanges(Buffer.from('same'), Buffer.from('same'))).toEqual({ added: 0, removed: 0 });
    expect(countLineChanges(Buffer.from([0, 1]), Buffer.from([0, 2]))).toEqual({ added: 1, removed: 1 });
  });
  it('over-counts rather than running long on huge rewrites', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`);
    expect(diffCounts(a, b, 100)).toEqual({ added: 3000, removed: 3000 });
  });
});
