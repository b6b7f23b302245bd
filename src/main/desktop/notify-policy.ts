import type { AgentEvent } from '../../shared/domain/events';
import type { Task } from '../../shared/domain/task';
import { approvalVerbs } from './approval-verbs';
import { shorten, type ShellAction } from './tray-model';

export type NotificationSpec = {
  /** One notification per key: the same approval or ending is never announced twice. */
  key: string;
  title: string;
  body: string;
  taskId: string;
  actions: { label: string; action: ShellAction }[];
  /** Shown even while the window has focus (someone must act). */
  urgent: boolean;
};

/** Which events deserve a native notification, and what it says. Pure, so it is tested directly. */
export function notificationFor(event: AgentEvent, task: Task | undefined): NotificationSpec | null {
  const name = task ? shorten(task.description, 80) : event.taskId;
  switch (event.type) {
    case 'approval.requested':
      return {
        key: `${event.taskId}:approval:${event.seq}`,
        title: `Approval needed: ${event.payload.gate}`,
        body: `${name}\n${shorten(event.payload.summary, 160)}`,
        taskId: event.taskId,
        actions: approvalVerbs(event.taskId, event.payload.gate),
        urgent: true,
      };
    case 'task.completed':
      return ending(event.taskId, 'Task completed', name);
    case 'task.failed':
      return ending(event.taskId, 'Task failed', `${name}\n${shorten(event.payload.reason, 160)}`);
    case 'task.cancelled':
      return ending(event.taskId, 'Task cancelled', name);
    case 'task.state': {
      // An engine that records the ending only as a state change still gets its notification.
      const to = event.payload.to;
      if (to.kind === 'completed') return ending(event.taskId, 'Task completed', name);
      if (to.kind === 'failed') return ending(event.taskId, 'Task failed', `${name}\n${shorten(to.reason, 160)}`);
      if (to.kind === 'cancelled') return ending(event.taskId, 'Task cancelled', name);
      return null;
    }
    default:
      return null;
  }
}

function ending(taskId: string, title: string, body: string): NotificationSpec {
  return { key: `${taskId}:end`, title, body, taskId, actions: [{ label: 'Show', action: { kind: 'open-task', taskId } }], urgent: false };
}
