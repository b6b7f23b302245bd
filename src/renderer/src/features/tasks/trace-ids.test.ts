import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../../shared/domain/events';
import { taskTraceIds } from './trace-ids';

/** The same ids core/observability/trace-id.ts gives (its test checks the same values). */
const GOLDEN = { traceId: '1cea07c5e8650b343b0fff1900b02f9a', phase7: 'f65833f7c534ff0c', phase12: 'ffee7847b5849fd6' };

describe('taskTraceIds', () => {
  it('names the trace and each phase run exactly as the core tracer does', async () => {
    const events = [
      { seq: 7, taskId: 'tsk_a', taskSeq: 2, ts: 1, type: 'phase.started', payload: { phase: 'planning' } },
      { seq: 9, taskId: 'tsk_a', taskSeq: 3, ts: 2, type: 'phase.completed', payload: { phase: 'planning', durationMs: 1 } },
      { seq: 12, taskId: 'tsk_a', taskSeq: 4, ts: 3, type: 'phase.started', payload: { phase: 'reviewing_plan' } },
    ] as AgentEvent[];
    const ids = await taskTraceIds('tsk_a', events);
    expect(ids.traceId).toBe(GOLDEN.traceId);
    expect(ids.phases).toEqual([
      { phase: 'planning', seq: 7, spanId: GOLDEN.phase7 },
      { phase: 'reviewing_plan', seq: 12, spanId: GOLDEN.phase12 },
    ]);
  });
});
