import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, testCore } from '../../../../test/helpers';
import type { NewEvent } from '../../../shared/domain/events';
import type { TaskState } from '../../../shared/domain/task';
import { updateTaskState } from '../db/queries/tasks';
import { MetricsService } from './metrics-service';
import { throughputByModel } from './throughput';

const HOUR = 3_600_000;
let clock: FakeClock;
let core: ReturnType<typeof testCore>;
let metrics: MetricsService;
let key = 0;

beforeEach(() => {
  clock = new FakeClock(Date.UTC(2027, 0, 10, 12, 0, 0));
  core = testCore({ clock, scheduler: { autoStart: false } });
  metrics = new MetricsService({ db: core.db, clock, logger: core.logger });
});
afterEach(() => core.cleanup());

const submit = () => core.tasks.submit({ description: 'measure me', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 }).id;
const append = (taskId: string, event: NewEvent) => core.journal.append(taskId, event, `k${++key}`);
/** What the engine does on a transition: the event and the task row, together. */
const move = (taskId: string, from: TaskState, to: TaskState) =>
  core.journal.transaction(() => {
    updateTaskState(core.db, taskId, to, 0, clock.now());
    append(taskId, { type: 'task.state', payload: { from, to, cause: 'test' } });
  });

describe('metrics from the journal', () => {
  it('counts each task once by its outcome, in the bucket it ended', () => {
    const a = submit();
    const b = submit();
    const c = submit();
    clock.advance(HOUR);
    move(a, { kind: 'queued' }, { kind: 'planning' });
    append(a, { type: 'task.completed', payload: {} });
    // The engine may also journal the state change; the task still counts once.
    move(a, { kind: 'planning' }, { kind: 'completed' });
    clock.advance(HOUR);
    append(b, { type: 'task.failed', payload: { reason: 'gates failed' } });
    move(c, { kind: 'queued' }, { kind: 'cancelled' });

    const m = metrics.compute(24 * HOUR);
    expect(m.totals).toMatchObject({ submitted: 3, completed: 1, failed: 1, cancelled: 1 });
    const nonEmpty = m.outcomes.filter((o) => o.completed + o.failed + o.cancelled > 0);
    expect(nonEmpty).toEqual([
      { t: expect.any(Number), completed: 1, failed: 0, cancelled: 0 },
      { t: expect.any(Number), completed: 0, failed: 1, cancelled: 1 },
    ]);
    expect(nonEmpty[1]!.t - nonEmpty[0]!.t).toBe(HOUR);
    // Outside a one-hour window (ending now), the first completion is gone.
    clock.advance(10 * 60_000);
    expect(metrics.compute(HOUR).totals.completed).toBe(0);
  });

  it('summarises phase durations with percentiles', () => {
    const t = submit();
    for (const ms of [100, 200, 300, 400, 1000]) append(t, { type: 'phase.completed', payload: { phase: 'planning', durationMs: ms } });
    append(t, { type: 'phase.completed', payload: { phase: 'executing', durationMs: 5000 } });
    const m = metrics.compute(HOUR);
    expect(m.phaseDurations).toEqual([
      { phase: 'planning', count: 5, meanMs: 400, p50Ms: 300, p95Ms: 1000, maxMs: 1000 },
      { phase: 'executing', count: 1, meanMs: 5000, p50Ms: 5000, p95Ms: 5000, maxMs: 5000 },
    ]);
  });

  it('measures tokens per second per model from batch timestamps', () => {
    const t = submit();
    const tokens = (model: string, count: number) => append(t, { type: 'model.tokens', payload: { model, role: 'worker', text: 'x'.repeat(count), count } });
    tokens('small', 10);
    clock.advance(1000);
    tokens('small', 50);
    clock.advance(1000);
    tokens('small', 50);
    tokens('big', 5);
    clock.advance(2000);
    tokens('big', 20);
    const m = metrics.compute(HOUR);
    expect(m.throughput).toEqual([
      { model: 'big', tokens: 20, seconds: 2, tokensPerSecond: 10 },
      { model: 'small', tokens: 100, seconds: 2, tokensPerSecond: 50 },
    ]);
  });

  it('counts council decisions', () => {
    const t = submit();
    append(t, { type: 'council.verdict', payload: { decision: 'accept', score: 0.9 } });
    append(t, { type: 'council.verdict', payload: { decision: 'accept', score: 0.8 } });
    append(t, { type: 'council.verdict', payload: { decision: 'reject', score: 0.2 } });
    expect(metrics.compute(HOUR).council).toEqual([
      { decision: 'accept', count: 2 },
      { decision: 'reject', count: 1 },
      { decision: 'modify', count: 0 },
    ]);
  });

  it('traces the queue length over time, ending at the tasks table', () => {
    const a = submit();
    submit();
    clock.advance(HOUR);
    submit();
    move(a, { kind: 'queued' }, { kind: 'planning' });
    clock.advance(HOUR);
    const m = metrics.compute(6 * HOUR);
    const lengths = m.queue.map((p) => p.length);
    expect(lengths.at(-1)).toBe(2);
    expect(m.totals).toMatchObject({ queuedNow: 2, activeNow: 1 });
    // Before the first submission the queue was empty; it held two tasks for the first hour.
    expect(lengths[0]).toBe(0);
    expect(lengths).toContain(2);
    expect(m.queue.every((p, i) => i === 0 || p.t >= m.queue[i - 1]!.t)).toBe(true);
  });
});

describe('throughputByModel', () => {
  it('does not count the pause between two generations as generation time', () => {
    const r = throughputByModel([
      { stream: 's', model: 'm', ts: 0, count: 5 },
      { stream: 's', model: 'm', ts: 1000, count: 20 },
      { stream: 's', model: 'm', ts: 61_000, count: 5 },
      { stream: 's', model: 'm', ts: 62_000, count: 20 },
    ]);
    expect(r).toEqual([{ model: 'm', tokens: 40, seconds: 2, tokensPerSecond: 20 }]);
  });
});
