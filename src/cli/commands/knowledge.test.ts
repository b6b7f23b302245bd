import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../test/helpers';
import { startHeadlessHost, type HeadlessHost } from '../../main/server/host';
import { EXIT } from '../exit-codes';
import { memoryIo } from '../testing';
import { knowledgeCommand } from './knowledge';

/** The knowledge commands in this process and against a running instance (real HTTP on loopback, real FTS5). */
describe('agent-agency knowledge', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    process.exitCode = 0;
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const run = async (dataDir: string, args: string[]) => {
    const io = memoryIo();
    await knowledgeCommand(io).parseAsync([...args, '--data-dir', dataDir], { from: 'user' });
    const code = process.exitCode;
    process.exitCode = 0;
    return { io, code };
  };
  const files = () => {
    const dir = tempDir('aa-kcli-');
    cleanups.push(dir.cleanup);
    writeFileSync(join(dir.dir, 'ports.md'), '# Ports\n\nThe telemetry collector listens on port 4318.\n');
    writeFileSync(join(dir.dir, 'other.md'), '# Other\n\nNothing about networking.\n');
    writeFileSync(join(dir.dir, 'x.xyz'), 'what');
    return dir.dir;
  };

  it('in process: adds files (refusing one with its reason), searches with --json, lists and removes', async () => {
    const dir = files();
    const data = join(dir, 'data');
    const added = await run(data, ['add', join(dir, 'ports.md'), join(dir, 'other.md'), join(dir, 'x.xyz'), '--in-process']);
    expect(added.code).toBe(EXIT.failure);
    expect(added.io.text()).toMatch(/refused +.*x\.xyz: unknown type "\.xyz"/);
    expect(added.io.text()).toMatch(/added +.*ports\.md \(text, 1 chunks\)/);

    const found = await run(data, ['search', 'telemetry collector port', '--json', '--in-process']);
    expect(found.code).toBe(EXIT.ok);
    const hits = JSON.parse(found.io.text()) as Array<{ entityId: string; source: string; location: string; score: number; text: string }>;
    expect(hits[0]).toMatchObject({ source: join(dir, 'ports.md'), location: 'lines 1-4' });
    expect(typeof hits[0]!.score).toBe('number');
    expect(hits[0]!.text).toContain('4318');
    // --repo adds a repository's indexed docs; what the user added is searched either way.
    const withRepo = await run(data, ['search', 'telemetry collector port', '--repo', dir, '--json', '--in-process']);
    expect(withRepo.code).toBe(EXIT.ok);
    expect((JSON.parse(withRepo.io.text()) as Array<{ source: string }>)[0]).toMatchObject({ source: join(dir, 'ports.md') });

    const listed = JSON.parse((await run(data, ['list', '--json', '--in-process'])).io.text()) as Array<{ id: string; title: string }>;
    expect(listed.map((e) => e.title).sort()).toEqual(['other.md', 'ports.md']);
    expect((await run(data, ['remove', hits[0]!.entityId, '--in-process'])).code).toBe(EXIT.ok);
    // Gone from the index too: the same search no longer finds it.
    const after = JSON.parse((await run(data, ['search', 'telemetry collector port', '--json', '--in-process'])).io.text()) as unknown[];
    expect(after).toEqual([]);
    const again = await run(data, ['remove', hits[0]!.entityId, '--in-process']);
    expect(again.code).toBe(EXIT.notFound);

    const bad = await run(data, ['search', 'x', '--limit', '0', '--in-process']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.io.stderr.join('')).toContain('--limit');
  }, 60_000);

  it('--remote: the same commands against a running instance over its REST API', async () => {
    const dir = files();
    const core = testCore();
    const renderer = tempDir('aa-renderer-');
    mkdirSync(renderer.dir, { recursive: true });
    writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>Agent Agency</title>');
    const host: HeadlessHost = await startHeadlessHost({ core, rendererDir: renderer.dir, port: 0, advertise: true, api: { rateLimit: false } });
    cleanups.push(() => core.cleanup(), renderer.cleanup, async () => {
      host.app.server.closeAllConnections();
      await host.close();
    });

    const added = await run(core.dataDir, ['add', join(dir, 'ports.md'), join(dir, 'x.xyz'), '--remote', '--json']);
    expect(added.code).toBe(EXIT.failure);
    const results = JSON.parse(added.io.text()) as Array<{ file: string; status: string; reason?: string }>;
    expect(results).toEqual([
      expect.objectContaining({ file: join(dir, 'ports.md'), status: 'added' }),
      expect.objectContaining({ file: join(dir, 'x.xyz'), status: 'refused', reason: expect.stringContaining('unknown type ".xyz"') }),
    ]);
    // The instance itself holds the entry: its own service finds it.
    expect(core.knowledge.search('telemetry collector', 5).map((h) => h.title)).toEqual(['ports.md']);
    const found = await run(core.dataDir, ['search', 'telemetry collector port', '--remote']);
    expect(found.code).toBe(EXIT.ok);
    expect(found.io.text()).toMatch(/1\. .*ports\.md — lines 1-4 +score [\d.]+\n +# Ports The telemetry collector listens on port 4318\./);
  }, 60_000);
});
