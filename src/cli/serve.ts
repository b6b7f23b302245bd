import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../main/core/app-core';
import { productionSteps } from '../main/core/composition/production-steps';
import { createLogger } from '../main/core/observability/logger';
import { startHeadlessHost } from '../main/server/host';

export type ServeOptions = { port: string; host: string; dataDir: string; json?: boolean };

/** `agent-agency serve`: the headless host, until SIGINT/SIGTERM. */
export async function serve(options: ServeOptions): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(options.port)}`);
  }
  const logger = createLogger();
  const core = createCore({ dataDir: resolve(options.dataDir), logger, steps: productionSteps, tools: { autoStart: true } });
  const rendererDir = resolve(dirname(fileURLToPath(import.meta.url)), '../renderer');
  let host;
  try {
    host = await startHeadlessHost({ core, rendererDir, host: options.host, port, advertise: true });
  } catch (e) {
    core.close();
    throw e;
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ url: host.url, launchUrl: host.launchUrl, token: host.token, dataDir: core.dataDir })}\n`);
  } else {
    process.stdout.write(
      `Agent Agency is running headless.\n  Open: ${host.launchUrl}\n  Data: ${core.dataDir}\nPress Ctrl+C to stop.\n`,
    );
  }
  const stop = async () => {
    await host.close();
    core.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
