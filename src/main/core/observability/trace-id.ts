import { createHash } from 'node:crypto';

/**
 * A task's trace id: 32 hex digits derived from its id, so every log line of a task and every span
 * of its trace carry the same id without a lookup (W3C trace-context format).
 */
export function traceIdOf(taskId: string): string {
  return createHash('sha256').update(`agent-agency-trace|${taskId}`).digest('hex').slice(0, 32);
}

/**
 * A span's id derived from its task and a key (`phase:<seq of its phase.started event>`), so the
 * task page can name a phase's span from the journal alone (16 hex digits, W3C format).
 */
export function spanIdOf(taskId: string, key: string): string {
  return createHash('sha256').update(`agent-agency-span|${taskId}|${key}`).digest('hex').slice(0, 16);
}
