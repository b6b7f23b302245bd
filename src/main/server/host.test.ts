import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tempDir, testCore } from '../../../test/helpers';
import type { WsServerFrame } from '../../shared/contract';
import { dataFiles } from '../core/paths';
import { startHeadlessHost, type HeadlessHost } from './host';

let core: ReturnType<typeof testCore>;
let host: HeadlessHost;
let renderer: ReturnType<typeof tempDir>;

afterEach(async () => {
  await host?.close();
  core?.cleanup();
  renderer?.cleanup();
});

async function start(advertise = false) {
  core = testCore();
  renderer = tempDir('aa-renderer-');
  mkdirSync(renderer.dir, { recursive: true });
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>Agent Agency</title>');
  host = await startHeadlessHost({ core, rendererDir: renderer.dir, port: 0, advertise });
}

function connect(options: { token?: string; origin?: string } = {}): Promise<WebSocket> {
  const token = options.token ?? host.token;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${encodeURIComponent(token)}`, {
    headers: { origin: options.origin ?? host.url },
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Sends requests and collects every frame the server pushes. */
function client(ws: WebSocket) {
  const frames: WsServerFrame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d)) as WsServerFrame));
  let id = 0;
  const waitFor = async (pred: (f: WsServerFrame) => boolean): Promise<WsServerFrame> => {
    for (let i = 0; i < 200; i++) {
      const f = frames.find(pred);
      if (f) return f;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no such frame');
  };
  return {
    frames,
    waitFor,
    async call(channel: string, input: unknown) {
      const myId = ++id;
      ws.send(JSON.stringify({ id: myId, channel, input }));
      const f = await waitFor((x) => x.kind === 'reply' && x.id === myId);
      return f.kind === 'reply' ? f.result : undefined;
    },
  };
}

describe('headless host', () => {
  it('serves the renderer and health on 127.0.0.1 only', async () => {
    await start();
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(`${host.url}/`);
    expect(await page.text()).toContain('Agent Agency');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await (await fetch(`${host.url}/health`)).json()).toEqual({ ok: true });
  });

  it('refuses requests carrying a foreign Host header (DNS rebinding)', async () => {
    await start();
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      request({ host: '127.0.0.1', port: host.port, path: '/health', headers: { host: 'attacker.example:80' } }, (res) =>
        resolve(res.statusCode ?? 0),
      ).end();
    });
    expect(status).toBe(421);
  });

  it('refuses a WebSocket without the token, with a wrong token, or from another origin', async () => {
    await start();
    await expect(connect({ token: '' })).rejects.toThrow('HTTP 401');
    await expect(connect({ token: 'x'.repeat(host.token.length) })).rejects.toThrow('HTTP 401');
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect({ origin: 'http://127.0.0.1:1' })).rejects.toThrow('HTTP 403');
  });

  it('carries the contract: submit, then the subscriber hears task.created live', async () => {
    await start();
    const watcher = client(await connect());
    const snapshot = await watcher.call('subscribe', {});
    expect(snapshot).toMatchObject({ ok: true, value: { tasks: [], lastSeq: 0 } });

    const submitter = client(await connect());
    const submitted = await submitter.call('submitTask', { description: 'Over the wire', repoPath: core.repo });
    expect(submitted).toMatchObject({ ok: true, value: { state: { kind: 'queued' } } });
    const pushed = await watcher.waitFor((f) => f.kind === 'event');
    expect(pushed).toMatchObject({ kind: 'event', event: { type: 'task.created', seq: 1 } });
  });

  it('answers malformed frames with errors and keeps the connection usable', async () => {
    await start();
    const ws = await connect();
    const c = client(ws);
    ws.send('not json');
    await c.waitFor((f) => f.kind === 'reply' && !f.result.ok && f.result.error.message === 'frame is not valid JSON');
    ws.send(JSON.stringify({ id: 7, channel: 'rm -rf', input: {} }));
    const bad = await c.waitFor((f) => f.kind === 'reply' && f.id === 7);
    expect(bad).toMatchObject({ result: { ok: false, error: { code: 'invalid_input', issues: [{ path: 'channel' }] } } });
    expect(await c.call('listTasks', { limit: 'ten' })).toMatchObject({ ok: false, error: { issues: [{ path: 'limit' }] } });
    expect(await c.call('listTasks', {})).toEqual({ ok: true, value: [] });
  });

  it('advertises its address and token to the CLI in a file only the user can read, removed on close', async () => {
    await start(true);
    const file = dataFiles(core.dataDir).instance;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ url: host.url, token: host.token });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await host.close();
    expect(existsSync(file)).toBe(false);
    host = { close: async () => undefined } as HeadlessHost;
  });
});
