import type { AgentEvent } from '../../../../shared/domain/events';

export type PhaseSpan = { phase: string; seq: number; spanId: string };
export type TaskTraceIds = { traceId: string; phases: PhaseSpan[] };

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The task's trace id and each phase run's span id, derived from the journal the same way the
 * core's tracer names them (`traceIdOf`, `spanIdOf` in core/observability/trace-id.ts), so a user
 * can look the phase up in their trace viewer.
 */
export async function taskTraceIds(taskId: string, events: readonly AgentEvent[]): Promise<TaskTraceIds> {
  const traceId = (await sha256Hex(`agent-agency-trace|${taskId}`)).slice(0, 32);
  const phases: PhaseSpan[] = [];
  for (const e of events) {
    if (e.type !== 'phase.started') continue;
    phases.push({ phase: e.payload.phase, seq: e.seq, spanId: (await sha256Hex(`agent-agency-span|${taskId}|phase:${e.seq}`)).slice(0, 16) });
  }
  return { traceId, phases };
}
