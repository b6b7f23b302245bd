import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes';
import { openCommand } from './open';
import { banner } from './serve-log';
import { memoryIo } from './testing';

let server: Server | undefined;
let dir: string | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('agent-agency open', () => {
  it("prints the running instance's current address with its token", async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/health' ? 200 : 404;
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'aa-open-'));
    writeFileSync(join(dir, 'instance.json'), JSON.stringify({ url, token: 'tok_current', pid: process.pid }));
    const io = memoryIo();
    expect(await openCommand({ dataDir: dir, print: true }, io)).toBe(EXIT.ok);
    expect(io.text()).toBe(`${url}/#token=tok_current\nOpen this address in your browser (it carries this launch's access token).\n`);
  });

  it('says how to start the app when none runs, exit 4', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-open-'));
    const io = memoryIo();
    expect(await openCommand({ dataDir: dir, print: true }, io)).toBe(EXIT.unavailable);
    expect(io.stderr.join('')).toMatch(/no running Agent Agency found for .*; start it with "npm start" or "agent-agency serve"/);
  });
});

describe('the start-up banner', () => {
  it('names the address, the data folder and the log file, and how to stream the log', () => {
    const text = banner({ version: '1.2.3', launchUrl: 'http://127.0.0.1:4317/#token=t', dataDir: '/d', logFile: '/d/logs/agent-agency.log', verbose: false });
    expect(text).toContain('Open:  http://127.0.0.1:4317/#token=t');
    expect(text).toContain('Data:  /d');
    expect(text).toContain('Logs:  /d/logs/agent-agency.log (--verbose streams them here)');
    expect(text.split('\n').filter(Boolean)).toHaveLength(5);
  });
});
