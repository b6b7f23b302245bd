import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelEvent } from '../../../shared/domain/model';
import { systemClock } from '../journal/journal';
import { silentLogger } from '../observability/logger';
import { fixedMemoryProbe } from './memory-probe';
import { ModelService } from './model-service';
import { realModelProviders } from './providers/model-providers';
import { serviceFixture, type ServiceFixture } from './testing/service-fixture';
import { testModelBytes } from './testing/test-model';

/** A model file server on 127.0.0.1 that honours Range, sends slowly, and can misbehave on request. */
class FileServer {
  server!: Server;
  url = '';
  ranges: string[] = [];
  /** Bytes per chunk and pause between chunks, so a test can act mid-transfer. */
  chunk = 16 * 1024;
  delayMs = 2;
  ignoreRange = false;
  /** Drop the connection after this many bytes of the next response. */
  dropAfter: number | null = null;

  constructor(private readonly body: Buffer) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url === '/missing.gguf') {
      res.writeHead(404).end('not here');
      return;
    }
    const range = req.headers.range;
    if (range) this.ranges.push(range);
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(range ?? '');
    if (m && !this.ignoreRange) {
      start = Number(m[1]);
      if (start >= this.body.length) {
        res.writeHead(416, { 'content-range': `bytes */${this.body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': this.body.length - start, 'content-range': `bytes ${start}-${this.body.length - 1}/${this.body.length}` });
    } else {
      res.writeHead(200, { 'content-length': this.body.length });
    }
    const drop = this.dropAfter;
    this.dropAfter = null;
    let sent = 0;
    for (let i = start; i < this.body.length; i += this.chunk) {
      if (res.destroyed) return;
      const piece = this.body.subarray(i, Math.min(i + this.chunk, this.body.length));
      if (drop !== null && sent + piece.length > drop) {
        res.socket?.destroy();
        return;
      }
      res.write(piece);
      sent += piece.length;
      await new Promise((r) => setTimeout(r, this.delayMs));
    }
    res.end();
  }
}

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const model = testModelBytes();
let fx: ServiceFixture;
let server: FileServer;

beforeEach(async () => {
  fx = await serviceFixture();
  server = new FileServer(model.bytes);
  await server.start();
});
afterEach(async () => {
  await server.stop();
  await fx.close();
});

const states = (events: ModelEvent[], id: string) =>
  events.filter((e) => e.type === 'download.state' && e.id === id).map((e) => (e.type === 'download.state' ? e.state : ''));
const modelsDir = () => join(fx.dir, 'models');
/** The one partial file in the models folder (named by URL and expected hash, not by file name). */
const partFile = () => {
  const parts = existsSync(modelsDir()) ? readdirSync(modelsDir()).filter((f) => f.endsWith('.part')) : [];
  return join(modelsDir(), parts[0] ?? 'no-partial-file.part');
};
const until = async (check: () => boolean, what: string) => {
  const end = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('model downloads', () => {
  it('downloads with progress, verifies the checksum and registers the model', async () => {
    const started = fx.service.startDownload({ url: `${server.url}/files/tiny.gguf`, sha256: model.sha256, name: 'downloaded-tiny' });
    expect(started.state).toBe('running');
    const done = await fx.service.downloads.settled(started.id);
    expect(done).toMatchObject({ state: 'completed', model: 'downloaded-tiny', receivedBytes: model.bytes.length, totalBytes: model.bytes.length, error: null });
    expect(states(fx.events, started.id)).toEqual(['running', 'verifying', 'completed']);
    const progress = fx.events.filter((e) => e.type === 'download.progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toMatchObject({ receivedBytes: model.bytes.length, totalBytes: model.bytes.length });
    expect(readdirSync(modelsDir())).toEqual(['tiny.gguf']);
    expect(fx.service.registry.get('downloaded-tiny')).toMatchObject({ kind: 'gguf', sha256: model.sha256, path: join(modelsDir(), 'tiny.gguf') });
    // And it answers.
    expect((await fx.service.client('worker').complete('hi', { maxTokens: 2 })).model).toBe('downloaded-tiny');
  });

  it('pauses, keeps the partial file, and resumes with an HTTP Range request', async () => {
    server.delayMs = 5;
    server.chunk = 8 * 1024;
    const { id } = fx.service.startDownload({ url: `${server.url}/tiny.gguf`, sha256: model.sha256 });
    await until(() => fx.service.downloads.get(id).receivedBytes >= 40 * 1024, 'some bytes');
    fx.service.downloads.pause(id);
    const paused = await fx.service.downloads.settled(id);
    expect(paused.state).toBe('paused');
    const part = partFile();
    const kept = statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(model.bytes.length);

    fx.service.downloads.resume(id);
    const done = await fx.service.downloads.settled(id);
    expect(done.state).toBe('completed');
    expect(server.ranges).toEqual([`bytes=${kept}-`]);
    expect(fx.service.registry.list().map((m) => (m.kind === 'gguf' ? m.sha256 : ''))).toEqual([model.sha256]);
    expect(states(fx.events, id)).toEqual(['running', 'paused', 'running', 'verifying', 'completed']);
  });

  it('starts over when the server ignores the Range header', async () => {
    server.delayMs = 5;
    server.chunk = 8 * 1024;
    server.ignoreRange = true;
    const { id } = fx.service.startDownload({ url: `${server.url}/tiny.gguf`, sha256: model.sha256 });
    await until(() => fx.service.downloads.get(id).receivedBytes >= 40 * 1024, 'some bytes');
    fx.service.downloads.pause(id);
    await fx.service.downloads.settled(id);
    fx.service.downloads.resume(id);
    expect((await fx.service.downloads.settled(id)).state).toBe('completed');
    expect(server.ranges).toHaveLength(1);
  });

  it('never registers a file whose checksum does not match, and deletes it', async () => {
    const { id } = fx.service.startDownload({ url: `${server.url}/tiny.gguf`, sha256: 'f'.repeat(64) });
    const done = await fx.service.downloads.settled(id);
    expect(done.state).toBe('failed');
    expect(done.error).toBe(`checksum mismatch for tiny.gguf: expected ${'f'.repeat(64)}, got ${model.sha256}; the file was deleted and not registered`);
    expect(readdirSync(modelsDir())).toEqual([]);
    expect(fx.service.registry.list()).toEqual([]);
    expect(fx.events.filter((e) => e.type === 'model.added')).toEqual([]);
  });

  it('cancels mid-transfer and removes the partial file', async () => {
    server.delayMs = 5;
    server.chunk = 8 * 1024;
    const { id } = fx.service.startDownload({ url: `${server.url}/tiny.gguf` });
    await until(() => fx.service.downloads.get(id).receivedBytes > 0, 'some bytes');
    const cancelled = await fx.service.downloads.cancel(id);
    expect(cancelled.state).toBe('cancelled');
    expect(existsSync(partFile())).toBe(false);
    expect(readdirSync(modelsDir())).toEqual([]);
    expect(fx.service.registry.list()).toEqual([]);
  });

  it('reports a dropped connection, keeps what arrived, and completes on resume', async () => {
    server.dropAfter = 100 * 1024;
    const { id } = fx.service.startDownload({ url: `${server.url}/tiny.gguf`, sha256: model.sha256 });
    const failed = await fx.service.downloads.settled(id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/download failed|connection closed after/);
    expect(statSync(partFile()).size).toBeGreaterThan(0);
    fx.service.downloads.resume(id);
    expect((await fx.service.downloads.settled(id)).state).toBe('completed');
  });

  it('reports an unreachable server, an HTTP error and a file that is not a model as clear failures', async () => {
    const closedPort = await freePort();
    const closed = fx.service.startDownload({ url: `http://127.0.0.1:${closedPort}/tiny.gguf` });
    expect((await fx.service.downloads.settled(closed.id)).error).toBe(`download failed: can't reach 127.0.0.1:${closedPort} — are you offline? (ECONNREFUSED)`);
    const missing = fx.service.startDownload({ url: `${server.url}/missing.gguf` });
    expect((await fx.service.downloads.settled(missing.id)).error).toBe(`the server answered HTTP 404 for ${server.url}/missing.gguf`);
    const textServer = new FileServer(Buffer.from('<html>not a model</html>'));
    await textServer.start();
    try {
      const html = fx.service.startDownload({ url: `${textServer.url}/page.gguf` });
      const done = await fx.service.downloads.settled(html.id);
      expect(done.state).toBe('failed');
      expect(done.error).toMatch(/is not a GGUF model file .*; the downloaded file was deleted$/);
    } finally {
      await textServer.stop();
    }
    expect(readdirSync(modelsDir())).toEqual([]);
    expect(fx.service.registry.list()).toEqual([]);
  });

  it('refuses URLs that are not http(s)', () => {
    expect(() => fx.service.startDownload({ url: 'file:///etc/passwd' })).toThrow(/only http and https/);
    expect(() => fx.service.startDownload({ url: 'not a url' })).toThrow(/not a valid URL/);
  });
});

describe('model downloads across a restart', () => {
  const restartService = async () => {
    await fx.service.close();
    const logger = silentLogger();
    return new ModelService({
      db: fx.db,
      journal: fx.journal,
      clock: systemClock,
      logger,
      modelsDir: modelsDir(),
      providers: realModelProviders({ logger, clock: systemClock, threads: 1, gpu: false }),
      idleUnloadMs: 0,
      memory: fixedMemoryProbe({ totalBytes: 64 * 1024 ** 3, availableBytes: 48 * 1024 ** 3, gpu: 'cpu' }),
    });
  };

  it('lists an interrupted download after the service restarts and resumes it from the list with a Range request', async () => {
    server.delayMs = 20;
    const url = `${server.url}/files/tiny.gguf`;
    const started = fx.service.startDownload({ url, sha256: model.sha256, name: 'survivor' });
    await until(() => existsSync(partFile()) && statSync(partFile()).size > 0, 'some bytes to arrive');
    const again = await restartService();
    try {
      const listed = again.listDownloads();
      expect(listed).toEqual([expect.objectContaining({ id: started.id, url, fileName: 'tiny.gguf', state: 'paused' })]);
      const kept = statSync(partFile()).size;
      expect(kept).toBeGreaterThan(0);
      server.delayMs = 0;
      again.downloads.resume(listed[0]!.id);
      const done = await again.downloads.settled(started.id);
      expect(done).toMatchObject({ state: 'completed', model: 'survivor' });
      expect(server.ranges).toEqual([`bytes=${kept}-`]);
      expect(again.registry.require('survivor')).toMatchObject({ sha256: model.sha256 });
      expect(existsSync(partFile())).toBe(false);
    } finally {
      await again.close();
    }
  });

  it('never continues a partial file of another URL that has the same file name', async () => {
    server.dropAfter = 40 * 1024;
    const first = fx.service.startDownload({ url: `${server.url}/a/tiny.gguf`, sha256: model.sha256, name: 'from-a' });
    expect((await fx.service.downloads.settled(first.id)).state).toBe('failed');
    const firstPart = partFile();
    const kept = statSync(firstPart).size;
    expect(kept).toBeGreaterThan(0);
    // Same file name, another URL: it starts from byte 0 and leaves A's partial file alone.
    const second = fx.service.startDownload({ url: `${server.url}/b/tiny.gguf`, sha256: model.sha256, name: 'from-b' });
    expect((await fx.service.downloads.settled(second.id)).state).toBe('completed');
    expect(server.ranges).toEqual([]);
    expect(statSync(firstPart).size).toBe(kept);
  });
});
