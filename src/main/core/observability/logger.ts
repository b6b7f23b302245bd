import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;

export type LoggerSettings = {
  level?: LoggerOptions['level'];
  /** Where JSON lines go; stderr by default so stdout stays clean for CLI output. */
  destination?: NodeJS.WritableStream;
};

/** The one logger factory; composition roots call it and pass the result down. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const level = settings.level ?? process.env['AGENT_AGENCY_LOG_LEVEL'] ?? 'info';
  return pino({ level, base: { app: 'agent-agency' } }, settings.destination ?? pino.destination(2));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
