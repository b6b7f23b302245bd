import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { traceMixin, type Logger } from '../main/core/observability/logger';
import { RotatingFile } from '../main/core/observability/rotating-file';

import { logFileOf } from '../main/core/observability/log-file';

/** Where `serve` writes its log: a file in the data folder, so the terminal shows one clean banner. */
export { logFileOf };

/** The host's logger: JSON lines appended to the data folder's log file, and also to stderr with `verbose`. */
export function serveLogger(dataDir: string, verbose: boolean): { logger: Logger; file: string } {
  const file = logFileOf(dataDir);
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const level = process.env['AGENT_AGENCY_LOG_LEVEL'] ?? 'info';
  // Size-bounded: at most 4 × 10 MiB of logs in the data folder.
  const toFile = new RotatingFile({ file, maxBytes: 10 * 1024 * 1024, keep: 3 });
  const streams: pino.StreamEntry[] = [{ stream: toFile, level: level as pino.Level }];
  if (verbose) streams.push({ stream: pino.destination(2), level: level as pino.Level });
  return { logger: pino({ level, base: { app: 'agent-agency' }, mixin: traceMixin }, pino.multistream(streams)), file };
}

/** The start-up banner: the address (with this launch's token), the data folder and the log file. */
export function banner(info: { version: string; launchUrl: string; dataDir: string; logFile: string; verbose: boolean }): string {
  return [
    `Agent Agency ${info.version} is running (headless).`,
    `  Open:  ${info.launchUrl}`,
    `  Data:  ${info.dataDir}`,
    `  Logs:  ${info.logFile}${info.verbose ? ' (also streamed here)' : ' (--verbose streams them here)'}`,
    'Lost the address? Run "agent-agency open". Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
