import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** One span as the OTLP/HTTP JSON encoding carries it (ids in hex, times in nanoseconds as strings). */
const AnyValue = z.object({
  stringValue: z.string().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  doubleValue: z.number().optional(),
  boolValue: z.boolean().optional(),
  arrayValue: z.object({ values: z.array(z.unknown()).optional() }).optional(),
});
const KeyValue = z.object({ key: z.string(), value: AnyValue });
const OtlpSpan = z.object({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.number().int(),
  startTimeUnixNano: z.union([z.string(), z.number()]),
  endTimeUnixNano: z.union([z.string(), z.number()]),
  attributes: z.array(KeyValue).default([]),
  events: z.array(z.object({ name: z.string(), timeUnixNano: z.union([z.string(), z.number()]), attributes: z.array(KeyValue).default([]) })).default([]),
  status: z.object({ code: z.number().int().optional(), message: z.string().optional() }).optional(),
});
/** ExportTraceServiceRequest, JSON-encoded. */
const ExportRequest = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: z.array(KeyValue).default([]) }),
      scopeSpans: z.array(z.object({ scope: z.object({ name: z.string() }).optional(), spans: z.array(OtlpSpan) })),
    }),
  ),
});

export type ReceivedSpan = {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  status: number;
  resource: Record<string, unknown>;
};

export type OtlpReceiver = { url: string; port: number; requests: { path: string; contentType: string }[]; spans: ReceivedSpan[]; close(): Promise<void> };

/**
 * A small OTLP/HTTP trace receiver on loopback: it accepts POST /v1/traces with the JSON encoding,
 * validates each ExportTraceServiceRequest and keeps its spans; any other request is refused.
 */
export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const requests: OtlpReceiver['requests'] = [];
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      requests.push({ path: req.url ?? '', contentType });
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !contentType.startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      const parsed = ExportRequest.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      if (!parsed.success) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: parsed.error.message }));
        return;
      }
      for (const rs of parsed.data.resourceSpans) {
        const resource = attrs(rs.resource.attributes);
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId || undefined,
              name: s.name,
              startMs: Number(BigInt(s.startTimeUnixNano) / 1_000_000n),
              endMs: Number(BigInt(s.endTimeUnixNano) / 1_000_000n),
              attributes: attrs(s.attributes),
              events: s.events.map((e) => ({ name: e.name, attributes: attrs(e.attributes) })),
              status: s.status?.code ?? 0,
              resource,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function attrs(list: z.infer<typeof KeyValue>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.doubleValue ?? value.boolValue ?? value.arrayValue?.values;
  }
  return out;
}

/** The spans of one trace drawn as an indented tree, children in start order. */
export function drawTree(spans: ReceivedSpan[]): string {
  const byParent = new Map<string | undefined, ReceivedSpan[]>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : undefined;
    byParent.set(parent, [...(byParent.get(parent) ?? []), s]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const s of (byParent.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs)) {
      lines.push(`${'  '.repeat(depth)}${s.name} [${s.spanId}] ${s.endMs - s.startMs}ms`);
      walk(s.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
