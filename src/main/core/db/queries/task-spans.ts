import { z } from 'zod';
import { TraceSpan } from '../../observability/trace-span';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

/** Finished spans of the tasks' traces (migration 0023). */

type SpanRow = {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: number;
  start_ns: string;
  end_ns: string;
  status_code: number;
  status_message: string | null;
  attributes_json: string;
  events_json: string;
};

/** Stores a finished span; a span already stored (same trace and span id) is kept as it was. */
export function insertTaskSpan(db: Db, span: TraceSpan, recordedAt: number): void {
  cachedStatement(
    db,
    `INSERT OR IGNORE INTO task_spans (trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, status_code, status_message, attributes_json, events_json, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    span.traceId,
    span.spanId,
    span.parentSpanId,
    span.name,
    span.kind,
    span.startTimeUnixNano,
    span.endTimeUnixNano,
    span.status.code,
    span.status.message ?? null,
    JSON.stringify(span.attributes),
    JSON.stringify(span.events),
    recordedAt,
  );
}

const Json = z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not JSON' });
    return z.NEVER;
  }
});

/** The spans of one trace, by start time (then span id), each parsed: a damaged row is an error, not a guess. */
export function spansOfTrace(db: Db, traceId: string): TraceSpan[] {
  const rows = cachedStatement(db, 'SELECT * FROM task_spans WHERE trace_id = ?').all(traceId) as SpanRow[];
  return rows
    .map((r) =>
      TraceSpan.parse({
        traceId: r.trace_id,
        spanId: r.span_id,
        parentSpanId: r.parent_span_id,
        name: r.name,
        kind: r.kind,
        startTimeUnixNano: r.start_ns,
        endTimeUnixNano: r.end_ns,
        status: r.status_message === null ? { code: r.status_code } : { code: r.status_code, message: r.status_message },
        attributes: Json.parse(r.attributes_json),
        events: Json.parse(r.events_json),
      }),
    )
    .sort((a, b) => compareNanos(a.startTimeUnixNano, b.startTimeUnixNano) || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
}

function compareNanos(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
