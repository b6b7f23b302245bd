import { z } from 'zod';

/**
 * One finished span of a task's trace as the app keeps it and an audit bundle carries it: the
 * OTLP/JSON shape, reduced to what a span says (no resource or scope: every span is the app's).
 * Times are Unix nanoseconds as decimal strings, exact, as OTLP/JSON writes them.
 */
const Hex = (n: number) => z.string().regex(new RegExp(`^[0-9a-f]{${n}}$`), `must be ${n} lowercase hex digits`);
const Nanos = z.string().regex(/^\d{1,20}$/, 'must be Unix nanoseconds as a decimal string');
const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const AttributeValue = z.union([Scalar, z.array(z.union([Scalar, z.null()]))]);
const Attributes = z.record(z.string(), AttributeValue);

export const TraceSpan = z.strictObject({
  traceId: Hex(32),
  spanId: Hex(16),
  parentSpanId: Hex(16).nullable(),
  name: z.string().min(1).max(1000),
  /** OpenTelemetry SpanKind: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  kind: z.number().int().min(0).max(4),
  startTimeUnixNano: Nanos,
  endTimeUnixNano: Nanos,
  /** OpenTelemetry status: 0 unset, 1 ok, 2 error. */
  status: z.strictObject({ code: z.number().int().min(0).max(2), message: z.string().optional() }),
  attributes: Attributes,
  events: z.array(z.strictObject({ name: z.string(), timeUnixNano: Nanos, attributes: Attributes })),
});
export type TraceSpan = z.infer<typeof TraceSpan>;
