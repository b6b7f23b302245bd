import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { FILESYSTEM_SERVER, PROJECT_NODE, workspaceFixture } from '../../core/tools/testing/fixtures';
import { startHeadlessHost, type HeadlessHost } from '../host';
import { API_PREFIX } from './routes';

/** Tool servers configured and a folder-scoped call made over the REST API of a real headless host. */

let core: ReturnType<typeof testCore>;
let host: HeadlessHost;
let root: ReturnType<typeof tempDir>;
let ws: string;
let outside: string;

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${host.url}${API_PREFIX}${path}`, {
    method,
    headers: { authorization: `Bearer ${host.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  root = tempDir('aa-tools-rest-');
  ({ ws, outside } = workspaceFixture(root.dir));
  const renderer = join(root.dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Agent Agency</title>');
  core = testCore({ scheduler: { autoStart: false } });
  host = await startHeadlessHost({ core, rendererDir: renderer, port: 0, api: { rateLimit: false } });
}, 30_000);

afterAll(async () => {
  host.app.server.closeAllConnections();
  await host.close();
  await core.tools.close();
  core.cleanup();
  root.cleanup();
});

describe('REST: tool servers and folder-scoped calls', () => {
  it('adds, lists and removes a server, and refuses a call that leaves the folder, naming the argument', async () => {
    const config = { name: 'fs', enabled: true, transport: { kind: 'stdio', command: PROJECT_NODE, args: [FILESYSTEM_SERVER, root.dir], env: {} } };
    expect((await call('POST', '/tools/servers', { config })).status).toBe(201);
    const listed = await fetch(`${host.url}${API_PREFIX}/tools/servers`, { headers: { authorization: `Bearer ${host.token}` } });
    const servers = (await listed.json()) as unknown;
    expect(servers).toEqual({ ok: true, value: [expect.objectContaining({ name: "fs", transport: "stdio" })] });

    const actor = { who: 'rest-test', via: 'api' };
    const ok = await call('POST', '/tools/call', { tool: 'fs.read_text_file', workspace: ws, arguments: { path: 'hello.txt' }, approve: true, actor });
    expect(ok).toMatchObject({ status: 200, body: { ok: true, value: { status: 'ok', text: expect.stringContaining('hello from the workspace') } } });
    const refused = await call('POST', '/tools/call', { tool: 'fs.read_multiple_files', workspace: ws, arguments: { paths: ['hello.txt', join(outside, 'secret.txt')] }, approve: true, actor });
    expect(refused).toMatchObject({ status: 200, body: { ok: true, value: { status: 'denied', rule: 'path', reason: expect.stringContaining('paths[1]') } } });
    expect(JSON.stringify(refused.body)).not.toContain('not for agents');
    const relative = await call('POST', '/tools/call', { tool: 'fs.read_text_file', workspace: 'relative/dir', arguments: {}, actor });
    expect(relative).toMatchObject({ status: 400, body: { ok: false, error: { issues: [expect.objectContaining({ path: 'workspace' })] } } });

    expect((await call('DELETE', '/tools/servers/fs')).body).toEqual({ ok: true, value: { removed: true } });
  }, 60_000);
});
