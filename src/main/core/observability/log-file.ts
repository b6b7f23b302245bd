import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** One structured log line as the logs view and `agent-agency logs` show it. */
export const LogLine = z.object({
  time: z.number(),
  level: z.number(),
  msg: z.string().optional(),
  taskId: z.string().optional(),
  traceId: z.string().optional(),
}).passthrough();
export type LogLine = z.infer<typeof LogLine>;

export const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** The newest `limit` lines of the log (rotated files first, oldest to newest), optionally of one task. */
export function readLogLines(file: string, opts: { taskId?: string; limit?: number; keep?: number } = {}): LogLine[] {
  const files = [...Array.from({ length: opts.keep ?? 3 }, (_, i) => `${file}.${(opts.keep ?? 3) - i}`), file].filter((f) => existsSync(f));
  const out: LogLine[] = [];
  for (const f of files) {
    for (const text of readFileSync(f, 'utf8').split('\n')) {
      if (!text.trim()) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        continue;
      }
      const line = LogLine.safeParse(parsed);
      if (!line.success) continue;
      if (opts.taskId && line.data.taskId !== opts.taskId) continue;
      out.push(line.data);
    }
  }
  return out.slice(-(opts.limit ?? 500));
}

export function formatLogLine(l: LogLine): string {
  const { time, level, msg, taskId, traceId, ...rest } = l;
  delete (rest as Record<string, unknown>)['app'];
  delete (rest as Record<string, unknown>)['pid'];
  delete (rest as Record<string, unknown>)['hostname'];
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return `${new Date(time).toISOString()} ${(LEVEL_NAMES[level] ?? String(level)).padEnd(5)} ${taskId ? `[${taskId}${traceId ? ` ${traceId.slice(0, 8)}` : ''}] ` : ''}${msg ?? ''}${extra}`;
}

/** Where the host writes its log: a file in the data folder (rotated by size, see rotating-file.ts). */
export const logFileOf = (dataDir: string): string => join(dataDir, 'logs', 'agent-agency.log');
