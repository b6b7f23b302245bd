import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../shared/domain/events';
import type { Task } from '../../shared/domain/task';
import { notificationFor } from './notify-policy';

const T = 'tsk_aaaaaaaaaa';
const task = { id: T, description: 'Add validation to the signup form' } as Task;
const ev = (e: Pick<AgentEvent, 'type' | 'payload'>, seq = 7) => ({ seq, taskId: T, taskSeq: seq, ts: 1, ...e }) as AgentEvent;

describe('notifications', () => {
  it('asks for approval with approve and deny actions, even while the window has focus', () => {
    const spec = notificationFor(ev({ type: 'approval.requested', payload: { gate: 'apply', summary: '3 files, 40 lines' } }), task);
    expect(spec).toMatchObject({
      title: 'Approval needed: apply',
      body: 'Add validation to the signup form\n3 files, 40 lines',
      urgent: true,
      actions: [
        { label: 'Approve apply', action: { kind: 'approve', taskId: T, gate: 'apply' } },
        { label: 'Deny apply', action: { kind: 'deny', taskId: T, gate: 'apply' } },
      ],
    });
  });

  it('announces an ending once, whether it came as its own event or as a state change', () => {
    const done = notificationFor(ev({ type: 'task.completed', payload: {} }), task);
    const asState = notificationFor(ev({ type: 'task.state', payload: { from: { kind: 'applying' }, to: { kind: 'completed' }, cause: 'applied' } }), task);
    expect(done).toMatchObject({ title: 'Task completed', urgent: false, actions: [{ action: { kind: 'open-task', taskId: T } }] });
    expect(asState?.key).toBe(done?.key);
    expect(notificationFor(ev({ type: 'task.failed', payload: { reason: 'tests failed' } }), task)?.body).toContain('tests failed');
  });

  it('stays quiet for progress and ordinary state changes', () => {
    expect(notificationFor(ev({ type: 'progress', payload: { percent: 40, message: 'x' } }), task)).toBeNull();
    expect(notificationFor(ev({ type: 'task.state', payload: { from: { kind: 'queued' }, to: { kind: 'planning' }, cause: 'x' } }), task)).toBeNull();
  });
});
