import type { AgentEvent } from '../../../shared/domain/events';
import type { Task } from '../../../shared/domain/task';

/** How one event changes a task as the list and detail show it. Pure, for the batched store. */
export function applyEventToTask(task: Task | undefined, event: AgentEvent): Task | undefined {
  switch (event.type) {
    case 'task.created':
      return task ?? event.payload.task;
    case 'task.state':
      return task ? { ...task, state: event.payload.to, updatedAt: event.ts } : task;
    case 'progress':
      return task ? { ...task, progress: event.payload.percent, updatedAt: event.ts } : task;
    case 'task.modified':
      return task && event.payload.maxIterations !== undefined
        ? { ...task, maxIterations: event.payload.maxIterations, updatedAt: event.ts }
        : task && { ...task, updatedAt: Math.max(task.updatedAt, event.ts) };
    default:
      return task ? { ...task, updatedAt: Math.max(task.updatedAt, event.ts) } : task;
  }
}
