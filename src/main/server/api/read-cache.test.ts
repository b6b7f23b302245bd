import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { openDatabase } from '../../core/db/open';
import { Journal } from '../../core/journal/journal';
import { silentLogger } from '../../core/observability/logger';
import { dataFiles } from '../../core/paths';
import { startHeadlessHost, type HeadlessHost } from '../host';
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
