import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { ContractSession } from '../../core/api/session';
import { startHeadlessHost, type HeadlessHost } from '../host';
import { API_PREFIX } from './routes';

// The target check runs on submit whatever the transport: REST answers 400 naming repoPath, the
// contract (IPC, WebSocket) answers invalid_input naming repoPath, and nothing is stored.
let core: ReturnType<typeof testCore>;
let host: HeadlessHost;
let renderer: ReturnType<typeof tempDir>;
afterEach(async () => {
  await host?.close();
  core?.cleanup();
  renderer?.cleanup();
});

describe('target repository on submit', () => {
  it('REST: 400 naming repoPath for /, a system folder, the data folder, a plain folder', async () => {
    core = testCore();
    renderer = tempDir('aa-renderer-');
    writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>t</title>');
    host = await startHeadlessHost({ core, rendererDir: renderer.dir, port: 0, api: { rateLimit: false } });
    const plain = join(core.repo, 'sub');
    mkdirSync(plain);
    for (const repoPath of ['/', '/etc', core.dataDir, plain]) {
      const res = await fetch(`${host.url}${API_PREFIX}/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ description: 'Add input validation', repoPath }),
      });
      const body = (await res.json()) as { ok: boolean; error: { code: string; issues?: { path: string }[] } };
      expect(res.status, repoPath).toBe(400);
      expect(body.error.issues?.[0]?.path, repoPath).toBe('repoPath');
    }
    const ok = await fetch(`${host.url}${API_PREFIX}/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'Add input validation', repoPath: core.repo }),
    });
    expect(ok.status).toBe(201);
  });

  it('contract (IPC/WebSocket): invalid_input naming repoPath, nothing stored', async () => {
    core = testCore();
    const session = new ContractSession(core, () => undefined, { via: 'window', human: true });
    const r = await session.call('submitTask', { description: 'Add input validation', repoPath: '/usr' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'repoPath' }] } });
    expect(core.tasks.list({ limit: 5 })).toEqual([]);
  });
});
