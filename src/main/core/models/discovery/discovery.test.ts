import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverDiskModels } from './disk-models';
import { discoverServers, isLoopbackUrl } from './local-servers';

let server: Server | undefined;
let home: string | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

describe('local model servers', () => {
  it('finds an OpenAI-compatible server on loopback and lists its models', async () => {
    server = createServer((req, res) => {
      if (req.url === '/v1/models') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'qwen2.5-coder-7b-instruct' }, { id: 'gemma-3-4b-it' }] }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const found = await discoverServers({ extra: [`http://127.0.0.1:${port}`], timeoutMs: 2_000 });
    expect(found).toContainEqual({ kind: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, models: ['qwen2.5-coder-7b-instruct', 'gemma-3-4b-it'] });
  });

  it('never probes an address off this machine', () => {
    expect(isLoopbackUrl('http://127.0.0.1:1234')).toBe(true);
    expect(isLoopbackUrl('http://localhost:8080/v1')).toBe(true);
    expect(isLoopbackUrl('http://192.168.1.20:8080')).toBe(false);
    expect(isLoopbackUrl('http://example.com')).toBe(false);
  });
});

describe('GGUF files on disk', () => {
  it("finds LM Studio's files and Ollama's blobs through its manifests", async () => {
    home = mkdtempSync(join(tmpdir(), 'aa-home-'));
    const lm = join(home, '.lmstudio', 'models', 'lmstudio-community', 'Qwen2.5-Coder-7B-Instruct-GGUF');
    mkdirSync(lm, { recursive: true });
    writeFileSync(join(lm, 'Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf'), 'GGUF....');
    writeFileSync(join(lm, 'mmproj-model-f16.gguf'), 'GGUF');
    const digest = 'a'.repeat(64);
    const ollama = join(home, '.ollama', 'models');
    mkdirSync(join(ollama, 'blobs'), { recursive: true });
    writeFileSync(join(ollama, 'blobs', `sha256-${digest}`), 'GGUF-blob');
    const manifestDir = join(ollama, 'manifests', 'registry.ollama.ai', 'library', 'qwen2.5-coder');
    mkdirSync(manifestDir, { recursive: true });
    writeFileSync(join(manifestDir, '7b'), JSON.stringify({ layers: [{ mediaType: 'application/vnd.ollama.image.model', digest: `sha256:${digest}`, size: 9 }] }));

    const found = await discoverDiskModels({ home });
    expect(found).toContainEqual({ source: 'lmstudio', path: join(lm, 'Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf'), name: 'Qwen2.5-Coder-7B-Instruct-Q4_K_M', sizeBytes: 8 });
    expect(found).toContainEqual({ source: 'ollama', path: join(ollama, 'blobs', `sha256-${digest}`), name: 'qwen2.5-coder:7b', sizeBytes: 9 });
    expect(found.some((f) => f.path.includes('mmproj'))).toBe(false);
  });
});
