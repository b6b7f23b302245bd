import type { logChannels } from '../../../../shared/channels/logs';
import { LEVEL_NAMES, logFileOf, readLogLines } from '../../observability/log-file';
import type { AreaHandlers, SessionContext } from './types';

export function logHandlers(ctx: SessionContext): AreaHandlers<keyof typeof logChannels> {
  return {
    getLogs: (input) =>
      readLogLines(logFileOf(ctx.core.dataDir), { ...(input.taskId ? { taskId: input.taskId } : {}), limit: input.limit ?? 500 }).map((l) => {
        const { time, level, msg, taskId, traceId, ...rest } = l;
        for (const k of ['app', 'pid', 'hostname']) delete (rest as Record<string, unknown>)[k];
        return { time, level: LEVEL_NAMES[level] ?? String(level), msg: msg ?? '', taskId: taskId ?? null, traceId: traceId ?? null, fields: JSON.stringify(rest) };
      }),
  };
}
