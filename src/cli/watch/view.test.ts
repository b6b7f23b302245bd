import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../shared/domain/events';
import type { Task } from '../../shared/domain/task';
import { describeEvent, initialWatch, reduceWatch, renderWatch, watchDone } from './view';

const task: Task = {
  id: 'tsk_0000000000ab',
  description: 'Add input validation to the signup form',
  repoPath: '/repo',
  mode: 'strict',
  riskTier: 1,
  priority: 'normal',
  maxIterations: 5,
  state: { kind: 'queued' },
  progress: 0,
  createdAt: 1,
  updatedAt: 1,
  spec: null,
};

let seq = 0;
const ev = (type: AgentEvent['type'], payload: unknown, taskId = task.id) =>
  ({ seq: ++seq, taskId, taskSeq: seq, ts: 1_800_000_000_000, type, payload }) as AgentEvent;

describe('the live view', () => {
  it('shows the phase, progress, council votes and a pending approval', () => {
    let s = initialWatch(task);
    s = reduceWatch(s, ev('task.state', { from: { kind: 'queued' }, to: { kind: 'reviewing_plan' }, cause: 'planned' }));
    s = reduceWatch(s, ev('progress', { percent: 35, message: 'judges reviewing' }));
    s = reduceWatch(s, ev('council.vote', { judgeId: 'constitutional', verdict: 'pass', confidence: 0.9 }));
    s = reduceWatch(s, ev('council.vote', { judgeId: 'technical', verdict: 'fail', confidence: 0.55 }));
    s = reduceWatch(s, ev('council.verdict', { decision: 'modify', score: 0.62 }));
    s = reduceWatch(s, ev('approval.requested', { gate: 'plan', summary: 'review the plan' }));
    const text = renderWatch(s, 120).join('\n');
    expect(text).toContain('reviewing plan');
    expect(text).toContain('35%');
    expect(text).toContain('constitutional ✔ 0.90');
    expect(text).toContain('technical ✘ 0.55');
    expect(text).toContain('=> modify (0.62)');
    expect(text).toContain('waiting for your approval of the plan: review the plan');
    expect(watchDone(s)).toBe(false);
    s = reduceWatch(s, ev('approval.granted', { gate: 'plan', actor: { who: 'ana', via: 'cli' } }));
    expect(renderWatch(s, 120).join('\n')).not.toContain('waiting for your approval');
  });

  it('ignores other tasks and repeated events, and ends on a terminal state', () => {
    let s = initialWatch(task);
    const other = ev('progress', { percent: 90, message: 'other' }, 'tsk_0000000000zz');
    expect(reduceWatch(s, other)).toBe(s);
    const done = ev('task.completed', {});
    s = reduceWatch(s, done);
    expect(watchDone(s)).toBe(true);
    expect(reduceWatch(s, done)).toBe(s);
    expect(renderWatch(s, 80).join('\n')).toContain('100%');
  });

  it('describes events for logs, leaving token batches out', () => {
    expect(describeEvent(ev('gate.result', { gate: 'tests', status: 'fail', details: '2 failing' }))).toBe('gate tests: fail (2 failing)');
    expect(describeEvent(ev('model.tokens', { model: 'm', role: 'worker', text: 'x', count: 1 }))).toBeUndefined();
  });
});
