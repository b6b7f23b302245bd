import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base';

/**
 * Span ids are random; a task's root span takes the trace id set just before it starts
 * (`traceIdOf(taskId)`), so the trace joins the task's log lines. Spans start synchronously, so
 * the id cannot go to another span.
 */
export class TaskIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private next: string | undefined;
  private nextSpan: string | undefined;

  /** The trace id the next root span takes. */
  useTraceId(traceId: string): void {
    this.next = traceId;
  }

  generateTraceId(): string {
    const id = this.next;
    this.next = undefined;
    return id ?? this.random.generateTraceId();
  }

  /** The span id the next span takes (a phase span, whose id the task page derives from the journal). */
  useSpanId(spanId: string): void {
    this.nextSpan = spanId;
  }

  generateSpanId(): string {
    const id = this.nextSpan;
    this.nextSpan = undefined;
    return id ?? this.random.generateSpanId();
  }
}
