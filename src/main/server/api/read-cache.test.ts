import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { openDatabase } from '../../core/db/open';
import { Journal } from '../../core/journal/journal';
import { silentLogger } from '../../core/observability/logger';
import { dataFiles } from '../../core/paths';
import { startHeadlessHost, type HeadlessHost } from '../host';
import { acceptsGzip, etagMatches } from './read-cache';
import { API_PREFIX } from './routes';

let core: ReturnType<typeof testCore> | undefined;
let host: HeadlessHost | undefined;
let renderer: ReturnType<typeof tempDir> | undefined;

afterEach(async () => {
  host?.app.server.closeAllConnections();
  await host?.close();
  core?.cleanup();
  renderer?.cleanup();
  core = undefined;
  host = undefined;
});

async function start() {
  // No scheduler sampling: its writes would change the version by themselves and hide a stale read.
  core = testCore({ scheduler: { autoStart: false } });
  renderer = tempDir('aa-renderer-');
  mkdirSync(renderer.dir, { recursive: true });
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startHeadlessHost({ core, rendererDir: renderer.dir, port: 0, api: { rateLimit: false } });
  return { core, host };
}

async function list(h: HeadlessHost, query = ''): Promise<{ id: string; description: string; cursor: string }[]> {
  const res = await fetch(`${h.url}${API_PREFIX}/tasks${query}`, { headers: { authorization: `Bearer ${h.token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { value: { id: string; description: string; cursor: string }[] }).value;
}

describe('GET /api/v1/tasks from the read cache', () => {
  it('answers a change made in this process at once', async () => {
    const { core, host } = await start();
    expect(await list(host)).toEqual([]);
    const a = core.tasks.submit({ description: 'first task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    expect((await list(host)).map((t) => t.id)).toEqual([a.id]);
    expect((await list(host)).map((t) => t.id)).toEqual([a.id]);
    const b = core.tasks.submit({ description: 'second task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    expect((await list(host)).map((t) => t.id)).toEqual([b.id, a.id]);
    // Another query is another answer, not the cached one.
    const page = await list(host, '?limit=1');
    expect(page.map((t) => t.id)).toEqual([b.id]);
    expect((await list(host, `?cursor=${page[0]!.cursor}`)).map((t) => t.id)).toEqual([a.id]);
  });

  it('answers a change committed by another connection at once', async () => {
    const { core, host } = await start();
    const a = core.tasks.submit({ description: 'first task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    expect((await list(host))[0]!.description).toBe('first task');
    expect((await list(host))[0]!.description).toBe('first task');
    const other = openDatabase({ file: dataFiles(core.dataDir).database, logger: silentLogger() });
    try {
      new Journal({ db: other, clock: core.clock }).transaction(() => {
        other.prepare('UPDATE tasks SET description = ? WHERE id = ?').run('renamed elsewhere', a.id);
      });
    } finally {
      other.close();
    }
    expect((await list(host))[0]!.description).toBe('renamed elsewhere');
  });
});

/** A raw request (fetch would decompress and hide the encoding). */
function raw(h: HeadlessHost, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${h.url}${API_PREFIX}/tasks`, { headers: { authorization: `Bearer ${h.token}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /api/v1/tasks encodings and validators', () => {
  it('gzips for a client that accepts it, plain otherwise, the same answer either way', async () => {
    const { core, host } = await start();
    for (let i = 0; i < 30; i++) core.tasks.submit({ description: `task number ${i}`, repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    const plain = await raw(host, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await raw(host, { 'accept-encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['vary']).toMatch(/accept-encoding/i);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 4);
    expect(gunzipSync(zipped.body).toString()).toBe(plain.body.toString());
    expect((await raw(host, { 'accept-encoding': 'gzip;q=0, identity' })).headers['content-encoding']).toBeUndefined();
  });

  it('answers 304 to a client holding the current answer, and the new answer after a change', async () => {
    const { core, host } = await start();
    core.tasks.submit({ description: 'first task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    const first = await raw(host, {});
    const etag = String(first.headers['etag']);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await raw(host, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    core.tasks.submit({ description: 'second task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    const changed = await raw(host, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers['etag']).not.toBe(etag);
    expect(JSON.parse(changed.body.toString()).value).toHaveLength(2);
  });

  it('reads Accept-Encoding and If-None-Match as HTTP says', () => {
    expect(acceptsGzip('br, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('GZIP')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(etagMatches('"a", W/"b"', '"b"')).toBe(true);
    expect(etagMatches('*', '"x"')).toBe(true);
    expect(etagMatches('"a"', '"b"')).toBe(false);
    expect(etagMatches(undefined, '"b"')).toBe(false);
  });
});
