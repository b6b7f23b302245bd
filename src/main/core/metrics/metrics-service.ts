import { z } from 'zod';
import { CouncilOutcome, ModelThroughput, OutcomeBucket, PhaseDuration, QueuePoint, type Metrics } from '../../../shared/channels/metrics';
import { ACTIVE_STATES, ActiveStateKind, TaskStateKind } from '../../../shared/domain/task';
import type { Db } from '../db/open';
import {
  countEventsOfType,
  lastSeqOfTypes,
  outcomeRows,
  phaseCompletedRows,
  queueChangesSince,
  queueLengthBefore,
  tokenBatchRows,
  verdictDecisionCounts,
} from '../db/queries/event-metrics';
import { tableHasColumns } from '../db/queries/table-info';
import { lastResourceSeq, phaseDurationsSince } from '../db/queries/task-resource-history';
import { taskCountsByStateColumn } from '../db/queries/tasks';
import { lastVerdictRowid, verdictCountsSince } from '../db/queries/verdicts';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { AnalyticsCache, type AnalyticsCacheOptions } from './analytics-cache';
import { bucketIndex, bucketsFor, percentile, type Buckets } from './buckets';
import { throughputByModel, type TokenBatch } from './throughput';

export type MetricsServiceOptions = {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Bounds of the analytics cache; `false` computes every figure afresh (the baseline of tests and benches). */
  cache?: Pick<AnalyticsCacheOptions, 'maxEntries' | 'maxBytes'> | false;
};

/** Most journal rows one chart reads; beyond it the chart shows the most recent part of the window. */
const MAX_ROWS = 200_000;
const TERMINAL = ['completed', 'failed', 'cancelled'] as const;
type Terminal = (typeof TERMINAL)[number];

const PhaseRow = z.object({ phase: ActiveStateKind, durationMs: z.number().nonnegative() });
const TokenRow = z.object({ task_id: z.string(), ts: z.number(), model: z.string(), role: z.string().nullable(), count: z.number().int().nonnegative() });
const Decision = z.enum(['accept', 'reject', 'modify']);

/** Bumped when a figure is computed differently, so values cached by older code are never served. */
const CACHE_VERSION = 'metrics/v1';
const OUTCOME_TYPES = ['task.completed', 'task.failed', 'task.cancelled', 'task.state'] as const;
const QUEUE_TYPES = ['task.created', 'task.state'] as const;
const OutcomesValue = z.object({ outcomes: z.array(OutcomeBucket), totals: z.object({ completed: z.number(), failed: z.number(), cancelled: z.number() }) });

/**
 * The Metrics page's figures, computed from the event journal (the one record every area writes)
 * and the tasks table. Reads are bounded by the time window and use the (type, ts) index.
 *
 * Each chart goes through the analytics cache under a key naming its window (and, where the
 * buckets move with the clock, how many there are) and a watermark naming the last seq of every
 * event type it reads (and of the tables it falls back to): a new event invalidates exactly the
 * charts that read its type. What is read "now" (tasks queued and running) is never cached.
 */
export class MetricsService {
  readonly cache: AnalyticsCache;
  private readonly useCache: boolean;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: MetricsServiceOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger;
    this.useCache = options.cache !== false;
    this.cache = new AnalyticsCache({ db: options.db, clock: options.clock, logger: options.logger, ...(options.cache || {}) });
  }

  compute(windowMs: number): Metrics {
    const now = this.clock.now();
    const buckets = bucketsFor(now, windowMs);
    const from = buckets.start;
    const { start, size, count } = buckets;
    // Buckets that have ended by now: the queue's points up to the present one.
    const ended = Math.max(0, Math.min(count, Math.floor((now - start) / size)));
    const current = this.current();
    const { outcomes, totals } = this.cached(`outcomes:${start}:${size}:${count}`, OUTCOME_TYPES, '', OutcomesValue, () => this.outcomes(buckets));
    return {
      from,
      to: now,
      bucketMs: size,
      outcomes,
      phaseDurations: this.cached(`phases:${from}`, ['phase.completed'], this.resourceMark(), z.array(PhaseDuration), () => this.phaseDurations(from)),
      throughput: this.cached(`throughput:${from}`, ['model.tokens'], '', z.array(ModelThroughput), () => this.throughput(from)),
      council: this.cached(`council:${from}`, ['council.verdict'], this.verdictMark(), z.array(CouncilOutcome), () => this.council(from)),
      queue: [...this.cached(`queue:${start}:${size}:${ended}`, QUEUE_TYPES, '', z.array(QueuePoint), () => this.queue(buckets, now)), { t: now, length: current.queuedNow }],
      totals: { ...totals, submitted: this.cached(`submitted:${from}`, ['task.created'], '', z.number().int().nonnegative(), () => this.countType('task.created', from)), ...current },
    };
  }

  /** A figure through the cache, watermarked by the last seq of each event type it reads and `extra`. */
  private cached<T>(key: string, types: readonly string[], extra: string, schema: z.ZodType<T>, compute: () => T): T {
    if (!this.useCache) return compute();
    const seqs = lastSeqOfTypes(this.db, types);
    const watermark = `${types.map((t, i) => `${t}=${seqs[i]}`).join(',')}${extra ? `;${extra}` : ''}`;
    return this.cache.read(`${CACHE_VERSION}:${key}`, watermark, schema, compute);
  }

  private resourceMark(): string {
    return this.hasColumns('task_resource_history', ['phase', 'duration_ms', 'created_at']) ? `resources=${lastResourceSeq(this.db)}` : 'resources=none';
  }

  private verdictMark(): string {
    return this.hasColumns('verdicts', ['decision', 'created_at']) ? `verdicts=${lastVerdictRowid(this.db)}` : 'verdicts=none';
  }

  /** Each task's first terminal outcome in the window, by bucket. */
  private outcomes(b: Buckets): { outcomes: Metrics['outcomes']; totals: Record<Terminal, number> } {
    const rows = outcomeRows(this.db, b.start, MAX_ROWS);
    const seen = new Set<string>();
    const outcomes = Array.from({ length: b.count }, (_, i) => ({ t: b.start + i * b.size, completed: 0, failed: 0, cancelled: 0 }));
    const totals: Record<Terminal, number> = { completed: 0, failed: 0, cancelled: 0 };
    for (const r of rows) {
      if (!TERMINAL.includes(r.outcome as Terminal) || seen.has(r.task_id)) continue;
      seen.add(r.task_id);
      const kind = r.outcome as Terminal;
      outcomes[bucketIndex(b, r.ts)]![kind]++;
      totals[kind]++;
    }
    return { outcomes, totals };
  }

  private phaseDurations(from: number): Metrics['phaseDurations'] {
    const byPhase = new Map<ActiveStateKind, number[]>();
    const add = (raw: unknown) => {
      const p = PhaseRow.safeParse(raw);
      if (!p.success) return;
      const list = byPhase.get(p.data.phase) ?? [];
      list.push(p.data.durationMs);
      byPhase.set(p.data.phase, list);
    };
    const rows = phaseCompletedRows(this.db, from, MAX_ROWS);
    rows.forEach(add);
    // Older engines recorded phase timings only in task_resource_history.
    if (rows.length === 0 && this.hasColumns('task_resource_history', ['phase', 'duration_ms', 'created_at'])) {
      phaseDurationsSince(this.db, from, MAX_ROWS).forEach(add);
    }
    return ACTIVE_STATES.flatMap((phase) => {
      const list = byPhase.get(phase);
      if (!list || list.length === 0) return [];
      list.sort((a, c) => a - c);
      const sum = list.reduce((s, x) => s + x, 0);
      return [{ phase, count: list.length, meanMs: sum / list.length, p50Ms: percentile(list, 50), p95Ms: percentile(list, 95), maxMs: list[list.length - 1]! }];
    });
  }

  private throughput(from: number): Metrics['throughput'] {
    const rows = tokenBatchRows(this.db, from, MAX_ROWS);
    const batches: TokenBatch[] = [];
    for (const raw of rows) {
      const r = TokenRow.safeParse(raw);
      if (r.success) batches.push({ stream: `${r.data.task_id}\u0000${r.data.model}\u0000${r.data.role ?? ''}`, model: r.data.model, ts: r.data.ts, count: r.data.count });
    }
    return throughputByModel(batches);
  }

  private council(from: number): Metrics['council'] {
    const counts: Record<z.infer<typeof Decision>, number> = { accept: 0, reject: 0, modify: 0 };
    const tally = (rows: { decision: unknown; n: number }[]) => {
      for (const r of rows) {
        const d = Decision.safeParse(r.decision);
        if (d.success) counts[d.data] += r.n;
      }
    };
    const fromEvents = verdictDecisionCounts(this.db, from);
    tally(fromEvents);
    // Verdicts stored without a journaled event still count.
    if (fromEvents.length === 0 && this.hasColumns('verdicts', ['decision', 'created_at'])) {
      tally(verdictCountsSince(this.db, from));
    }
    return Decision.options.map((decision) => ({ decision, count: counts[decision] }));
  }

  /**
   * Queue length at the end of each bucket that has ended: tasks enter the queue when created (or
   * sent back to it) and leave it on their first state change away from it. The caller adds the
   * present point from the tasks table.
   */
  private queue(b: Buckets, now: number): Metrics['queue'] {
    const before = queueLengthBefore(this.db, b.start);
    const changes = queueChangesSince(this.db, b.start, MAX_ROWS);
    const points: Metrics['queue'] = [];
    let length = Math.max(0, before);
    let i = 0;
    for (let k = 0; k < b.count; k++) {
      const end = b.start + (k + 1) * b.size;
      if (end > now) break;
      while (i < changes.length && changes[i]!.ts < end) length = Math.max(0, length + changes[i++]!.d);
      points.push({ t: end, length });
    }
    return points;
  }

  private current(): { queuedNow: number; activeNow: number } {
    const rows = taskCountsByStateColumn(this.db);
    let queuedNow = 0;
    let activeNow = 0;
    for (const r of rows) {
      const kind = TaskStateKind.safeParse(r.kind);
      if (!kind.success) continue;
      if (kind.data === 'queued') queuedNow += r.n;
      else if ((ACTIVE_STATES as readonly string[]).includes(kind.data)) activeNow += r.n;
    }
    return { queuedNow, activeNow };
  }

  private countType(type: string, from: number): number {
    return countEventsOfType(this.db, type, from);
  }

  /** Tables written by other areas may not exist in every database this code opens. */
  private hasColumns(table: string, columns: readonly string[]): boolean {
    try {
      return tableHasColumns(this.db, table, columns);
    } catch (e) {
      this.logger.debug({ err: e, table }, 'metrics: table not readable');
      return false;
    }
  }
}
