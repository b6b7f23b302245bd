import { createHash } from 'node:crypto';

/**
 * A task's trace id: 32 hex digits derived from its id, so every log line of a task and every span
 * of its trace carry the same id without a lookup (W3C trace-context format).
 */
export function traceIdOf(taskId: string): string {
  return createHash('sha256').update(`agent-agency-trace|${taskId}`).digest('hex').slice(0, 32);
}
