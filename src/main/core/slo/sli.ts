import type { SloDefinition } from '../../../shared/channels/slo';
import type { Db } from '../db/open';
import { eventsOfTasks, eventsOfTypes, type JournalRow } from '../db/queries/slo';

/** One judged event of an SLO: when it happened, whether it was good, and the value judged. */
export type Sample = { ts: number; good: boolean; value?: number; key?: string };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What a sandboxed command's refusal says in its gate details (sandbox/denial.ts). */
const SANDBOX_DENIAL = /write outside the workspace refused|network access refused|limit reached/;

/**
 * The SLO's events in `[from, to)`, read from the journal, so every figure survives a restart and
 * can be recomputed for any past window.
 */
export function samples(db: Db, d: SloDefinition, from: number, to: number): Sample[] {
  const t = d.threshold ?? 0;
  switch (d.id) {
    case 'task_success':
      return eventsOfTypes(db, ['task.completed', 'task.failed'], from, to).map((e) => ({ ts: e.ts, good: e.type === 'task.completed' }));
    case 'time_to_first_plan': {
      const done = eventsOfTypes(db, ['phase.completed'], from, to).filter((e) => e.payload['phase'] === 'planning');
      const history = eventsOfTasks(db, done.map((e) => e.taskId), ['task.created', 'phase.completed']);
      const out: Sample[] = [];
      for (const e of done) {
        const mine = history.filter((h) => h.taskId === e.taskId);
        const first = mine.find((h) => h.type === 'phase.completed' && h.payload['phase'] === 'planning');
        const created = mine.find((h) => h.type === 'task.created');
        if (!first || first.ts !== e.ts || !created) continue;
        const seconds = (e.ts - created.ts) / 1000;
        out.push({ ts: e.ts, good: seconds <= t, value: seconds });
      }
      return out;
    }
    case 'council_review_latency_p95':
      return eventsOfTypes(db, ['phase.completed'], from, to)
        .filter((e) => e.payload['phase'] === 'reviewing_plan' || e.payload['phase'] === 'reviewing_change')
        .map((e) => {
          const seconds = (num(e.payload['durationMs']) ?? 0) / 1000;
          return { ts: e.ts, good: seconds <= t, value: seconds };
        });
    case 'model_throughput':
      return generations(eventsOfTypes(db, ['model.tokens'], from, to)).map((g) => ({ ts: g.ts, good: g.tps >= t, value: g.tps, key: g.model }));
    case 'approval_wait':
      return approvalWaits(db, from, to, t);
    case 'crash_recoveries':
      return eventsOfTypes(db, ['task.recovered'], from, to)
        .filter((e) => e.payload['cause'] === 'restart')
        .map((e) => ({ ts: e.ts, good: false }));
    case 'sandbox_denials':
      return eventsOfTypes(db, ['tool.denied', 'gate.result'], from, to)
        .filter((e) => e.type === 'tool.denied' || SANDBOX_DENIAL.test(str(e.payload['details']) ?? ''))
        .map((e) => ({ ts: e.ts, good: false }));
  }
}

/**
 * Token batches grouped into generations: consecutive batches of one task, model and role less
 * than five seconds apart. Speed is tokens over the span between the first and the last batch.
 */
function generations(rows: JournalRow[]): Array<{ ts: number; tps: number; model: string }> {
  const open = new Map<string, { first: number; last: number; tokens: number; batches: number; model: string }>();
  const out: Array<{ ts: number; tps: number; model: string }> = [];
  const close = (g: { first: number; last: number; tokens: number; batches: number; model: string }) => {
    const span = (g.last - g.first) / 1000;
    if (g.batches >= 2 && span > 0) out.push({ ts: g.last, tps: g.tokens / span, model: g.model });
  };
  for (const e of rows) {
    const model = str(e.payload['model']) ?? 'unknown';
    const key = `${e.taskId}|${model}|${str(e.payload['role']) ?? ''}`;
    const count = num(e.payload['count']) ?? 0;
    const g = open.get(key);
    if (g && e.ts - g.last <= 5000) {
      g.last = e.ts;
      g.tokens += count;
      g.batches++;
    } else {
      if (g) close(g);
      open.set(key, { first: e.ts, last: e.ts, tokens: 0, batches: 1, model });
    }
  }
  for (const g of open.values()) close(g);
  return out;
}

/** Each answered approval judged by how long it waited; one still waiting past the threshold is bad now. */
function approvalWaits(db: Db, from: number, to: number, thresholdS: number): Sample[] {
  const answers = eventsOfTypes(db, ['approval.granted', 'approval.denied', 'council.overridden'], from, to);
  const pendingWindow = eventsOfTypes(db, ['approval.requested'], from, to);
  const history = eventsOfTasks(db, [...answers, ...pendingWindow].map((e) => e.taskId), ['approval.requested', 'approval.granted', 'approval.denied', 'council.overridden']);
  const out: Sample[] = [];
  const byTask = new Map<string, JournalRow[]>();
  for (const h of history) byTask.set(h.taskId, [...(byTask.get(h.taskId) ?? []), h]);
  for (const [, list] of byTask) {
    let asked: number | undefined;
    for (const e of list) {
      if (e.type === 'approval.requested') asked ??= e.ts;
      else if (asked !== undefined) {
        if (e.ts > from && e.ts <= to) {
          const seconds = (e.ts - asked) / 1000;
          out.push({ ts: e.ts, good: seconds <= thresholdS, value: seconds });
        }
        asked = undefined;
      }
    }
    if (asked !== undefined && (to - asked) / 1000 > thresholdS) out.push({ ts: to, good: false, value: (to - asked) / 1000 });
  }
  return out;
}
