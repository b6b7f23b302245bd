import { copyFileSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeGitFixture } from '../e2e/fixtures/fixture-repo';
import { fixtureAnswers } from '../e2e/fixtures/scripted-answers';
import { ScriptedGateway } from '../e2e/fixtures/scripted-gateway';
import { createCore } from '../src/main/core/composition/app-core';
import { productionSteps } from '../src/main/core/composition/production-steps';
import { waitForState } from '../src/main/core/engine/testing/wait';
import { ensureTestModel } from '../src/main/core/models/testing/test-model';
import { silentLogger } from '../src/main/core/observability/logger';
import { indexFileFor, RepoIndex } from '../src/main/core/retrieval/repo-index';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * The composition root's wiring of retrieval embeddings: the model Settings names for embedding
 * (knowledgeEmbeddingModel; the real tiny node-llama-cpp model, 1 thread, CPU) embeds the target
 * repository's files into the retrieval index's sqlite-vec table while a task plans and works. The
 * planner's and worker's words are scripted; the models service that embeds is the real one.
 */
describe('retrieval embeddings from Settings', () => {
  it('a task on a repository embeds its files into the retrieval index once Settings names an embedding model', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aa-retrieval-embed-wiring-'));
    const repo = makeGitFixture();
    const core = createCore({
      dataDir,
      logger: silentLogger(),
      engine: { watchdogIntervalMs: 0 },
      slo: { evaluateEveryMs: 0 },
      models: { threads: 1, gpu: false },
      steps: (c) => productionSteps(c, { models: new ScriptedGateway({ book: fixtureAnswers(), journal: c.journal, logger: c.logger, pieceDelayMs: 1 }) }),
    });
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), () => repo.cleanup(), () => core.close());
    const model = join(dataDir, 'tiny-embed.gguf');
    copyFileSync(await ensureTestModel(), model);
    const entry = await core.models.addByPath({ path: model });
    core.settings.update({ knowledgeEmbeddingModel: entry.name }, 'test');

    const task = core.tasks.submit({ description: 'sum(2, 3) returns -1; make it add', repoPath: repo.dir, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    await waitForState(core.db, task.id, 'completed', 120_000);

    const index = new RepoIndex({ file: indexFileFor(dataDir, realpathSync(repo.dir)), logger: silentLogger() });
    try {
      expect(index.vectors.count(entry.name)).toBeGreaterThan(0);
    } finally {
      index.close();
    }
  }, 180_000);
});
