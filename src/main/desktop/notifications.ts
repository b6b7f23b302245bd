import { Notification } from 'electron';
import type { Core } from '../core/composition/app-core';
import { getTask } from '../core/db/queries/tasks';
import { notificationFor } from './notify-policy';
import type { ShellAction } from './tray-model';

/** Keys already announced; bounded, as a long session sees many tasks. */
const MAX_REMEMBERED = 2_000;

/**
 * Native notifications when an approval is needed (with Approve and Deny on macOS) and when a
 * task ends (skipped while the window has focus: the user is already looking).
 */
export function startNotifications(core: Core, deps: { windowFocused(): boolean; onAction(action: ShellAction): void }): () => void {
  if (!Notification.isSupported()) return () => undefined;
  const seen = new Set<string>();
  // Electron drops a notification's events once it is garbage collected; keep the live ones.
  const live = new Set<Notification>();
  const off = core.journal.subscribe((event) => {
    // Most events (progress, tokens) are not news: decide before touching the database.
    if (event.type !== 'approval.requested' && event.type !== 'task.completed' && event.type !== 'task.failed' && event.type !== 'task.cancelled' && event.type !== 'task.state') return;
    const spec = notificationFor(event, getTask(core.db, event.taskId));
    if (!spec || seen.has(spec.key)) return;
    if (!spec.urgent && deps.windowFocused()) return;
    seen.add(spec.key);
    if (seen.size > MAX_REMEMBERED) seen.delete(seen.values().next().value as string);
    const n = new Notification({
      title: spec.title,
      body: spec.body,
      silent: !spec.urgent,
      actions: spec.actions.map((a) => ({ type: 'button' as const, text: a.label })),
    });
    live.add(n);
    n.on('action', (details) => {
      const chosen = spec.actions[details.actionIndex];
      if (chosen) deps.onAction(chosen.action);
    });
    n.on('click', () => deps.onAction({ kind: 'open-task', taskId: spec.taskId }));
    n.on('close', () => live.delete(n));
    n.show();
  });
  return () => {
    off();
    for (const n of live) n.close();
    live.clear();
  };
}
