import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_ROLES } from '../../main/core/models/types';
import { listEvalRuns, evalResultsForRun } from '../../main/core/db/queries/eval';
import { sandboxRunner } from '../../main/core/eval/grader';
import { renderReport } from '../../main/core/eval/report-html';
import { runEval, type EvalProgress } from '../../main/core/eval/service';
import { loadSuite } from '../../main/core/eval/suite';
import { ensureTestModel } from '../../main/core/models/testing/test-model';
import { silentLogger } from '../../main/core/observability/logger';
import { SandboxService } from '../../main/core/sandbox';
import { openEvalCore, type EvalCore } from './open';

/**
 * A two-task eval through the full governed pipeline (planner, council, worker, gates, dry-run) on
 * the project's tiny random-weight model: it runs to the end, every number is measured, and what
 * the random model produced is graded honestly (it resolves nothing).
 */
const BUNDLED = resolve(__dirname, '../../../resources/eval/suite-basic');
let dataDir: string;
let opened: EvalCore;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'aa-eval-llama-'));
  opened = openEvalCore(dataDir, silentLogger(), { models: { threads: 1 } });
  const path = await ensureTestModel();
  await opened.core.models.addByPath({ path, name: 'tiny' });
  for (const role of MODEL_ROLES) opened.core.models.assignRole(role, 'tiny');
}, 120_000);

afterAll(() => {
  opened?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('agent-agency eval on the tiny model', () => {
  it('runs two tasks to the end with honest zeros, stores the run and renders a report', async () => {
    const suite = loadSuite(BUNDLED, ['js-sum-range-inclusive', 'py-dedupe-order']);
    const progress: EvalProgress[] = [];
    const runner = sandboxRunner(await SandboxService.detect({ logger: silentLogger() }));
    const { runId, results, totals } = await runEval({
      suite,
      db: opened.core.db,
      engine: opened.engine,
      meter: opened.meter,
      runner,
      mode: 'dry-run',
      maxIterations: 1,
      taskTimeoutMs: 900_000,
      models: opened.models(),
      onProgress: (p) => progress.push(p),
    });

    expect(results.map((r) => r.evalTask)).toEqual(['js-sum-range-inclusive', 'py-dedupe-order']);
    for (const r of results) {
      // Each ran as a real engine task to a terminal state, with a stop reason.
      expect(['completed', 'failed', 'cancelled']).toContain(r.finalState);
      expect(r.taskId).toMatch(/^tsk_/);
      expect(r.stopReason.length).toBeGreaterThan(0);
      expect(r.stopReason).not.toBe('timeout');
      // The real model was called through the meter (the planner at least), tokens counted.
      expect(r.modelCalls).toBeGreaterThan(0);
      expect(r.promptTokens).toBeGreaterThan(0);
      // Random weights fix nothing: graded unresolved, and the council cannot have been right to accept.
      expect(r.resolved).toBe(false);
      expect(r.councilOutcome).not.toBe('true_accept');
    }
    expect(totals.attempts).toBe(2);
    expect(totals.resolved).toBe(0);
    expect(totals.resolvedRate).toBe(0);
    expect(totals.tokensPerResolved).toBeNull();
    expect(totals.modelCalls).toBe(results[0]!.modelCalls + results[1]!.modelCalls);
    expect(progress.filter((p) => p.type === 'selftest')).toHaveLength(2);
    expect(progress.at(-1)).toMatchObject({ type: 'totals', runId });

    const [stored] = listEvalRuns(opened.core.db);
    expect(stored).toMatchObject({ id: runId, suite: 'suite-basic', mode: 'dry-run', models: { planner: 'tiny', worker: 'tiny' }, tasks: 2, resolved: 0 });
    expect(stored!.totals).toEqual(totals);
    expect(evalResultsForRun(opened.core.db, runId)).toEqual(results);

    const html = renderReport({ runId, suite: suite.name, mode: 'dry-run', models: opened.models(), startedAt: stored!.startedAt, results, totals });
    expect(html).toContain('<svg');
    expect(html).toContain('js-sum-range-inclusive');
    expect(html).toMatch(/Resolved<\/dt><dd>0 of 2/);
  }, 1_200_000);
});
