import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, tempDir, testCore } from '../../../../test/helpers';
import type { NewEvent } from '../../../shared/domain/events';
import type { ActiveStateKind, ExecutionMode, RiskTier, TaskState } from '../../../shared/domain/task';
import { insertResourceSample, taskTotalsHistory, type TaskTotals } from '../db/queries/task-resource-history';
import { updateTaskState } from '../db/queries/tasks';
import { EstimateService } from './estimate-service';
import { estimateFrom, quantile, range } from './estimator';
import { repositoryFiles } from './repo-size';

const MIN = 60_000;

describe('estimateFrom', () => {
  const row = (o: Partial<TaskTotals>): TaskTotals => ({
    taskId: 't',
    durationMs: 60_000,
    cpuMs: 0,
    peakMemoryBytes: 1e9,
    tokens: 1000,
    model: 'a',
    riskTier: 2,
    mode: 'auto',
    repoFiles: 50,
    success: true,
    createdAt: 0,
    ...o,
  });

  it('says there is no history instead of inventing a figure', () => {
    const e = estimateFrom([], { riskTier: 2, mode: 'auto', repoFiles: 10, model: 'a' });
    expect(e.basis).toMatchObject({ level: 'none', samples: 0 });
    expect(e.basis.description).toMatch(/No history/);
    expect(e.durationMs).toBeNull();
    expect(e.tokens).toBeNull();
  });

  it('uses the most specific group with enough tasks, naming the narrower ones that had too few', () => {
    const history = [
      ...[1, 2, 3, 4, 5, 6].map((m) => row({ durationMs: m * MIN, tokens: m * 100, model: 'a' })),
      row({ durationMs: 60 * MIN, model: 'b' }),
      row({ durationMs: 70 * MIN, model: 'b' }),
      row({ riskTier: 1, durationMs: 99 * MIN }),
    ];
    const a = estimateFrom(history, { riskTier: 2, mode: 'auto', repoFiles: 40, model: 'a' });
    expect(a.basis).toMatchObject({ level: 'tier_mode_size_model', samples: 6, thin: false });
    expect(a.durationMs).toEqual({ p10: 1.5 * MIN, p50: 3.5 * MIN, p90: 5.5 * MIN, samples: 6 });
    expect(a.tokens).toEqual({ p10: 150, p50: 350, p90: 550, samples: 6 });

    const b = estimateFrom(history, { riskTier: 2, mode: 'auto', repoFiles: 40, model: 'b' });
    expect(b.basis).toMatchObject({ level: 'tier_mode_size', samples: 8 });
    expect(b.basis.description).toContain('model b (2)');

    // No tier-3 task at all: every task, said so.
    const t3 = estimateFrom(history, { riskTier: 3, mode: 'auto', repoFiles: 40, model: 'a' });
    expect(t3.basis).toMatchObject({ level: 'all', samples: 9 });

    // A large repository: the size groups are empty, so tier and mode it is.
    const big = estimateFrom(history, { riskTier: 2, mode: 'auto', repoFiles: 5000, model: 'a' });
    expect(big.basis.level).toBe('tier_mode');
  });

  it('marks an estimate from fewer than five tasks as thin and gives their whole spread', () => {
    const e = estimateFrom([row({ durationMs: MIN }), row({ durationMs: 3 * MIN })], { riskTier: 2, mode: 'auto', repoFiles: null, model: null });
    expect(e.basis).toMatchObject({ level: 'tier_mode', samples: 2, thin: true });
    expect(e.basis.description).toMatch(/rough range/);
    expect(e.durationMs).toMatchObject({ p50: 2 * MIN, samples: 2 });
  });

  it('computes percentiles between order statistics', () => {
    expect(quantile([10, 20, 30, 40], 0.5)).toBe(25);
    expect(range([5])).toEqual({ p10: 5, p50: 5, p90: 5, samples: 1 });
    expect(range([])).toBeNull();
  });
});

describe('repositoryFiles', () => {
  it('counts what git tracks, and walks a folder that is not a repository', async () => {
    const d = tempDir('aa-size-');
    try {
      const repo = gitRepo(join(d.dir, 'repo'), 12);
      writeFileSync(join(repo, 'untracked.txt'), 'x');
      expect(await repositoryFiles(repo)).toBe(12);
      const plain = join(d.dir, 'plain');
      mkdirSync(join(plain, 'sub'), { recursive: true });
      mkdirSync(join(plain, 'node_modules'));
      writeFileSync(join(plain, 'a'), '');
      writeFileSync(join(plain, 'sub', 'b'), '');
      writeFileSync(join(plain, 'node_modules', 'c'), '');
      expect(await repositoryFiles(plain)).toBe(2);
      expect(await repositoryFiles(join(d.dir, 'missing'))).toBeNull();
    } finally {
      d.cleanup();
    }
  });
});

function gitRepo(dir: string, files: number): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `f${i}.txt`), `${i}\n`);
  execFileSync('git', ['add', '.'], { cwd: dir });
  return dir;
}

describe('EstimateService on the app database', () => {
  let clock: FakeClock;
  let core: ReturnType<typeof testCore>;
  let estimates: EstimateService;
  let key = 0;
  let worker: string | null = 'qwen-7b';
  beforeEach(() => {
    clock = new FakeClock(Date.UTC(2027, 0, 10, 12, 0, 0));
    core = testCore({ clock, scheduler: { autoStart: false } });
    worker = 'qwen-7b';
    estimates = new EstimateService({ db: core.db, clock, logger: core.logger, workerModel: () => worker });
  });
  afterEach(() => core.cleanup());

  const append = (taskId: string, event: NewEvent) => core.journal.append(taskId, event, `k${++key}`);
  const move = (taskId: string, from: TaskState, to: TaskState) =>
    core.journal.transaction(() => {
      updateTaskState(core.db, taskId, to, 0, clock.now());
      append(taskId, { type: 'task.state', payload: { from, to, cause: 'test' } });
    });
  const submit = (o: { riskTier?: RiskTier; mode?: ExecutionMode } = {}) =>
    core.tasks.submit({ description: 'estimate me', repoPath: core.repo, mode: o.mode ?? 'auto', riskTier: o.riskTier ?? 2, priority: 'normal', maxIterations: 3 }).id;
  /** Runs a task through phases of the given lengths (minutes), with tokens and memory samples, to `end`. */
  const run = async (taskId: string, minutes: number[], o: { tokens?: number; model?: string; end?: 'completed' | 'failed'; memory?: number } = {}) => {
    const phases: ActiveStateKind[] = ['planning', 'executing', 'verifying'];
    let state: TaskState = { kind: 'queued' };
    for (const [i, m] of minutes.entries()) {
      const phase = phases[i % phases.length]!;
      move(taskId, state, { kind: phase } as TaskState);
      state = { kind: phase } as TaskState;
      append(taskId, { type: 'phase.started', payload: { phase } });
      append(taskId, { type: 'model.tokens', payload: { model: o.model ?? 'qwen-7b', role: 'worker', text: 'x', count: o.tokens ?? 100 } });
      append(taskId, { type: 'model.tokens', payload: { model: 'judge-3b', role: 'judge.technical', text: 'x', count: 1 } });
      insertResourceSample(core.db, { taskId, phase, cpuMs: 10, memoryBytes: (o.memory ?? 1e9) + i, durationMs: m * MIN, success: true, createdAt: clock.now() });
      clock.advance(m * MIN);
      append(taskId, { type: 'phase.completed', payload: { phase, durationMs: m * MIN } });
      // Waiting between phases (a queue, an approval) is not active time.
      clock.advance(30 * MIN);
    }
    move(taskId, state, o.end === 'failed' ? { kind: 'failed', reason: 'no' } : ({ kind: 'completed' } as TaskState));
    return estimates.recordTotals(taskId);
  };

  it('records what a finished task used once, and what it was', async () => {
    const t = submit();
    const totals = await run(t, [2, 5, 1], { tokens: 300, memory: 2e9 });
    expect(totals).toMatchObject({ durationMs: 8 * MIN, tokens: 3 * 301, model: 'qwen-7b', riskTier: 2, mode: 'auto', repoFiles: 0, success: true, peakMemoryBytes: 2e9 + 2 });
    expect(await estimates.recordTotals(t)).toBeUndefined();
    expect(taskTotalsHistory(core.db, { limit: 10, successOnly: false })).toHaveLength(1);
  });

  it('estimates before submission from finished tasks of the same kind, and says when there is none', async () => {
    expect((await estimates.estimate({ riskTier: 2, mode: 'auto', repoPath: core.repo })).basis.level).toBe('none');
    for (const m of [1, 2, 3, 4, 5]) await run(submit(), [m, m], { tokens: 10 * m });
    // A failed task is not a forecast of a finished one.
    await run(submit(), [50], { end: 'failed' });
    const e = await estimates.estimate({ riskTier: 2, mode: 'auto', repoPath: core.repo });
    expect(e.features).toMatchObject({ repoFiles: 0, sizeClass: 'under 100 files', model: 'qwen-7b' });
    expect(e.basis).toMatchObject({ level: 'tier_mode_size_model', samples: 5, thin: false });
    expect(e.durationMs).toMatchObject({ p50: 6 * MIN, p10: 2.8 * MIN, p90: 9.2 * MIN });
    // Another worker model has no history of its own: the group without the model, said so.
    worker = 'llama-70b';
    const other = await estimates.estimate({ riskTier: 2, mode: 'auto', repoPath: core.repo });
    expect(other.basis).toMatchObject({ level: 'tier_mode_size', samples: 5 });
    expect(other.basis.description).toContain('model llama-70b (0)');
  });

  it('shows a running task its progress against the estimate, and the scheduler its remaining time', async () => {
    for (const m of [10, 10, 10, 10, 10]) await run(submit(), [m]);
    const t = submit();
    expect(estimates.expectedRemainingMs(t)).toBe(10 * MIN);
    move(t, { kind: 'queued' }, { kind: 'planning' });
    append(t, { type: 'phase.started', payload: { phase: 'planning' } });
    clock.advance(4 * MIN);
    const live = await estimates.forTask(t);
    expect(live.progress).toMatchObject({ activeMs: 4 * MIN, finished: false });
    expect(live.remainingMs).toBe(6 * MIN);
    expect(estimates.expectedRemainingMs(t)).toBe(6 * MIN);
    clock.advance(20 * MIN);
    // Past the median: nothing more is expected (never negative).
    expect(estimates.expectedRemainingMs(t)).toBe(0);
  });

  it('binds to the journal: a task that ends gets its row', async () => {
    const unbind = estimates.bind(core.journal);
    const t = submit();
    move(t, { kind: 'queued' }, { kind: 'cancelled' });
    await expect.poll(() => taskTotalsHistory(core.db, { limit: 5, successOnly: false }).map((r) => [r.taskId, r.success])).toEqual([[t, false]]);
    unbind();
  });
});
