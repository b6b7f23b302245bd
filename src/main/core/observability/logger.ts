import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { traceIdOf } from './trace-id';

export type Logger = PinoLogger;

export type LoggerSettings = {
  level?: LoggerOptions['level'];
  /** Where JSON lines go; stderr by default so stdout stays clean for CLI output. */
  destination?: NodeJS.WritableStream;
};

/** The one logger factory; composition roots call it and pass the result down. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const level = settings.level ?? process.env['AGENT_AGENCY_LOG_LEVEL'] ?? 'info';
  return pino({ level, base: { app: 'agent-agency' }, mixin: traceMixin }, settings.destination ?? pino.destination(2));
}

/**
 * Every line logged about a task (a `taskId` in the line or in a child logger's bindings) also
 * carries the task's trace id, so logs and traces join on it.
 */
export function traceMixin(merge: object, _level: number, logger: PinoLogger): Record<string, string> {
  const own = (merge as { taskId?: unknown }).taskId;
  const taskId = typeof own === 'string' ? own : (logger.bindings() as { taskId?: unknown }).taskId;
  return typeof taskId === 'string' ? { traceId: traceIdOf(taskId) } : {};
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
