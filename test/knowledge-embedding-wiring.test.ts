import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureTestModel } from '../src/main/core/models/testing/test-model';
import { tempDir, testCore } from './helpers';

/**
 * The composition root's wiring: the knowledge base embeds chunks (real node-llama-cpp tiny model,
 * 1 thread, real sqlite-vec) only while Settings names an embedding model, and says how it ranked.
 */
describe('knowledge embedding model from Settings', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  it('is FTS only until Settings names a model, then embeds added chunks and ranks hybrid', async () => {
    const core = testCore({ models: { threads: 1, gpu: false } });
    cleanups.push(() => core.cleanup());
    const dir = tempDir('aa-kbwire-');
    cleanups.push(dir.cleanup);
    const model = join(dir.dir, 'tiny.gguf');
    copyFileSync(await ensureTestModel(), model);
    const entry = await core.models.addByPath({ path: model });
    writeFileSync(join(dir.dir, 'a.md'), '# Ports\n\nThe telemetry collector listens on port 4318.\n');
    writeFileSync(join(dir.dir, 'b.md'), '# Retry\n\nFailed steps retry three times.\n');

    await core.knowledge.add([join(dir.dir, 'a.md')]);
    expect(core.knowledge.vectorCount(entry.name)).toBe(0);
    expect((await core.knowledge.rank('telemetry port', 5))[0]).toMatchObject({ title: 'a.md', ranking: 'fts' });

    core.settings.update({ knowledgeEmbeddingModel: entry.name }, 'test');
    await core.knowledge.add([join(dir.dir, 'b.md')]);
    expect(core.knowledge.vectorCount(entry.name)).toBe(1);
    expect((await core.knowledge.rank('retry', 5))[0]).toMatchObject({ title: 'b.md', ranking: 'hybrid' });

    core.settings.update({ knowledgeEmbeddingModel: '' }, 'test');
    expect((await core.knowledge.rank('retry', 5))[0]).toMatchObject({ title: 'b.md', ranking: 'fts' });
  }, 120_000);
});
