import { statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { dataFiles } from '../../core/paths';
import type { HeadlessHostOptions } from '../host';
import { loopbackHost, type LoopbackHost } from '../testing/loopback-host';
import { API_PREFIX } from './routes';

let core: ReturnType<typeof testCore>;
let host: LoopbackHost;
afterEach(async () => {
  await host?.stop();
  core?.cleanup();
});

async function start(api: HeadlessHostOptions['api'] = { rateLimit: false }) {
  core = testCore();
  host = await loopbackHost({ core, api });
}

/** Sends `size` bytes of body (streamed, chunked or with a length) and returns the status the server replied with. */
function postBody(size: number, chunked: boolean, path = '/waivers'): Promise<{ status: number; body: string }> {
  const url = new URL(`${host.url}${API_PREFIX}${path}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(size) }) } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

function rawUpgrade(path: string): Promise<string> {
  const url = new URL(host.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        `GET ${path}${path.includes('?') ? '&' : '?'}token=${host.token} HTTP/1.1\r\nHost: ${url.host}\r\nOrigin: ${host.url}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
    });
    let data = '';
    socket.on('data', (c) => {
      data += c.toString();
      if (data.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(data.split('\r\n')[0]!);
      }
    });
    socket.on('error', () => resolve(data.split('\r\n')[0] ?? 'error'));
    socket.on('close', () => resolve(data.split('\r\n')[0] ?? 'closed'));
  });
}

describe('local API hardening', () => {
  // Routes take 1 MB; submitting a task takes its attachments too (SUBMIT_BODY_LIMIT), and no more.
  it.each([
    [2 * 1024 * 1024, false, '/waivers'],
    [32 * 1024 * 1024, false, '/waivers'],
    [32 * 1024 * 1024, true, '/waivers'],
    [32 * 1024 * 1024, false, '/tasks'],
    [32 * 1024 * 1024, true, '/tasks'],
  ])('answers a %i-byte body (chunked: %s) to %s over the limit with 413, not a dropped connection', async (size, chunked, path) => {
    await start();
    const r = await postBody(size, chunked, path);
    expect(r.status).toBe(413);
    expect(r.body).toContain('too large');
  });

  it('refuses a WebSocket upgrade on any path but the contract one, before upgrading', async () => {
    await start();
    expect(await rawUpgrade('/ws')).toMatch(/^HTTP\/1\.1 101/);
    for (const path of ['/api/v1/tasks', '/', '/ws/x', '/mcp', '/nope']) {
      expect(await rawUpgrade(path), path).not.toMatch(/ 101 /);
    }
  });

  it('creates the database, WAL and key files 0600 and the data folder 0700', async () => {
    await start();
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(core.dataDir)).toBe(0o700);
    const db = dataFiles(core.dataDir).database;
    expect(mode(db)).toBe(0o600);
    for (const suffix of ['-wal', '-shm']) {
      try {
        expect(mode(`${db}${suffix}`), suffix).toBe(0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  });
});
