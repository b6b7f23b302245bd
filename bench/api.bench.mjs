#!/usr/bin/env node
/* global process, console, fetch, performance, setTimeout, TextDecoder, AbortController */
// Load benchmark of the REST API: task listing and event streaming with 100 clients, against the
// /health baseline measured on the same running host in the same run. Prints ratios, not absolute
// verdicts (the machine is shared); exits 1 if any request or stream errored.
//
//   npm run build && npm run bench:api            (BENCH_DURATION=10 seconds per run by default)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLIENTS = 100;
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const TASKS = 200;
const STREAM_EVENTS = 300;
/** Tasks submitted while streaming; their task.created events are the ones every stream must get. */
const STREAM_PREFIX = 'Benchmark stream task';

if (!existsSync(join(root, 'out/main/cli.js'))) {
  console.error('bench:api needs the build; run "npm run build" first');
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), 'aa-bench-data-'));
const repo = mkdtempSync(join(tmpdir(), 'aa-bench-repo-'));
// The real headless host, as `agent-agency serve` runs it; the rate limit is off so 100 clients
// on one address measure the server, not the limiter.
const server = spawn(join(root, 'node_modules/.bin/node'), [join(root, 'bin/agent-agency.js'), 'serve', '--port', '0', '--json'], {
  env: { ...process.env, AGENT_AGENCY_DATA_DIR: dataDir, AGENT_AGENCY_API_RATE_MAX: '0', AGENT_AGENCY_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const stop = () => {
  server.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  stop();
  process.exit(130);
});

const { url, token } = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
  });
  server.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

async function submit(i, prefix = 'Benchmark task') {
  const res = await fetch(`${url}/api/v1/tasks`, { method: 'POST', headers, body: JSON.stringify({ description: `${prefix} number ${i}`, repoPath: repo }) });
  if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
  return (await res.json()).value;
}

function cannon(path) {
  return autocannon({ url: `${url}${path}`, connections: CLIENTS, duration: DURATION, headers: { authorization: `Bearer ${token}` } });
}

const summary = (r) => ({
  rps: r.requests.average,
  p99: r.latency.p99,
  errors: r.errors + r.timeouts + r.non2xx,
  total: r.requests.total,
});

let failed;
try {
  for (let i = 0; i < TASKS; i++) await submit(i);
  // The host runs its task engine: with no model assigned every task fails at planning. Let the
  // seeded ones settle, so the runs below measure the API and not the engine's first burst.
  await waitFor(async () => {
    const res = await fetch(`${url}/api/v1/tasks?limit=1&states=queued,planning,reviewing_plan,executing,verifying,reviewing_change,applying`, { headers });
    return (await res.json()).value.length === 0;
  }, 120_000);

  // Request-response: /health (no token, no database) is the floor every route pays.
  const health = summary(await cannon('/health'));
  const list = summary(await cannon('/api/v1/tasks?limit=50'));

  // Streaming: 100 clients follow /api/v1/events; each submitted task is one event every client must
  // receive once, in order. Latency = arrival - the event's journal timestamp (same machine clock).
  const streams = await openStreams(CLIENTS);
  const started = performance.now();
  const batch = 10;
  for (let i = 0; i < STREAM_EVENTS; i += batch) await Promise.all(Array.from({ length: batch }, (_, j) => submit(i + j, STREAM_PREFIX)));
  await waitFor(() => streams.every((s) => s.received >= STREAM_EVENTS), 60_000);
  const elapsed = (performance.now() - started) / 1000;
  for (const s of streams) s.close();
  const latencies = streams.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const delivered = streams.reduce((n, s) => n + s.all, 0);
  const streamErrors = streams.reduce((n, s) => n + s.errors + s.outOfOrder + (s.received === STREAM_EVENTS ? 0 : 1), 0);
  const stream = { eventsPerSecond: delivered / elapsed, p99: percentile(latencies, 0.99), errors: streamErrors, delivered };
  const marked = streams.reduce((n, s) => n + s.received, 0);

  const ratio = (a, b) => (b === 0 ? 'n/a' : (a / b).toFixed(2));
  console.log(`REST API benchmark: ${CLIENTS} clients, ${DURATION}s per run, ${TASKS} tasks in the database`);
  console.log('');
  console.log('run                         req/s    p99 ms   errors');
  console.log(`baseline GET /health     ${fmt(health.rps)} ${fmt(health.p99)} ${String(health.errors).padStart(8)}`);
  console.log(`GET /api/v1/tasks?limit=50 ${fmt(list.rps)} ${fmt(list.p99)} ${String(list.errors).padStart(8)}`);
  console.log(`SSE /api/v1/events       ${fmt(stream.eventsPerSecond)} ${fmt(stream.p99)} ${String(stream.errors).padStart(8)}   (events delivered/s over ${CLIENTS} streams; p99 = delivery latency)`);
  console.log('');
  console.log(`task listing / baseline:  throughput ${ratio(list.rps, health.rps)}x, p99 latency ${ratio(list.p99, health.p99)}x`);
  console.log(`event streaming / baseline: deliveries per second ${ratio(stream.eventsPerSecond, health.rps)}x of baseline requests, p99 ${ratio(stream.p99, health.p99)}x`);
  console.log(`${delivered} events delivered to ${CLIENTS} streams in ${elapsed.toFixed(1)}s (${marked} of them the ${STREAM_EVENTS} task.created events each stream had to get; the rest the engine's own events for those tasks)`);
  failed = health.errors + list.errors + stream.errors > 0;
  if (failed) console.error('ERRORS during the benchmark (see the errors column)');
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  stop();
}
process.exit(failed ? 1 : 0);

function fmt(n) {
  return n.toFixed(n < 10 ? 2 : 0).padStart(9);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function waitFor(cond, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Opens `n` event streams from "now" on and tracks what each receives. */
async function openStreams(n) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const controller = new AbortController();
      const s = { all: 0, received: 0, latencies: [], errors: 0, outOfOrder: 0, last: 0, close: () => controller.abort() };
      const res = await fetch(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
      if (res.status !== 200) throw new Error(`stream answered ${res.status}`);
      void (async () => {
        const decoder = new TextDecoder();
        let buffer = '';
        try {
          for await (const chunk of res.body) {
            buffer += decoder.decode(chunk, { stream: true });
            let end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const message = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = message.split('\n').find((l) => l.startsWith('data: '));
              if (!data) continue;
              const event = JSON.parse(data.slice(6));
              if (event.seq <= s.last) s.outOfOrder++;
              s.last = event.seq;
              s.all++;
              if (event.type === 'task.created' && event.payload.task.description.startsWith(STREAM_PREFIX)) {
                s.received++;
                s.latencies.push(Date.now() - event.ts);
              }
            }
          }
        } catch (e) {
          if (e.name !== 'AbortError') s.errors++;
        }
      })();
      return s;
    }),
  );
}
