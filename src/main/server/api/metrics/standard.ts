import type { FastifyInstance } from 'fastify';
import { TASK_STATE_KINDS } from '../../../../shared/domain/task';
import type { Core } from '../../../core/composition/app-core';
import { lastSeq } from '../../../core/db/queries/events';
import { countTasksByState } from '../../../core/db/queries/tasks';
import type { Counter, MetricsRegistry } from './registry';

/** Task counts and the journal's size, read from the database at scrape time. */
export function registerCoreMetrics(registry: MetricsRegistry, core: Core): void {
  registry.gauge({
    name: 'agent_agency_tasks',
    help: 'Tasks by lifecycle state.',
    collect: () => {
      const counts = countTasksByState(core.db);
      return TASK_STATE_KINDS.map((state) => ({ labels: { state }, value: counts[state] ?? 0 }));
    },
  });
  registry.gauge({
    name: 'agent_agency_events_total',
    help: 'Events written to the journal (its last sequence number; the journal is gap-free).',
    type: 'counter',
    collect: () => [{ value: lastSeq(core.db) }],
  });
  registry.gauge({
    name: 'agent_agency_process_resident_memory_bytes',
    help: 'Resident memory of this process.',
    collect: () => [{ value: process.memoryUsage.rss() }],
  });
}

export type SseMetrics = { open(): void; close(): void; event(): void };

/**
 * Request counts and latency of every HTTP route, labelled by the route's pattern (not the raw
 * URL), so the number of series stays bounded however many task ids are requested.
 */
export function registerHttpMetrics(registry: MetricsRegistry, app: FastifyInstance): SseMetrics {
  const requests = registry.counter({
    name: 'agent_agency_http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
  });
  const latency = registry.histogram({
    name: 'agent_agency_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (event streams excluded), by method and route.',
  });
  let openStreams = 0;
  registry.gauge({ name: 'agent_agency_sse_clients', help: 'Open event streams.', collect: () => [{ value: openStreams }] });
  const sent: Counter = registry.counter({ name: 'agent_agency_sse_events_sent_total', help: 'Events written to event streams.' });

  const started = new WeakMap<object, bigint>();
  app.addHook('onRequest', async (request) => {
    started.set(request, process.hrtime.bigint());
  });
  app.addHook('onResponse', async (request, reply) => {
    const start = started.get(request);
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    if (start !== undefined) latency.observe(Number(process.hrtime.bigint() - start) / 1e9, { method: request.method, route });
  });
  return {
    open: () => {
      openStreams++;
      requests.inc({ method: 'GET', route: 'event-stream', status: '200' });
    },
    close: () => {
      openStreams--;
    },
    event: () => sent.inc(),
  };
}
