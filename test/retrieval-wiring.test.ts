import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeGitFixture } from '../e2e/fixtures/fixture-repo';
import { fixtureAnswers } from '../e2e/fixtures/scripted-answers';
import { ScriptedGateway } from '../e2e/fixtures/scripted-gateway';
import { createCore } from '../src/main/core/composition/app-core';
import { productionSteps } from '../src/main/core/composition/production-steps';
import { waitForState } from '../src/main/core/engine/testing/wait';
import { silentLogger } from '../src/main/core/observability/logger';
import { indexFileFor } from '../src/main/core/retrieval/repo-index';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the composition root wires the retrieval service', () => {
  it("plans and works from files the one retrieval service chose, from an index in the app's data folder", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aa-retrieval-wiring-'));
    const repo = makeGitFixture();
    let gateway: ScriptedGateway | undefined;
    const core = createCore({
      dataDir,
      logger: silentLogger(),
      engine: { watchdogIntervalMs: 0 },
      slo: { evaluateEveryMs: 0 },
      steps: (c) => productionSteps(c, { models: (gateway = new ScriptedGateway({ book: fixtureAnswers(), journal: c.journal, logger: c.logger, pieceDelayMs: 1 })) }),
    });
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), () => repo.cleanup(), () => core.close());
    const before = repo.snapshot();
    const task = core.tasks.submit({ description: 'sum(2, 3) returns -1; make it add', repoPath: repo.dir, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    await waitForState(core.db, task.id, 'completed', 120_000);

    // One index, for this repository, in the data folder; the repository is as it was.
    expect(readdirSync(join(dataDir, 'retrieval')).filter((f) => f.endsWith('.sqlite'))).toEqual([indexFileFor(dataDir, realpathSync(repo.dir)).split('/').at(-1)]);
    expect(repo.snapshot()).toEqual(before);
    const calls = gateway!.calls.filter((c) => c.taskId === task.id);
    const planner = calls.find((c) => c.role === 'planner')!.messages.map((m) => m.content).join('\n');
    expect(planner).toContain('Relevant file sum.js:\nexport function sum(a, b)');
    const worker = calls.find((c) => c.role === 'worker')!.messages.map((m) => m.content).join('\n');
    expect(worker).toContain('return a - b;');
    // The composition root asks the worker for SEARCH/REPLACE text edits (ADR 0019), and the scripted block was placed.
    expect(worker).toContain('<<<<<<< SEARCH');
  }, 180_000);
});
