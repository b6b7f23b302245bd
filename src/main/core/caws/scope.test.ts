import { describe, expect, it } from 'vitest';
import { classifyPath, globToRegExp, normalizePath } from './scope';

const scope = { in: ['src/signup/', 'src/*.ts', 'docs/**/*.md', 'lib/{a,b}.js'], out: ['src/signup/legacy'], support: ['test/'] };

describe('scope boundary', () => {
  it.each([
    ['src/signup/form.ts', true, 'in'],
    ['src/signup', true, 'in'],
    ['./src/signup/deep/x.ts', true, 'in'],
    ['src/main.ts', true, 'in'],
    ['src/other/main.ts', false, 'outside'],
    ['docs/guide/a/b.md', true, 'in'],
    ['docs/readme.md', true, 'in'],
    ['lib/a.js', true, 'in'],
    ['lib/c.js', false, 'outside'],
    ['test/signup.test.ts', true, 'support'],
    ['src/signup/legacy/old.ts', false, 'excluded'],
    ['src/signupx/form.ts', false, 'outside'],
    ['src/signup/../../etc/passwd', false, 'outside'],
    ['../outside.ts', false, 'outside'],
  ])('%s → in scope %s (%s)', (path, inScope, how) => {
    const v = classifyPath(scope, path);
    expect(v.inScope).toBe(inScope);
    expect(v.inScope ? v.matchedBy : v.reason).toBe(how);
  });

  it('normalizes paths without letting .. climb out', () => {
    expect(normalizePath('a/./b//c/../d')).toBe('a/b/d');
    expect(normalizePath('a\\b')).toBe('a/b');
    expect(normalizePath('../x')).not.toMatch(/^x$/);
  });

  it('matches globs the usual way', () => {
    expect(globToRegExp('src/**/*.ts').test('src/a/b/c.ts')).toBe(true);
    expect(globToRegExp('src/**/*.ts').test('src/c.ts')).toBe(true);
    expect(globToRegExp('src/*.ts').test('src/a/c.ts')).toBe(false);
    expect(globToRegExp('a?.js').test('ab.js')).toBe(true);
    expect(globToRegExp('[ab].js').test('c.js')).toBe(false);
  });
});
