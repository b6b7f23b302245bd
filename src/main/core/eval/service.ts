import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EvalTaskResult, EvalTotals } from '../../../shared/domain/eval';
import type { Db } from '../db/open';
import { finishEvalRun, insertEvalResult, insertEvalRun } from '../db/queries/eval';
import { selfTestSuite, type EvalCommandRunner, type SelfTestResult } from './grader';
import { totalsOf } from './results';
import { runEvalTask, type EvalRunOptions } from './runner';
import type { Suite } from './suite';

/** The folder of the bundled suite, found from this module wherever the build put it. */
export function bundledSuiteDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources', 'eval', 'suite-basic');
    if (existsSync(join(candidate, 'suite.json'))) return candidate;
    dir = dirname(dir);
  }
  return join(process.cwd(), 'resources', 'eval', 'suite-basic');
}

export type EvalProgress =
  | { type: 'selftest'; task: string; index: number; of: number; ok: boolean; problems: SelfTestResult['problems'] }
  | { type: 'start'; runId: string; suite: string; tasks: number; attempts: number; mode: string; models: Record<string, string> }
  | { type: 'task.started'; task: string; attempt: number; index: number; of: number }
  | { type: 'task'; index: number; of: number; result: EvalTaskResult }
  | { type: 'totals'; runId: string; totals: EvalTotals };

/** A suite refused by its self-test: each problem names the task and the field. */
export class SelfTestFailed extends Error {
  constructor(readonly results: SelfTestResult[]) {
    super(
      `the suite fails its self-test:\n${results
        .flatMap((r) => r.problems)
        .map((p) => `  task ${p.task}: ${p.field}: ${p.message}`)
        .join('\n')}`,
    );
    this.name = 'SelfTestFailed';
  }
}

/** Self-tests the suite's tasks; throws SelfTestFailed naming each task and field that fails. */
export async function requireSelfTest(suite: Suite, runner: EvalCommandRunner, onProgress?: (p: EvalProgress) => void, signal?: AbortSignal): Promise<SelfTestResult[]> {
  const { ok, results } = await selfTestSuite(suite.tasks, runner, {
    ...(signal ? { signal } : {}),
    onTask: (r, index) => onProgress?.({ type: 'selftest', task: r.task, index, of: suite.tasks.length, ok: r.ok, problems: r.problems }),
  });
  if (!ok) throw new SelfTestFailed(results);
  return results;
}

export type RunEvalOptions = Omit<EvalRunOptions, 'onState'> & {
  suite: Suite;
  db: Db;
  repeat?: number;
  /** Role -> model name, recorded with the run so runs can be compared by model. */
  models: Record<string, string>;
  onProgress?: (p: EvalProgress) => void;
  /** Where a graded council decision becomes a calibration outcome (hidden tests are the truth). */
  calibration?: { recordForTask(taskId: string, good: boolean, source: 'eval_hidden_tests'): unknown };
};

/**
 * A whole eval: the suite's self-test first (a suite that fails it is refused), then every task
 * `repeat` times through the governed pipeline, each graded and stored as it finishes, then totals.
 */
export async function runEval(o: RunEvalOptions): Promise<{ runId: string; results: EvalTaskResult[]; totals: EvalTotals }> {
  await requireSelfTest(o.suite, o.runner, o.onProgress, o.signal);
  const now = o.now ?? Date.now;
  const runId = `eval_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const repeat = Math.max(1, o.repeat ?? 1);
  const attempts = o.suite.tasks.flatMap((task) => Array.from({ length: repeat }, (_, i) => ({ task, attempt: i + 1 })));
  insertEvalRun(o.db, { id: runId, suite: o.suite.name, suitePath: o.suite.dir, mode: o.mode, models: o.models, startedAt: now() });
  o.onProgress?.({ type: 'start', runId, suite: o.suite.name, tasks: o.suite.tasks.length, attempts: attempts.length, mode: o.mode, models: o.models });
  const results: EvalTaskResult[] = [];
  for (const [index, { task, attempt }] of attempts.entries()) {
    if (o.signal?.aborted) break;
    o.onProgress?.({ type: 'task.started', task: task.id, attempt, index, of: attempts.length });
    const result = await runEvalTask(task, attempt, o);
    insertEvalResult(o.db, runId, result);
    if (result.council !== 'none' && result.taskId) o.calibration?.recordForTask(result.taskId, result.resolved, 'eval_hidden_tests');
    results.push(result);
    o.onProgress?.({ type: 'task', index, of: attempts.length, result });
  }
  const totals = totalsOf(results);
  finishEvalRun(o.db, runId, totals, now());
  o.onProgress?.({ type: 'totals', runId, totals });
  return { runId, results, totals };
}
