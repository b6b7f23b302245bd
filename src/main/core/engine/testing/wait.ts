import type { AgentEvent } from '../../../../shared/domain/events';
import type { Task } from '../../../../shared/domain/task';
import type { Db } from '../../db/open';
import { eventsForTask } from '../../db/queries/events';
import { getTask } from '../../db/queries/tasks';

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function taskOf(db: Db, id: string): Task {
  const task = getTask(db, id);
  if (!task) throw new Error(`no task ${id}`);
  return task;
}

export function waitForState(db: Db, id: string, kind: Task['state']['kind'], timeoutMs = 5_000): Promise<Task> {
  return waitFor(() => {
    const t = taskOf(db, id);
    return t.state.kind === kind ? t : undefined;
  }, timeoutMs, `${id} to be ${kind} (it is ${taskOf(db, id).state.kind})`);
}

export function eventTypes(db: Db, id: string): string[] {
  return eventsForTask(db, id).map((e) => e.type);
}

/** The state path of a task as its journal tells it: every task.state record's target, in order. */
export function statePath(db: Db, id: string): string[] {
  return eventsForTask(db, id)
    .filter((e): e is Extract<AgentEvent, { type: 'task.state' }> => e.type === 'task.state')
    .map((e) => (e.payload.to.kind === 'paused' ? `paused@${e.payload.to.from}` : e.payload.to.kind === 'awaiting_approval' ? `awaiting:${e.payload.to.waitingFor}` : e.payload.to.kind));
}
