import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Db } from '../db/open';
import { insertTaskSpan } from '../db/queries/task-spans';
import type { Logger } from '../observability/logger';
import type { TraceSpan } from '../observability/trace-span';

/**
 * A span processor that keeps every finished span in the data folder (`task_spans`), so a task's
 * audit bundle can carry its trace whether or not a collector receives it. Writes are synchronous
 * (one small insert per span, as the span ends), so nothing is pending when the app closes; a span
 * that cannot be written is logged and dropped, never thrown into the task's work.
 */
export class TaskSpanStore implements SpanProcessor {
  private closed = false;

  constructor(private readonly o: { db: Db; logger: Logger; now: () => number }) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.closed || !this.o.db.open) return;
    try {
      insertTaskSpan(this.o.db, toTraceSpan(span), this.o.now());
    } catch (e) {
      this.o.logger.warn({ err: e, span: span.name }, 'could not keep a task span');
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Unix nanoseconds of an OpenTelemetry time, exact. */
export function nanos(t: HrTime): string {
  return (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();
}

/** The SDK's span in the shape the app keeps and bundles (OTLP/JSON names). */
export function toTraceSpan(span: ReadableSpan): TraceSpan {
  const ctx = span.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
    status: span.status.message ? { code: span.status.code, message: span.status.message } : { code: span.status.code },
    attributes: plain(span.attributes),
    events: span.events.map((e) => ({ name: e.name, timeUnixNano: nanos(e.time), attributes: plain(e.attributes ?? {}) })),
  };
}

/** Attributes with undefined values dropped and arrays kept (JSON has no undefined). */
function plain(attributes: Attributes): TraceSpan['attributes'] {
  const out: TraceSpan['attributes'] = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map((x) => (x === undefined ? null : x)) : v;
  }
  return out;
}
