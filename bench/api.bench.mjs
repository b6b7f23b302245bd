#!/usr/bin/env node
/* global process, console, fetch, performance, setTimeout, TextDecoder, AbortController */
// Load benchmark of the REST API and the journal. Every figure is printed beside its target, and
// `--json` prints one JSON object instead.
//  - task listing: GET /api/v1/tasks (default page) with 1,000 tasks in the database, 100 concurrent
//    connections; target p99 < 50 ms. Asked as fetch (undici), browsers and curl --compressed ask:
//    Accept-Encoding gzip. The same without compression (identity) and the /health floor of the same
//    host are printed beside it. The load generator (autocannon) runs in this process, the host in
//    its own, so neither steals the other's event loop (they still share the machine's cores).
//  - event streaming: 100 clients follow /api/v1/events while 300 tasks are submitted; each
//    task.created event must reach every stream once, in order. Deliveries per second (events x
//    streams / time) against a bare node:http server of the same kind (POST publishes, every open
//    SSE stream receives) driven the same way; target >= 0.5x that baseline.
//  - journal appends against a plain better-sqlite3 insert loop of the same rows (bench/journal.bench.ts);
//    target >= 0.7x.
// The host runs from source (bench/api-host.ts), so no build is needed. On a machine shared with
// other work the figures are noisy: compare ratios from one run, not absolute numbers across runs.
// On Linux each load run also says how long the host's event-loop thread was runnable but waiting
// for a CPU (/proc/<pid>/schedstat) and the load average: a p99 above target while the host waited
// for a CPU much of the run is the machine's, not the server's.
//
//   npm run bench:api [-- --json]          (BENCH_DURATION=10 seconds per load run by default)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const JSON_OUT = process.argv.includes('--json');
const CLIENTS = 100;
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const TASKS = 1000;
const STREAM_EVENTS = 300;
const TARGET = { tasksP99Ms: 50, streamRatio: 0.5, journalRatio: 0.7 };
/** Tasks submitted while streaming; their task.created events are the ones every stream must get. */
const STREAM_PREFIX = 'Benchmark stream task';
const node = process.execPath;
const cores = availableParallelism();
const log = (...a) => (JSON_OUT ? undefined : console.log(...a));

const dataDir = mkdtempSync(join(tmpdir(), 'aa-bench-data-'));
const repo = mkdtempSync(join(tmpdir(), 'aa-bench-repo-'));
// A task's target must be a git repository's root inside the allowed folders.
execFileSync('git', ['init', '-q', repo]);
const children = [];
function start(args, env = {}) {
  const child = spawn(node, args, {
    cwd: root,
    env: { ...process.env, AGENT_AGENCY_API_RATE_MAX: '0', AGENT_AGENCY_LOG_LEVEL: 'warn', AGENT_AGENCY_ALLOWED_ROOTS: repo, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}
const stop = () => {
  for (const c of children) c.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  stop();
  process.exit(130);
});

let failed;
let result;
try {
  // The real host (core, REST API, streams; the task engine off, see bench/api-host.ts), with the
  // rate limit off so 100 clients on one address measure the server, not the limiter.
  const { url, token } = await start([join(root, 'bench/run-ts.mjs'), join(root, 'bench/api-host.ts'), dataDir]);
  const auth = { authorization: `Bearer ${token}` };
  const headers = { ...auth, 'content-type': 'application/json' };
  const submit = async (i, prefix = 'Benchmark task') => {
    const res = await fetch(`${url}/api/v1/tasks`, { method: 'POST', headers, body: JSON.stringify({ description: `${prefix} number ${i}`, repoPath: repo }) });
    if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
    return (await res.json()).value;
  };

  log(`seeding ${TASKS} tasks…`);
  for (let i = 0; i < TASKS; i += 20) await Promise.all(Array.from({ length: Math.min(20, TASKS - i) }, (_, j) => submit(i + j)));

  const hostPid = children[0].pid;
  const health = summary(await starved(hostPid, () => cannon(url, '/health', auth)));
  const list = summary(await starved(hostPid, () => cannon(url, '/api/v1/tasks', { ...auth, 'accept-encoding': 'gzip, deflate' })));
  const listIdentity = summary(await starved(hostPid, () => cannon(url, '/api/v1/tasks', auth)));
  const firstPage = await (await fetch(`${url}/api/v1/tasks`, { headers })).json();

  // Streaming, the API: 100 clients follow /api/v1/events; the submitted tasks' task.created events
  // are what each must receive once, in order.
  const api = await streamRun({
    open: () => fetch(`${url}/api/v1/events`, { headers: auth }),
    publish: (i) => submit(i, STREAM_PREFIX),
    marked: (e) => e.type === 'task.created' && e.payload.task.description.startsWith(STREAM_PREFIX),
  });
  // The same, against the bare baseline server.
  const baseUrl = (await start([join(root, 'bench/sse-baseline-server.mjs')])).url;
  const base = await streamRun({
    open: () => fetch(`${baseUrl}/events`),
    publish: async (i) => {
      const res = await fetch(`${baseUrl}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ description: `${STREAM_PREFIX} number ${i}`, repoPath: repo }) });
      if (res.status !== 201) throw new Error(`baseline publish answered ${res.status}`);
      await res.text();
    },
    marked: (e) => e.type === 'task.created',
  });

  // The journal, in its own process after the load runs so they do not compete.
  const journal = await start([join(root, 'bench/run-ts.mjs'), join(root, 'bench/journal.bench.ts'), '--json']);

  const streamRatio = api.deliveriesPerSecond / base.deliveriesPerSecond;
  result = {
    tasks: TASKS,
    connections: CLIENTS,
    duration_s: DURATION,
    tasks_p99_ms: list.p99,
    tasks_rps: list.rps,
    tasks_page: firstPage.value.length,
    tasks_identity_p99_ms: listIdentity.p99,
    tasks_identity_rps: listIdentity.rps,
    tasks_host_cpu_wait_share: list.cpuWaitShare,
    tasks_host_cpu_run_share: list.cpuRunShare,
    tasks_host_cpu_us_per_request: list.cpuUsPerRequest,
    health_host_cpu_us_per_request: health.cpuUsPerRequest,
    load_average_1m: list.load1,
    health_p99_ms: health.p99,
    health_rps: health.rps,
    health_host_cpu_wait_share: health.cpuWaitShare,
    stream_deliveries_per_s: api.deliveriesPerSecond,
    stream_baseline_deliveries_per_s: base.deliveriesPerSecond,
    stream_ratio: streamRatio,
    stream_p99_ms: api.p99,
    journal_ratio: journal.journal_ratio,
    journal_rows_per_s: journal.journal_rows_per_s,
    journal_baseline_rows_per_s: journal.baseline_rows_per_s,
    errors: health.errors + list.errors + listIdentity.errors + api.errors + base.errors,
    targets: { tasks_p99_ms: `< ${TARGET.tasksP99Ms}`, stream_ratio: `>= ${TARGET.streamRatio}`, journal_ratio: `>= ${TARGET.journalRatio}` },
  };
  failed = result.errors > 0;
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    log('');
    log(`REST API benchmark: ${CLIENTS} connections, ${DURATION}s per load run, ${TASKS} tasks in the database`);
    log('');
    log('figure                                        value      target');
    log(`GET /api/v1/tasks p99 (page of ${String(firstPage.value.length).padStart(3)}, gzip) ${fmt(list.p99)} ms   < ${TARGET.tasksP99Ms} ms   (${fmt(list.rps)} req/s)`);
    log(`  same, uncompressed                      ${fmt(listIdentity.p99)} ms   < ${TARGET.tasksP99Ms} ms   (${fmt(listIdentity.rps)} req/s)`);
    log(`  floor: GET /health p99                  ${fmt(health.p99)} ms            (${fmt(health.rps)} req/s)`);
    log(`  host thread during the gzip run: ran ${pct(list.cpuRunShare)} of the time, runnable but waiting for a CPU ${pct(list.cpuWaitShare)}; load average ${list.load1?.toFixed(1) ?? '?'} on ${cores} cores`);
    log(`  host CPU per request (contention moves it little): list ${fmt(list.cpuUsPerRequest ?? NaN)} µs, /health ${fmt(health.cpuUsPerRequest ?? NaN)} µs`);
    log(`SSE deliveries/s, API / bare SSE server    ${fmt(streamRatio, 2)} x    >= ${TARGET.streamRatio} x   (${fmt(api.deliveriesPerSecond)} vs ${fmt(base.deliveriesPerSecond)} deliveries/s; API delivery p99 ${fmt(api.p99)} ms)`);
    log(`journal appends / plain insert loop        ${fmt(journal.journal_ratio, 2)} x    >= ${TARGET.journalRatio} x   (${fmt(journal.journal_rows_per_s)} vs ${fmt(journal.baseline_rows_per_s)} rows/s)`);
    if (failed) console.error(`ERRORS during the benchmark: ${result.errors}`);
  }
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  stop();
}
process.exit(failed ? 1 : 0);

function cannon(url, path, headers) {
  return autocannon({ url: `${url}${path}`, connections: CLIENTS, duration: DURATION, headers });
}

function summary(r) {
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx, total: r.requests.total, cpuWaitShare: r.cpuWaitShare, cpuRunShare: r.cpuRunShare, cpuUsPerRequest: r.cpuUsPerRequest, load1: r.load1 };
}

/** /proc/<pid>/schedstat: ns on a CPU, ns runnable but waiting for one (Linux; undefined elsewhere). */
function schedstat(pid) {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { run, wait };
  } catch {
    return undefined;
  }
}

/** Runs a load run and adds the share of its wall time the host's main thread ran and waited for a CPU. */
async function starved(pid, run) {
  const before = schedstat(pid);
  const started = process.hrtime.bigint();
  const r = await run();
  const wall = Number(process.hrtime.bigint() - started);
  const after = schedstat(pid);
  if (before && after) {
    Object.assign(r, { cpuRunShare: (after.run - before.run) / wall, cpuWaitShare: (after.wait - before.wait) / wall, cpuUsPerRequest: (after.run - before.run) / 1000 / Math.max(1, r.requests.total) });
  }
  return Object.assign(r, { load1: process.platform === 'win32' ? undefined : loadavg()[0] });
}

function pct(share) {
  return share === undefined ? '?' : `${(share * 100).toFixed(0)}%`;
}

function fmt(n, digits) {
  return n.toFixed(digits ?? (n < 10 ? 2 : 0)).padStart(8);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function waitFor(cond, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`gave up waiting after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Opens CLIENTS streams, publishes STREAM_EVENTS events in batches of 10, and waits until every
 * stream has every marked event. Deliveries per second = marked events x streams / elapsed.
 */
async function streamRun({ open, publish, marked }) {
  const streams = await Promise.all(Array.from({ length: CLIENTS }, () => follow(open, marked)));
  const started = performance.now();
  for (let i = 0; i < STREAM_EVENTS; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => publish(i + j)));
  await waitFor(() => streams.every((s) => s.received >= STREAM_EVENTS), 120_000).catch(() => undefined);
  const elapsed = (performance.now() - started) / 1000;
  for (const s of streams) s.close();
  const latencies = streams.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const delivered = streams.reduce((n, s) => n + s.received, 0);
  const errors = streams.reduce((n, s) => n + s.errors + s.outOfOrder + (s.received === STREAM_EVENTS ? 0 : 1), 0);
  return { deliveriesPerSecond: delivered / elapsed, p99: percentile(latencies, 0.99), errors };
}

async function follow(open, marked) {
  const controller = new AbortController();
  const s = { received: 0, latencies: [], errors: 0, outOfOrder: 0, last: 0, close: () => controller.abort() };
  const res = await open();
  if (res.status !== 200) throw new Error(`stream answered ${res.status}`);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        if (controller.signal.aborted) break;
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
          if (marked(event)) {
            s.received++;
            s.latencies.push(Date.now() - event.ts);
          }
        }
      }
    } catch (e) {
      if (e.name !== 'AbortError') s.errors++;
    }
  })();
  controller.signal.addEventListener('abort', () => void res.body.cancel().catch(() => undefined));
  return s;
}
