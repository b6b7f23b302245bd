import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../main/core/composition/app-core';
import { productionSteps } from '../main/core/composition/production-steps';
import { startHeadlessHost } from '../main/server/host';
import pkg from '../../package.json' with { type: 'json' };
import { banner, serveLogger } from './serve-log';

export type ServeOptions = { port: string; host: string; dataDir: string; json?: boolean; verbose?: boolean };

/** `agent-agency serve`: the headless host, until SIGINT/SIGTERM. */
export async function serve(options: ServeOptions): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(options.port)}`);
  }
  const dataDir = resolve(options.dataDir);
  const { logger, file: logFile } = serveLogger(dataDir, Boolean(options.verbose));
  const core = createCore({ dataDir, logger, steps: productionSteps, tools: { autoStart: true } });
  const rendererDir = resolve(dirname(fileURLToPath(import.meta.url)), '../renderer');
  let host;
  try {
    host = await startHeadlessHost({ core, rendererDir, host: options.host, port, advertise: true });
  } catch (e) {
    core.close();
    throw e;
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ url: host.url, launchUrl: host.launchUrl, token: host.token, dataDir: core.dataDir, logFile })}\n`);
  } else {
    process.stdout.write(banner({ version: pkg.version, launchUrl: host.launchUrl, dataDir: core.dataDir, logFile, verbose: Boolean(options.verbose) }));
  }
  const stop = async () => {
    // The engine first, before anything that may wait (open connections draining): the steps in
    // flight are recorded as stopped by a quit, which does not count toward the crash-loop limit
    // even if a second Ctrl-C ends the process before the rest has closed.
    core.engine?.stop();
    try {
      await host.close();
    } finally {
      core.close();
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
