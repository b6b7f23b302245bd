import { z } from 'zod';
import type { Metrics } from '../../../shared/channels/metrics';
import { ACTIVE_STATES, ActiveStateKind, TaskStateKind } from '../../../shared/domain/task';
import type { Db } from '../db/open';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { bucketIndex, bucketsFor, percentile, type Buckets } from './buckets';
import { throughputByModel, type TokenBatch } from './throughput';

export type MetricsServiceOptions = { db: Db; clock: Clock; logger: Logger };

/** Most journal rows one chart reads; beyond it the chart shows the most recent part of the window. */
const MAX_ROWS = 200_000;
const TERMINAL = ['completed', 'failed', 'cancelled'] as const;
type Terminal = (typeof TERMINAL)[number];

/** `json_extract` that yields NULL for a payload that is not JSON instead of failing the query. */
const field = (path: string) => `CASE WHEN json_valid(payload) THEN json_extract(payload, '${path}') END`;

const PhaseRow = z.object({ phase: ActiveStateKind, durationMs: z.number().nonnegative() });
const TokenRow = z.object({ task_id: z.string(), ts: z.number(), model: z.string(), role: z.string().nullable(), count: z.number().int().nonnegative() });
const Decision = z.enum(['accept', 'reject', 'modify']);

/**
 * The Metrics page's figures, computed from the event journal (the one record every area writes)
 * and the tasks table. Reads are bounded by the time window and use the (type, ts) index.
 */
export class MetricsService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: MetricsServiceOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  compute(windowMs: number): Metrics {
    const now = this.clock.now();
    const buckets = bucketsFor(now, windowMs);
    const from = buckets.start;
    const { outcomes, totals } = this.outcomes(buckets);
    return {
      from,
      to: now,
      bucketMs: buckets.size,
      outcomes,
      phaseDurations: this.phaseDurations(from),
      throughput: this.throughput(from),
      council: this.council(from),
      queue: this.queue(buckets, now),
      totals: { ...totals, submitted: this.countType('task.created', from), ...this.current() },
    };
  }

  /** Each task's first terminal outcome in the window, by bucket. */
  private outcomes(b: Buckets): { outcomes: Metrics['outcomes']; totals: Record<Terminal, number> } {
    const rows = this.db
      .prepare(
        `SELECT task_id, ts, CASE type WHEN 'task.state' THEN ${field('$.to.kind')} ELSE substr(type, 6) END AS outcome
         FROM events
         WHERE type IN ('task.completed', 'task.failed', 'task.cancelled', 'task.state') AND ts >= ?
         ORDER BY seq LIMIT ?`,
      )
      .all(b.start, MAX_ROWS) as { task_id: string; ts: number; outcome: unknown }[];
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
    const rows = this.db
      .prepare(`SELECT ${field('$.phase')} AS phase, ${field('$.durationMs')} AS durationMs FROM events WHERE type = 'phase.completed' AND ts >= ? LIMIT ?`)
      .all(from, MAX_ROWS);
    rows.forEach(add);
    // Older engines recorded phase timings only in task_resource_history.
    if (rows.length === 0 && this.hasColumns('task_resource_history', ['phase', 'duration_ms', 'created_at'])) {
      this.db
        .prepare('SELECT phase, duration_ms AS durationMs FROM task_resource_history WHERE created_at >= ? LIMIT ?')
        .all(from, MAX_ROWS)
        .forEach(add);
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
    const rows = this.db
      .prepare(
        `SELECT task_id, ts, ${field('$.model')} AS model, ${field('$.role')} AS role, ${field('$.count')} AS count
         FROM events WHERE type = 'model.tokens' AND ts >= ? ORDER BY seq DESC LIMIT ?`,
      )
      .all(from, MAX_ROWS);
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
    const fromEvents = this.db
      .prepare(`SELECT ${field('$.decision')} AS decision, count(*) AS n FROM events WHERE type = 'council.verdict' AND ts >= ? GROUP BY 1`)
      .all(from) as { decision: unknown; n: number }[];
    tally(fromEvents);
    // Verdicts stored without a journaled event still count.
    if (fromEvents.length === 0 && this.hasColumns('verdicts', ['decision', 'created_at'])) {
      tally(this.db.prepare('SELECT decision, count(*) AS n FROM verdicts WHERE created_at >= ? GROUP BY 1').all(from) as { decision: unknown; n: number }[]);
    }
    return Decision.options.map((decision) => ({ decision, count: counts[decision] }));
  }

  /**
   * Queue length at the end of each bucket: tasks enter the queue when created (or sent back to
   * it) and leave it on their first state change away from it. The last point is the tasks table.
   */
  private queue(b: Buckets, now: number): Metrics['queue'] {
    const delta = `CASE
        WHEN type = 'task.created' THEN 1
        WHEN to_kind = 'queued' AND from_kind IS NOT 'queued' THEN 1
        WHEN from_kind = 'queued' AND to_kind IS NOT 'queued' THEN -1
        ELSE 0 END`;
    const source = `SELECT type, ts, seq, ${field('$.from.kind')} AS from_kind, ${field('$.to.kind')} AS to_kind
      FROM events WHERE type IN ('task.created', 'task.state')`;
    const before = this.db.prepare(`SELECT COALESCE(SUM(${delta}), 0) AS n FROM (${source} AND ts < ?)`).get(b.start) as { n: number };
    const changes = this.db
      .prepare(`SELECT ts, ${delta} AS d FROM (${source} AND ts >= ?) WHERE d <> 0 ORDER BY seq LIMIT ?`)
      .all(b.start, MAX_ROWS) as { ts: number; d: number }[];
    const points: Metrics['queue'] = [];
    let length = Math.max(0, before.n);
    let i = 0;
    for (let k = 0; k < b.count; k++) {
      const end = b.start + (k + 1) * b.size;
      if (end > now) break;
      while (i < changes.length && changes[i]!.ts < end) length = Math.max(0, length + changes[i++]!.d);
      points.push({ t: end, length });
    }
    points.push({ t: now, length: this.current().queuedNow });
    return points;
  }

  private current(): { queuedNow: number; activeNow: number } {
    const rows = this.db.prepare('SELECT state_kind AS kind, count(*) AS n FROM tasks GROUP BY state_kind').all() as { kind: string; n: number }[];
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
    return (this.db.prepare('SELECT count(*) AS n FROM events WHERE type = ? AND ts >= ?').get(type, from) as { n: number }).n;
  }

  /** Tables written by other areas may not exist in every database this code opens. */
  private hasColumns(table: string, columns: readonly string[]): boolean {
    try {
      const have = new Set((this.db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[]).map((c) => c.name));
      return columns.every((c) => have.has(c));
    } catch (e) {
      this.logger.debug({ err: e, table }, 'metrics: table not readable');
      return false;
    }
  }
}
