/**
 * The headless host as `agent-agency serve` composes it (core, REST API, event streams), run from
 * source for bench/api.bench.mjs so the benchmark does not need `npm run build`. Two differences,
 * both to measure the API alone: the task engine does not run (a submitted task stays queued, and
 * the event stream carries exactly the events the benchmark causes), and the renderer bundle is a
 * one-page folder the API does not touch. Prints one JSON line {url, token}; runs until killed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCore } from '../src/main/core/composition/app-core';
import { createLogger } from '../src/main/core/observability/logger';
import { startHeadlessHost } from '../src/main/server/host';

export default async function main(args: string[]): Promise<void> {
  const dataDir = resolve(args[0] ?? mkdtempSync(join(tmpdir(), 'aa-bench-host-')));
  const rendererDir = mkdtempSync(join(tmpdir(), 'aa-bench-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>bench</title>');
  const core = createCore({ dataDir, logger: createLogger() });
  const host = await startHeadlessHost({ core, rendererDir, port: 0 });
  process.stdout.write(`${JSON.stringify({ url: host.url, token: host.token })}\n`);
  const stop = async () => {
    await host.close();
    core.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}
