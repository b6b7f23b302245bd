import { mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApplyResult } from './applier';
import { sha256 } from './hash';
import { defaultStrategy, type SafeFsStrategy } from './safe-fs';
import { snapshotTree, treeFixture, type TreeFixture } from './testing/tree-fixture';

const strategies: SafeFsStrategy[] = defaultStrategy() === 'procfd' ? ['procfd', 'verify'] : ['verify'];

function ruleOf(result: ApplyResult): string {
  if (result.ok) return 'applied';
  return result.kind === 'blocked' ? result.violations.map((v) => v.rule).join(',') : result.kind;
}

describe.each(strategies)('hostile paths (%s)', (strategy) => {
  let fx: TreeFixture;
  let before: { ws: Record<string, string>; outside: Record<string, string> };

  beforeEach(() => {
    fx = treeFixture(strategy);
    fx.write('src/app.ts', 'export const x = 1;\n');
    fx.write('README.md', '# readme\n');
    fx.write('.git/config', '[core]\n\tbare = false\n');
    fx.write('.git/HEAD', 'ref: refs/heads/main\n');
    mkdirSync(join(fx.ws, 'docs'));
    before = { ws: snapshotTree(fx.ws), outside: snapshotTree(fx.outside) };
  });
  afterEach(() => fx.cleanup());

  const unchanged = () => {
    expect(snapshotTree(fx.outside)).toEqual(before.outside);
    expect(readFileSync(fx.secret, 'utf8')).toBe('do not touch\n');
  };
  const write = (path: string, content = 'pwned\n') => ({ edits: [{ op: 'write', path, content, expectedSha256: null }] });

  it.each([
    ['../outside/x.txt', 'path.traversal'],
    ['src/../../outside/x.txt', 'path.traversal'],
    ['..', 'path.traversal'],
    ['/etc/passwd', 'path.absolute'],
    ['~/.bashrc', 'path.absolute'],
    ['C:\\Windows\\x', 'path.absolute'],
    ['src\\..\\..\\x', 'path.unsafe-character'],
    ['src/a\u0000.ts', 'path.unsafe-character'],
    ['.git/config', 'path.git-internal'],
    ['.GIT/config', 'path.git-internal'],
    ['.Git/hooks/pre-commit', 'path.git-internal'],
    ['.git./config', 'path.git-internal'],
    ['git~1/config', 'path.git-internal'],
    ['vendor/lib/.git/config', 'path.git-internal'],
    ['\uff0e\uff47\uff49\uff54/config', 'path.git-internal'], // fullwidth ．ｇｉｔ
    ['.g\u200cit/config', 'path.unicode'], // zero-width non-joiner: HFS+ ignores it
    ['.git\ufeff/config', 'path.unicode'],
    ['src/\u202etxt.exe', 'path.unicode'], // right-to-left override
    ['src/cafe\u0301.ts', 'path.unicode'], // decomposed é: not NFC
    ['src\uff0fx.ts', 'path.unicode'], // fullwidth solidus
    ['src\u2215x.ts', 'path.unicode'], // division slash
    ['\u2024\u2024/outside/x.txt', 'path.unicode'], // one-dot leaders, NFKC ".."
    [`src/${'a'.repeat(300)}.ts`, 'path.too-long'],
    [`src/${'é'.repeat(130)}.ts`, 'path.too-long'], // 260 bytes in UTF-8
    [Array.from({ length: 60 }, () => 'd').join('/'), 'path.too-long'],
    [Array.from({ length: 200 }, () => 'dirname').join('/'), 'path.too-long'],
    ['src/con.ts', 'path.reserved-name'],
    ['src/a:b.ts', 'path.unsafe-character'],
    ['src/trailing.', 'path.unsafe-character'],
    ['src/', 'path.not-a-file'],
    ['', 'path.empty'],
  ])('blocks %j (%s) and writes nothing', async (path, rule) => {
    const applier = await fx.applier();
    const result = await applier.apply(write(path));
    expect(ruleOf(result)).toBe(rule);
    if (!result.ok && result.kind === 'blocked') expect(result.message).toContain(rule);
    expect(snapshotTree(fx.ws)).toEqual(before.ws);
    unchanged();
  });

  it('blocks a rename whose target leaves the workspace, and a delete of .git internals', async () => {
    const applier = await fx.applier();
    const hash = sha256(fx.read('README.md'));
    expect(ruleOf(await applier.apply({ edits: [{ op: 'rename', path: 'README.md', to: '../outside/README.md', expectedSha256: hash }] }))).toBe('path.traversal');
    expect(ruleOf(await applier.apply({ edits: [{ op: 'delete', path: '.git/HEAD', expectedSha256: sha256(fx.read('.git/HEAD')) }] }))).toBe('path.git-internal');
    expect(snapshotTree(fx.ws)).toEqual(before.ws);
    unchanged();
  });

  it('blocks one hostile edit and applies none of the others in the same changeset', async () => {
    const applier = await fx.applier();
    const result = await applier.apply({
      edits: [
        { op: 'write', path: 'src/fine.ts', content: 'ok', expectedSha256: null },
        { op: 'write', path: '../outside/evil.txt', content: 'x', expectedSha256: null },
      ],
    });
    expect(ruleOf(result)).toBe('path.traversal');
    expect(existsSync(join(fx.ws, 'src/fine.ts'))).toBe(false);
    unchanged();
  });

  it('blocks writing through a folder link that points outside', async () => {
    symlinkSync(fx.outside, join(fx.ws, 'linked'));
    symlinkSync('../outside', join(fx.ws, 'src', 'rel-linked'));
    const applier = await fx.applier();
    expect(ruleOf(await applier.apply(write('linked/x.txt')))).toBe('path.symlink');
    expect(ruleOf(await applier.apply(write('src/rel-linked/x.txt')))).toBe('path.symlink');
    expect(ruleOf(await applier.apply(write('linked/secret.txt')))).toBe('path.symlink');
    unchanged();
  });

  it('blocks writing, patching, deleting or renaming a file link that points outside', async () => {
    symlinkSync(fx.secret, join(fx.ws, 'src', 'evil.txt'));
    const applier = await fx.applier();
    const secretHash = sha256(readFileSync(fx.secret));
    const attempts = [
      { op: 'write', path: 'src/evil.txt', content: 'pwned', expectedSha256: secretHash },
      { op: 'write', path: 'src/evil.txt', content: 'pwned', expectedSha256: null },
      { op: 'patch', path: 'src/evil.txt', expectedSha256: secretHash, hunks: [{ oldStart: 1, lines: ['-do not touch', '+pwned'] }] },
      { op: 'delete', path: 'src/evil.txt', expectedSha256: secretHash },
      { op: 'rename', path: 'src/evil.txt', to: 'src/moved.txt', expectedSha256: secretHash },
    ];
    for (const edit of attempts) expect(ruleOf(await applier.apply({ edits: [edit] }))).toBe('path.symlink');
    unchanged();
  });

  it('blocks a new name that differs from an existing one only by case or Unicode form', async () => {
    mkdirSync(join(fx.ws, 'Lib'));
    writeFileSync(join(fx.ws, 'docs', 'caf\u00e9.md'), 'x');
    const applier = await fx.applier();
    expect(ruleOf(await applier.apply(write('readme.md')))).toBe('path.case-collision');
    expect(ruleOf(await applier.apply(write('lib/x.ts')))).toBe('path.case-collision');
    expect(ruleOf(await applier.apply(write('SRC/app.ts')))).toBe('path.case-collision');
    expect(ruleOf(await applier.apply(write('docs/CAF\u00c9.md')))).toBe('path.case-collision');
    unchanged();
  });

  it('lets ordinary Unicode names through', async () => {
    const applier = await fx.applier();
    const result = await applier.apply(write('docs/caf\u00e9-\u65e5\u672c.md', 'bonjour\n'));
    expect(ruleOf(result)).toBe('applied');
    expect(readFileSync(join(fx.ws, 'docs', 'caf\u00e9-\u65e5\u672c.md'), 'utf8')).toBe('bonjour\n');
  });

  it('withdraws a write when a folder is swapped for a link to outside between check and write', async () => {
    mkdirSync(join(fx.ws, 'pkg'));
    writeFileSync(join(fx.ws, 'pkg', 'old.txt'), 'old\n');
    const swap = () => {
      renameSync(join(fx.ws, 'pkg'), join(fx.ws, 'pkg-real'));
      symlinkSync(fx.outside, join(fx.ws, 'pkg'));
    };
    const applier = await fx.applier({ hooks: { afterValidate: swap } });
    const result = await applier.apply({
      edits: [
        { op: 'write', path: 'src/app.ts', content: 'changed\n', expectedSha256: sha256('export const x = 1;\n') },
        { op: 'write', path: 'pkg/new.txt', content: 'pwned\n', expectedSha256: null },
        { op: 'write', path: 'pkg/old.txt', content: 'pwned\n', expectedSha256: sha256('old\n') },
      ],
    });
    expect(result.ok).toBe(false);
    expect(['path.symlink', 'conflict']).toContain(ruleOf(result));
    unchanged();
    expect(readdirSync(fx.outside)).toEqual(['secret.txt']);
    expect(readFileSync(join(fx.ws, 'pkg-real', 'old.txt'), 'utf8')).toBe('old\n');
    expect(existsSync(join(fx.ws, 'pkg-real', 'new.txt'))).toBe(false);
    // The edit applied before the swap was undone.
    expect(fx.read('src/app.ts').toString()).toBe('export const x = 1;\n');
  });

  it('withdraws a write when the folder is swapped at the last instant, after it was opened', async () => {
    mkdirSync(join(fx.ws, 'pkg'));
    let swapped = false;
    const applier = await fx.applier({
      fsHooks: {
        beforeEntryChange: (rel) => {
          if (rel !== 'pkg/new.txt' || swapped) return;
          swapped = true;
          renameSync(join(fx.ws, 'pkg'), join(fx.ws, 'pkg-real'));
          symlinkSync(fx.outside, join(fx.ws, 'pkg'));
        },
      },
    });
    const result = await applier.apply(write('pkg/new.txt'));
    expect(swapped).toBe(true);
    expect(ruleOf(result)).toBe('conflict');
    unchanged();
    expect(readdirSync(fx.outside)).toEqual(['secret.txt']);
    expect(readdirSync(join(fx.ws, 'pkg-real'))).toEqual([]);
  });

  it('never writes through a file swapped for a link to outside at the last instant', async () => {
    const applier = await fx.applier({
      fsHooks: {
        beforeEntryChange: (rel) => {
          if (rel !== 'README.md') return;
          unlinkSync(join(fx.ws, 'README.md'));
          symlinkSync(fx.secret, join(fx.ws, 'README.md'));
        },
      },
    });
    const result = await applier.apply({ edits: [{ op: 'write', path: 'README.md', content: 'pwned\n', expectedSha256: sha256('# readme\n') }] });
    expect(ruleOf(result)).toBe('conflict');
    unchanged();
  });
});
