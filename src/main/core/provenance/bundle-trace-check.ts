import { traceIdOf } from '../observability/trace-id';
import type { TraceSpan } from '../observability/trace-span';
import type { Findings } from './bundle-findings';
import type { BundleEvent } from './bundle-schema';

const ENDINGS = new Set(['task.completed', 'task.failed', 'task.cancelled']);

/**
 * The trace a bundle carries must be one well-formed trace of its task. Each span's shape (hex ids,
 * nanosecond times, status, attributes) is checked by the bundle schema; here: every span belongs
 * to the task's trace (`traceIdOf(taskId)`), no span id repeats, no span ends before it starts, and
 * a task that ended has its root span `task <id>`. What an honest trace can still lack is a warning,
 * not a failure: parents that never finished (the app stopped while the task ran), a second root
 * (events after the end), or no root yet (exported while the task ran).
 */
export function checkTrace(spans: readonly TraceSpan[], taskId: string, events: readonly BundleEvent[], findings: Findings, warnings: string[]): void {
  if (spans.length === 0) {
    findings.add('malformed', 'trace', 'trace is empty: an exported trace holds at least one span');
    return;
  }
  const expected = traceIdOf(taskId);
  const ids = new Set<string>();
  spans.forEach((s, i) => {
    const element = `trace[${i}]`;
    if (s.traceId !== expected) findings.add('malformed', element, `${element} (${s.name}) belongs to trace ${s.traceId}, not to task ${taskId}'s trace ${expected}`);
    if (ids.has(s.spanId)) findings.add('malformed', element, `${element} (${s.name}) repeats span id ${s.spanId}`);
    ids.add(s.spanId);
    if (BigInt(s.endTimeUnixNano) < BigInt(s.startTimeUnixNano)) findings.add('malformed', element, `${element} (${s.name}) ends before it starts`);
  });
  const roots = spans.filter((s) => s.parentSpanId === null);
  const named = roots.filter((s) => s.name === `task ${taskId}`);
  const ended = events.some((e) => ENDINGS.has(e.type));
  if (named.length === 0) {
    if (ended) findings.add('malformed', 'trace', `trace has no root span "task ${taskId}", though the task ended`);
    else warnings.push('the trace has no root span yet: the task had not ended when it was exported');
  } else if (roots.length > 1) {
    warnings.push(`the trace has ${roots.length} root spans (events after the task ended start a new one)`);
  }
  const dangling = spans.filter((s) => s.parentSpanId !== null && !ids.has(s.parentSpanId));
  if (dangling.length > 0) {
    warnings.push(`${dangling.length} span(s) of the trace hang off spans that never finished (the app stopped while the task ran): ${dangling.slice(0, 3).map((s) => s.name).join(', ')}`);
  }
}
