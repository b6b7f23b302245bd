import { userInfo } from 'node:os';
import type { Actor } from '../../shared/domain/events';
import { ACTIVE_STATES, type Task, type TaskStateKind } from '../../shared/domain/task';
import type { TaskEngine } from '../core/engine/engine';
import type { Logger } from '../core/observability/logger';
import type { TaskService } from '../core/tasks/task-service';
import { approveRefusal } from './approval-verbs';
import type { ShellAction } from './tray-model';

export type ShellActionDeps = {
  tasks: Pick<TaskService, 'list'>;
  engine: Pick<TaskEngine, 'pause' | 'resume' | 'approve' | 'deny'> | undefined;
  logger: Logger;
  /** Shows the window, on a route such as `tasks/<id>` when given. */
  showWindow(route?: string): void;
  quit(): void;
};

export type ShellActionResult = { done: number; failed: number; /** Why each refused action was refused, for the person who acted. */ refusals: string[] };

/** Tasks the menu lists: everything not finished. */
export const UNFINISHED: TaskStateKind[] = [...ACTIVE_STATES, 'paused', 'awaiting_approval'];

/** The signed-in user, named in the audit trail for approvals given from the menu bar or a notification. */
export function localActor(via: Actor['via']): Actor {
  let who = 'local user';
  try {
    who = userInfo().username || who;
  } catch {
    // Some sandboxes have no passwd entry; the generic name still says where it came from.
  }
  return { who, via };
}

/**
 * Carries out a menu-bar or notification action through the core. Each task is its own attempt:
 * one task refusing to pause does not stop the others.
 */
export function performShellAction(deps: ShellActionDeps, action: ShellAction, via: 'menu-bar' | 'notification'): ShellActionResult {
  const actor = localActor(via);
  const refusals: string[] = [];
  const each = (tasks: Task[], f: (t: Task) => void): ShellActionResult => {
    let done = 0;
    let failed = 0;
    for (const t of tasks) {
      try {
        f(t);
        done++;
      } catch (e) {
        failed++;
        // Shown where the person acted (the shell turns refusals into a notification), not only logged.
        refusals.push(`${t.id}: ${e instanceof Error ? e.message : String(e)}`);
        deps.logger.warn({ err: e, taskId: t.id, action: action.kind }, 'shell action refused');
      }
    }
    return { done, failed, refusals };
  };
  const refused = (why: string): ShellActionResult => ({ done: 0, failed: 1, refusals: [why] });
  const engine = deps.engine;
  switch (action.kind) {
    case 'open-window':
      deps.showWindow();
      return { done: 1, failed: 0, refusals };
    case 'open-task':
      deps.showWindow(`tasks/${encodeURIComponent(action.taskId)}${action.focus ? `?act=${action.focus}` : ''}`);
      return { done: 1, failed: 0, refusals };
    case 'open-alerts':
      deps.showWindow('alerts');
      return { done: 1, failed: 0, refusals };
    case 'quit':
      deps.quit();
      return { done: 1, failed: 0, refusals };
    case 'approve':
    case 'deny': {
      if (!engine) return refused('the task engine is not running in this app; approvals cannot be given here');
      const why = action.kind === 'approve' ? approveRefusal(action.gate) : null;
      if (why) return refused(`${action.taskId}: ${why}`);
      const task = { id: action.taskId } as Task;
      return each([task], (t) =>
        action.kind === 'approve'
          ? engine.approve(t.id, actor, action.gate)
          : engine.deny(t.id, actor, via === 'menu-bar' ? 'denied from the menu bar' : 'denied from a notification', action.gate),
      );
    }
    case 'pause-all':
      if (!engine) return refused('the task engine is not running in this app');
      return each(deps.tasks.list({ states: [...ACTIVE_STATES], limit: 500 }), (t) => engine.pause(t.id, actor));
    case 'resume-all':
      if (!engine) return refused('the task engine is not running in this app');
      return each(deps.tasks.list({ states: ['paused'], limit: 500 }), (t) => engine.resume(t.id, actor));
  }
}
