import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { realpath, stat } from 'node:fs/promises';
import { replaceStrings, snapshotArguments } from './argument-snapshot';
import { pathArguments, toolAccess } from './path-args';
import { workspacePathGuard, type GuardFileSystem } from './path-guard';
import type { PathPolicy } from '../workspace/policy';

const OPEN: PathPolicy = { scope: { in: ['.'] }, allow: ['**'] };
const frozen = (args: unknown) => {
  const s = snapshotArguments(args);
  if (!s.ok) throw new Error(`${s.at} ${s.reason}`);
  return s.args;
};

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
    const check = workspacePathGuard({ workspaceRoot: () => ws, writePolicy: () => OPEN });
    expect(await check('t', 'src/a.ts', 'read')).toMatchObject({ ok: true, path: join(ws, 'src', 'a.ts') });
    expect(await check('t', join(ws, 'src', 'new', 'b.ts'), 'write')).toMatchObject({ ok: true, path: join(ws, 'src', 'new', 'b.ts') });
    expect(await check('t', './src//a.ts', 'write')).toMatchObject({ ok: true });
    expect(await check('t', ws, 'read')).toMatchObject({ ok: true, path: ws });
  });

  it('refuses what leaves the workspace or touches what only git may change', async () => {
    const { ws, root } = fixture();
    const check = workspacePathGuard({ workspaceRoot: () => ws, writePolicy: () => OPEN });
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

describe('workspacePathGuard: reads, the data folder and case-insensitive disks', () => {
  it('refuses a write when the task has no policy (no spec yet, or none wired): nothing fails open', async () => {
    const { ws } = fixture();
    expect(await workspacePathGuard({ workspaceRoot: () => ws })('t', 'src/a.ts', 'write')).toMatchObject({ ok: false, reason: expect.stringContaining('no working spec') });
    expect(await workspacePathGuard({ workspaceRoot: () => ws, writePolicy: () => undefined })('t', 'src/a.ts', 'write')).toMatchObject({ ok: false });
    const throwing = workspacePathGuard({ workspaceRoot: () => ws, writePolicy: () => Promise.reject(new Error('bad spec')) });
    expect(await throwing('t', 'src/a.ts', 'read')).toMatchObject({ ok: false, reason: expect.stringContaining('bad spec') });
  });

  it('keeps reads out of the deny-list and scope.out, whatever their case', async () => {
    const { ws } = fixture();
    const policy: PathPolicy = { scope: { in: ['src'], out: ['src/generated'] }, allow: ['**'], deny: ['secrets'] };
    const check = workspacePathGuard({ workspaceRoot: () => ws, writePolicy: () => policy });
    expect(await check('t', 'secrets/key.pem', 'read')).toMatchObject({ ok: false, reason: expect.stringContaining('deny-list') });
    expect(await check('t', 'SECRETS/key.pem', 'read')).toMatchObject({ ok: false, reason: expect.stringContaining('deny-list') });
    expect(await check('t', 'src/Generated/x.ts', 'read')).toMatchObject({ ok: false, reason: expect.stringContaining('scope.out') });
    expect(await check('t', 'README.md', 'read')).toMatchObject({ ok: true });
  });

  it('never reaches the data folder, even by a second name, except the task’s own workspace inside it', async () => {
    const t = tempDir('aa-guard-data-');
    cleanups.push(t.cleanup);
    const data = join(t.dir, 'data');
    const ws = join(data, 'workspaces', 't1');
    mkdirSync(join(ws, 'src'), { recursive: true });
    writeFileSync(join(data, 'agent-agency.db'), 'db');
    mkdirSync(join(data, 'keys'));
    symlinkSync(data, join(t.dir, 'alias'));
    const check = workspacePathGuard({ workspaceRoot: () => ws, writePolicy: () => OPEN, dataDir: data });
    expect(await check('t', 'src/new.ts', 'write')).toMatchObject({ ok: true, path: join(ws, 'src', 'new.ts') });
    for (const p of [join(data, 'agent-agency.db'), '../../agent-agency.db', join(t.dir, 'alias', 'keys', 'signing.key'), '../t2/src/x.ts']) {
      expect(await check('t', p, 'read'), p).toMatchObject({ ok: false });
    }
    // A workspace that holds the data folder (a copy of a folder above it) still cannot reach it.
    const wide = workspacePathGuard({ workspaceRoot: () => t.dir, writePolicy: () => OPEN, dataDir: data });
    expect(await wide('t', 'data/agent-agency.db', 'read')).toMatchObject({ ok: false, reason: expect.stringContaining('data folder') });
    expect(await wide('t', 'alias/keys/k', 'read')).toMatchObject({ ok: false, reason: expect.stringContaining('data folder') });
    expect(await wide('t', 'other.txt', 'write')).toMatchObject({ ok: true });
  });

  it('on a case-insensitive disk, knows a folder by what it is, not how it is spelled', async () => {
    const t = tempDir('aa-guard-ci-');
    cleanups.push(t.cleanup);
    const base = await realpath(t.dir);
    const ws = join(base, 'ws');
    const data = join(base, 'data');
    mkdirSync(join(ws, 'secrets'), { recursive: true });
    mkdirSync(data);
    writeFileSync(join(ws, 'hello.txt'), 'hi');
    // A disk like APFS or NTFS seen through a realpath that keeps the caller's spelling (as on Linux over vfat or ciopfs).
    const fold = (p: string) => (p.toLowerCase().startsWith(base.toLowerCase()) ? base + p.slice(base.length).toLowerCase() : p);
    const fileSystem: GuardFileSystem = {
      realpath: async (p) => {
        await realpath(fold(p));
        return p;
      },
      stat: (p) => stat(fold(p)),
    };
    const policy: PathPolicy = { scope: { in: ['src'] }, allow: ['**'], deny: ['secrets'] };
    const check = workspacePathGuard({ workspaceRoot: () => ws, writePolicy: () => policy, dataDir: data, fileSystem });
    expect(await check('t', join(base, 'WS', 'hello.txt'), 'read')).toMatchObject({ ok: true });
    expect(await check('t', join(base, 'WS', 'Secrets', 'key'), 'read')).toMatchObject({ ok: false, reason: expect.stringContaining('deny-list') });
    expect(await check('t', join(base, 'Ws', '.GIT', 'config'), 'write')).toMatchObject({ ok: false, reason: expect.stringContaining('.git') });
    expect(await check('t', join(base, 'DATA', 'agent-agency.db'), 'read')).toMatchObject({ ok: false });
    expect(await check('t', join(base, 'WS', 'SRC', 'a.ts'), 'write')).toMatchObject({ ok: false, reason: expect.stringContaining('scope') });
  });
});

describe('argument snapshot', () => {
  it('copies plain JSON into a frozen object the caller can no longer change', () => {
    const input = { paths: ['a', 'b'], nested: { path: 'c' } };
    const s = snapshotArguments(input);
    if (!s.ok) throw new Error('expected a snapshot');
    input.paths[1] = '/etc/passwd';
    input.nested.path = '/etc/shadow';
    expect(s.args).toEqual({ paths: ['a', 'b'], nested: { path: 'c' } });
    expect(Object.isFrozen(s.args) && Object.isFrozen(s.args['paths']) && Object.isFrozen(s.args['nested'])).toBe(true);
    const proto = snapshotArguments(JSON.parse('{"__proto__": {"path": "/x"}}'));
    expect(proto.ok && Object.keys(proto.args)).toEqual(['__proto__']);
  });

  it('refuses, never cuts: too deep, too many, too large, getters, proxies, cycles, non-JSON', () => {
    const limits = { maxBytes: 1_000, maxDepth: 4, maxValues: 50, maxPaths: 10 };
    let deep: unknown = 'x';
    for (let i = 0; i < 5; i++) deep = { path: deep };
    expect(snapshotArguments(deep, limits)).toMatchObject({ ok: false, reason: expect.stringContaining('deeper than 4') });
    expect(snapshotArguments({ paths: Array.from({ length: 60 }, () => 'a') }, limits)).toMatchObject({ ok: false, reason: expect.stringContaining('more than 50') });
    expect(snapshotArguments({ content: 'x'.repeat(2_000) }, limits)).toMatchObject({ ok: false, reason: expect.stringContaining('larger than') });
    let reads = 0;
    const sly = { get path() {
      return reads++ === 0 ? 'inside.txt' : '/etc/passwd';
    } };
    expect(snapshotArguments(sly)).toMatchObject({ ok: false, at: 'path', reason: expect.stringContaining('getter') });
    expect(snapshotArguments({ path: new Proxy({}, {}) })).toMatchObject({ ok: false, reason: expect.stringContaining('proxy') });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(snapshotArguments(cyclic)).toMatchObject({ ok: false, reason: expect.stringContaining('itself') });
    expect(snapshotArguments({ n: 1n })).toMatchObject({ ok: false, at: 'n' });
    expect(snapshotArguments({ d: new Date() })).toMatchObject({ ok: false, reason: expect.stringContaining('plain object') });
    // eslint-disable-next-line no-sparse-arrays
    expect(snapshotArguments({ paths: ['a', , 'b'] })).toMatchObject({ ok: false, reason: expect.stringContaining('sparse') });
  });

  it('finds a path at any depth the snapshot allows and in every element of a long array', () => {
    let nested: unknown = { path: '/outside/deep' };
    for (let i = 0; i < 9; i++) nested = { level: nested };
    const found = pathArguments(frozen({ nested, paths: [...Array.from({ length: 1_000 }, () => 'in.txt'), '/outside/last'] }));
    expect(found.map((f) => f.value)).toContain('/outside/deep');
    expect(found.at(-1)).toMatchObject({ key: 'paths[1000]', value: '/outside/last' });
    expect(found).toHaveLength(1_002);
  });
});

describe('path arguments', () => {
  it('finds paths by key (any case style, nested, in arrays), by schema description, and file:// anywhere', () => {
    const tool = {
      name: 'custom',
      inputSchema: { type: 'object' as const, properties: { target: { type: 'string', description: 'The file to patch' }, query: { type: 'string', description: 'text to find' } } },
    };
    const found = pathArguments(
      frozen({
        filePath: 'a',
        target_dir: 'b',
        paths: ['c', 'd'],
        edits: [{ path: 'e', newText: 'not a path' }],
        target: 'f',
        query: 'g',
        note: 'file:///etc/passwd',
        content: '/looks/like/a/path but is content',
      }),
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
    const replaced = replaceStrings(frozen({ edits: [{ path: 'e' }], paths: ['c'] }), [
      { pointer: ['edits', 0, 'path'], value: '/ws/e' },
      { pointer: ['paths', 0], value: '/ws/c' },
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
