/**
 * The analytics cache on the Metrics page's own refresh pattern, against computing every figure afresh.
 *
 * History: `--days` days of tasks (`--tasks-per-day`), each journaled as the engine does (created,
 * state changes, phases, council votes and verdicts, gate results, and `model.tokens` batches every
 * 250 ms while a model generates), into an app database with its migrations.
 * Session: the page open for `--hours` hours, reloaded every 15 s (MetricsPage's REFRESH_MS) on the
 * default 7-day window; every 20 minutes the user looks at the last 24 hours for 2 minutes, every
 * hour at the last 30 days for 1 minute (a window change loads at once). Tasks run in 40% of the
 * session (a 10-minute task every 25 minutes): 4 token batches a second and a phase or state event
 * about every 40 s. Each reload is answered by the cached service; every fourth also by an uncached
 * one, whose answer must be equal.
 *
 * Figures: the cache's hit rate (all reloads, reloads while a task runs, reloads while idle), and
 * the time of a reload cached vs afresh (mean, so the reloads that miss while a task runs count).
 * Targets: hit rate >= 0.6 over the session; a cached reload's mean time <= 0.5x afresh.
 * Usage: node bench/run-ts.mjs bench/analytics-cache.bench.ts [--json] [--days N] [--tasks-per-day N] [--hours N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { openDatabase } from '../src/main/core/db/open';
import { insertTask, updateTaskState } from '../src/main/core/db/queries/tasks';
import { Journal } from '../src/main/core/journal/journal';
import { MetricsService } from '../src/main/core/metrics/metrics-service';
import { silentLogger } from '../src/main/core/observability/logger';
import type { NewEvent } from '../src/shared/domain/events';
import type { ActiveStateKind, Task, TaskState } from '../src/shared/domain/task';

export const HIT_RATE_TARGET = 0.6;
export const TIME_RATIO_TARGET = 0.5;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const REFRESH_MS = 15 * SECOND;
const AFRESH_EVERY = 4;
const PHASES: ActiveStateKind[] = ['planning', 'reviewing_plan', 'executing', 'verifying', 'reviewing_change', 'applying'];

export type CacheBenchResult = {
  events: number;
  reloads: number;
  hit_rate: number;
  hit_rate_active: number;
  hit_rate_idle: number;
  evictions: number;
  invalidations: number;
  cached_median_ms: number;
  cached_mean_ms: number;
  cached_p95_ms: number;
  afresh_median_ms: number;
  afresh_mean_ms: number;
  time_ratio: number;
};

type Options = { days: number; tasksPerDay: number; hours: number };

class History {
  readonly journal: Journal;
  now: number;
  private n = 0;
  private key = 0;
  events = 0;

  constructor(
    readonly db: ReturnType<typeof openDatabase>,
    start: number,
  ) {
    this.now = start;
    this.journal = new Journal({ db, clock: { now: () => this.now } });
  }

  task(): string {
    const id = `tsk_bench${String(this.n++).padStart(8, '0')}`;
    const task: Task = {
      id,
      description: 'a benchmark task',
      repoPath: '/tmp/repo',
      mode: 'auto',
      riskTier: 2,
      priority: 'normal',
      maxIterations: 3,
      state: { kind: 'queued' },
      progress: 0,
      createdAt: this.now,
      updatedAt: this.now,
      spec: null,
    };
    this.journal.transaction(() => {
      insertTask(this.db, task);
      this.append(id, { type: 'task.created', payload: { task } });
    });
    return id;
  }

  append(taskId: string, event: NewEvent): void {
    this.journal.append(taskId, event, `bench:${this.key++}`);
    this.events++;
  }

  move(taskId: string, from: TaskState, to: TaskState): void {
    this.journal.transaction(() => {
      updateTaskState(this.db, taskId, to, 0, this.now);
      this.append(taskId, { type: 'task.state', payload: { from, to, cause: 'bench' } } as NewEvent);
    });
  }

  tokens(taskId: string, role: string): void {
    this.append(taskId, { type: 'model.tokens', payload: { model: 'qwen2.5-coder-7b', role, text: 'generated text', count: 12 } } as NewEvent);
  }
}

/**
 * One task from queue to completion over `durationMs`, with `tick(ms)` called as time passes so a
 * caller can interleave page reloads. Token batches every 250 ms fill three quarters of each phase.
 */
function* runTask(h: History, durationMs: number): Generator<number, void, void> {
  const id = h.task();
  let state: TaskState = { kind: 'queued' };
  const perPhase = Math.round(durationMs / PHASES.length);
  for (const phase of PHASES) {
    const next: TaskState = { kind: phase } as TaskState;
    h.move(id, state, next);
    state = next;
    h.append(id, { type: 'phase.started', payload: { phase } } as NewEvent);
    const started = h.now;
    const role = phase.startsWith('reviewing') ? 'judge.technical' : 'worker';
    for (let t = 0; t < perPhase * 0.75; t += 250) {
      h.tokens(id, role);
      yield 250;
    }
    if (phase.startsWith('reviewing')) {
      for (const judge of ['constitutional', 'technical', 'quality', 'integration']) {
        h.append(id, { type: 'council.vote', payload: { judgeId: judge, verdict: 'pass', confidence: 0.8, reasons: ['fine'], round: 1, subject: 'plan' } } as NewEvent);
      }
      h.append(id, { type: 'council.verdict', payload: { decision: 'accept', score: 0.8 } } as NewEvent);
    }
    if (phase === 'verifying') h.append(id, { type: 'gate.result', payload: { gate: 'tests', status: 'pass', details: 'ok' } } as NewEvent);
    yield Math.max(0, Math.round(perPhase * 0.25));
    h.append(id, { type: 'phase.completed', payload: { phase, durationMs: h.now - started } } as NewEvent);
  }
  h.move(id, state, { kind: 'completed' } as TaskState);
  h.append(id, { type: 'task.completed', payload: {} } as NewEvent);
}

function writeHistory(h: History, o: Options, end: number): void {
  const gap = Math.round(DAY / o.tasksPerDay);
  while (h.now + gap < end) {
    const begun = h.now;
    // Each task: 2 to 6 minutes of work; the history is written fast (one transaction per run).
    const duration = 2 * MINUTE + ((h.events * 7919) % (4 * MINUTE));
    h.journal.transaction(() => {
      for (const ms of runTask(h, duration)) h.now += ms;
    });
    h.now = begun + gap;
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? 0;
};
const median = (xs: number[]) => quantile(xs, 0.5);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export function runCacheBench(o: Options): CacheBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-cache-'));
  const db = openDatabase({ file: join(dir, 'bench.db'), logger: silentLogger() });
  try {
    const sessionStart = Date.UTC(2027, 0, 10, 9, 0, 0);
    const h = new History(db, sessionStart - o.days * DAY);
    writeHistory(h, o, sessionStart);
    const historyEvents = h.events;
    h.now = sessionStart;
    const clock = { now: () => h.now };
    const cached = new MetricsService({ db, clock, logger: silentLogger() });
    const afresh = new MetricsService({ db, clock, logger: silentLogger(), cache: false });

    const counts = { active: { hits: 0, lookups: 0 }, idle: { hits: 0, lookups: 0 } };
    const cachedMs: number[] = [];
    const afreshMs: number[] = [];
    let reloads = 0;
    let running: Generator<number, void, void> | undefined;
    let nextTaskAt = sessionStart + 2 * MINUTE;
    let lastWindow = 7 * DAY;
    let nextReload = sessionStart;
    const end = sessionStart + o.hours * HOUR;

    const windowAt = (t: number): number => {
      const sinceStart = t - sessionStart;
      if (sinceStart % HOUR >= 40 * MINUTE && sinceStart % HOUR < 41 * MINUTE) return 30 * DAY;
      if (sinceStart % (20 * MINUTE) < 2 * MINUTE && sinceStart >= 20 * MINUTE) return DAY;
      return 7 * DAY;
    };
    const reload = (windowMs: number) => {
      const before = cached.cache.stats();
      let t0 = performance.now();
      const a = cached.compute(windowMs);
      cachedMs.push(performance.now() - t0);
      // Every AFRESH_EVERY-th reload is also computed afresh: its time, and the answers must agree.
      if (reloads % AFRESH_EVERY === 0) {
        t0 = performance.now();
        const b = afresh.compute(windowMs);
        afreshMs.push(performance.now() - t0);
        if (!isDeepStrictEqual(a, b)) throw new Error(`the cached figures differ from fresh ones at ${new Date(h.now).toISOString()}`);
      }
      const after = cached.cache.stats();
      const bucket = running ? counts.active : counts.idle;
      bucket.hits += after.hits - before.hits;
      bucket.lookups += after.hits + after.misses - before.hits - before.misses;
      reloads++;
    };

    // Time advances in 250 ms ticks: the running task (if any) journals, and the page reloads on its timer.
    while (h.now < end) {
      if (!running && h.now >= nextTaskAt) running = runTask(h, 10 * MINUTE);
      let step = 250;
      if (running) {
        const r = running.next();
        if (r.done) {
          running = undefined;
          nextTaskAt = h.now + 15 * MINUTE;
        } else step = Math.max(r.value, 1);
      }
      const target = h.now + step;
      while (nextReload <= target && nextReload < end) {
        h.now = Math.max(h.now, nextReload);
        const w = windowAt(h.now);
        if (w !== lastWindow) lastWindow = w;
        reload(w);
        nextReload += REFRESH_MS;
      }
      h.now = target;
      // A window change loads at once, not at the next tick of the timer.
      const w = windowAt(h.now);
      if (w !== lastWindow) {
        lastWindow = w;
        reload(w);
      }
    }

    const s = cached.cache.stats();
    const all = counts.active.lookups + counts.idle.lookups;
    const cachedMedian = median(cachedMs);
    const afreshMedian = median(afreshMs);
    return {
      events: historyEvents,
      reloads,
      hit_rate: (counts.active.hits + counts.idle.hits) / Math.max(1, all),
      hit_rate_active: counts.active.hits / Math.max(1, counts.active.lookups),
      hit_rate_idle: counts.idle.hits / Math.max(1, counts.idle.lookups),
      evictions: s.evictions.entries + s.evictions.bytes,
      invalidations: s.invalidations,
      cached_median_ms: cachedMedian,
      cached_mean_ms: mean(cachedMs),
      cached_p95_ms: quantile(cachedMs, 0.95),
      afresh_median_ms: afreshMedian,
      afresh_mean_ms: mean(afreshMs),
      time_ratio: mean(cachedMs) / mean(afreshMs),
    };
  } finally {
    db.close();
    if (process.env['KEEP_BENCH_DB']) console.error(`kept ${join(dir, 'bench.db')}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
}

export default async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const o = { days: arg(args, '--days', 7), tasksPerDay: arg(args, '--tasks-per-day', 10), hours: arg(args, '--hours', 2) };
  const r = runCacheBench(o);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...r, ...o, hit_rate_target: HIT_RATE_TARGET, time_ratio_target: TIME_RATIO_TARGET })}\n`);
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`Metrics page over ${o.days} days of history (${r.events} events), open ${o.hours} h: ${r.reloads} reloads`);
  console.log(`hit rate        ${pct(r.hit_rate).padStart(7)}   (target >= ${pct(HIT_RATE_TARGET)}); while a task runs ${pct(r.hit_rate_active)}, idle ${pct(r.hit_rate_idle)}`);
  console.log(`invalidations   ${String(r.invalidations).padStart(7)}   evictions ${r.evictions}`);
  console.log(`reload, median  ${r.cached_median_ms.toFixed(2).padStart(7)} ms cached, ${r.afresh_median_ms.toFixed(2)} ms afresh`);
  console.log(`reload, mean    ${r.cached_mean_ms.toFixed(2).padStart(7)} ms cached (p95 ${r.cached_p95_ms.toFixed(1)} ms), ${r.afresh_mean_ms.toFixed(2)} ms afresh`);
  console.log(`ratio of means  ${r.time_ratio.toFixed(2).padStart(7)}x   (target <= ${TIME_RATIO_TARGET}x)`);
}
