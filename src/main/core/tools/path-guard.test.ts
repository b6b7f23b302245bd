import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { pathArguments, toolAccess, withCheckedPaths } from './path-args';
import { workspacePathGuard } from './path-guard';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function fixture() {
  const t = tempDir('aa-guard-');
  cleanups.push(t.cleanup);
  const ws = join(t.dir, 'ws');
  mkdirSync(join(ws, 'src'), { recursive: true });
  mkdirSync(join(ws, '.git'), { recursive: true });
  mkdirSync(join(t.dir, 'elsewhere'));
  writeFileSync(join(ws, 'src', 'a.ts'), '');
  symlinkSync(join(t.dir, 'elsewhere'), join(ws, 'src', 'out'));
  return { root: t.dir, ws };
}

describe('workspacePathGuard', () => {
  it('accepts paths inside the workspace and returns the real absolute path to send', async () => {
    const { ws } = fixture();
    const check = workspacePathGuard({ workspaceRoot: () => ws });
    expect(await check('t', 'src/a.ts', 'read')).toMatchObject({ ok: true, path: join(ws, 'src', 'a.ts') });
    expect(await check('t', join(ws, 'src', 'new', 'b.ts'), 'write')).toMatchObject({ ok: true, path: join(ws, 'src', 'new', 'b.ts') });
    expect(await check('t', './src//a.ts', 'write')).toMatchObject({ ok: true });
    expect(await check('t', ws, 'read')).toMatchObject({ ok: true, path: ws });
  });

  it('refuses what leaves the workspace or touches what only git may change', async () => {
    const { ws, root } = fixture();
    const check = workspacePathGuard({ workspaceRoot: () => ws });
    for (const p of ['../elsewhere/x', join(root, 'elsewhere', 'x'), 'src/out/x', 'src/../../elsewhere/x', '~/x', 'https://example.test/x', 'a\0b']) {
      expect(await check('t', p, 'write'), p).toMatchObject({ ok: false });
    }
    expect(await check('t', '.git/config', 'write')).toMatchObject({ ok: false, reason: expect.stringContaining('.git') });
    expect(await check('t', ws, 'write')).toMatchObject({ ok: false });
    expect(await workspacePathGuard({ workspaceRoot: () => null })('t', 'src/a.ts', 'read')).toMatchObject({ ok: false, reason: expect.stringContaining('no workspace') });
  });

  it('applies the task’s scope and allow-list to writes only', async () => {
    const { ws } = fixture();
    const check = workspacePathGuard({ workspaceRoot: () => ws, writePolicy: () => ({ scope: { in: ['src'] }, allow: ['src/**'], deny: ['src/secrets'] }) });
    expect(await check('t', 'src/a.ts', 'write')).toMatchObject({ ok: true });
    expect(await check('t', 'README.md', 'write')).toMatchObject({ ok: false, reason: expect.stringContaining('scope') });
    expect(await check('t', 'README.md', 'read')).toMatchObject({ ok: true });
    expect(await check('t', 'src/secrets/key.pem', 'write')).toMatchObject({ ok: false, reason: expect.stringContaining('deny-list') });
  });
});

describe('path arguments', () => {
  it('finds paths by key (any case style, nested, in arrays), by schema description, and file:// anywhere', () => {
    const tool = {
      name: 'custom',
      inputSchema: { type: 'object' as const, properties: { target: { type: 'string', description: 'The file to patch' }, query: { type: 'string', description: 'text to find' } } },
    };
    const found = pathArguments(
      {
        filePath: 'a',
        target_dir: 'b',
        paths: ['c', 'd'],
        edits: [{ path: 'e', newText: 'not a path' }],
        target: 'f',
        query: 'g',
        note: 'file:///etc/passwd',
        content: '/looks/like/a/path but is content',
      },
      tool,
    );
    expect(found.map((f) => [f.key, f.value])).toEqual([
      ['filePath', 'a'],
      ['target_dir', 'b'],
      ['paths[0]', 'c'],
      ['paths[1]', 'd'],
      ['edits[0].path', 'e'],
      ['target', 'f'],
      ['note', 'file:///etc/passwd'],
    ]);
    const replaced = withCheckedPaths({ edits: [{ path: 'e' }], paths: ['c'] }, [
      { pointer: ['edits', 0, 'path'], path: '/ws/e' },
      { pointer: ['paths', 0], path: '/ws/c' },
    ]);
    expect(replaced).toEqual({ edits: [{ path: '/ws/e' }], paths: ['/ws/c'] });
  });

  it('treats a tool as a reader only when its server or its verb says so', () => {
    expect(toolAccess({ name: 'write_file', annotations: { readOnlyHint: true } })).toBe('read');
    expect(toolAccess({ name: 'read_file', annotations: { readOnlyHint: false } })).toBe('write');
    expect(toolAccess({ name: 'list_directory' })).toBe('read');
    expect(toolAccess({ name: 'getWeather' })).toBe('read');
    expect(toolAccess({ name: 'readme_update' })).toBe('write');
    expect(toolAccess({ name: 'run_command' })).toBe('write');
  });
});
