import type { Task } from '../../../../shared/domain/task';
import { api } from '../../api';
import { href, type Route } from '../../router';
import { selectTaskList, useAppStore } from '../../store/store';
import { selectAwaiting } from '../attention/use-attention';
import { SETTINGS_SECTIONS } from '../settings/SettingsPage';
import { windowActor } from '../tasks/actor';

/** One thing the palette (and its shortcut) can do. `run` returns a message to show, if any. */
export type PaletteCommand = {
  id: string;
  group: 'Go to' | 'Task' | 'Settings';
  label: string;
  /** The key that does it outside text fields, as shown (`A`, `/`, `Ctrl+K`). */
  shortcut?: string;
  keywords?: string[];
  run(): Promise<string | void> | string | void;
};

const go = (route: Route) => {
  location.hash = href(route);
};

/** The task the task commands act on: the open one, else the oldest waiting for approval. */
export function focusTask(route: Route): Task | undefined {
  const s = useAppStore.getState();
  if (route.page === 'task') return s.tasks[route.id];
  return selectAwaiting(s)[0];
}

function step(route: Route, by: 1 | -1): string | void {
  const list = selectTaskList(useAppStore.getState());
  if (list.length === 0) return 'No tasks yet.';
  const at = route.page === 'task' ? list.findIndex((t) => t.id === route.id) : -1;
  const next = list[at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + by))]!;
  go({ page: 'task', id: next.id });
}

const focusLater = (selector: string) =>
  setTimeout(() => {
    const el = document.querySelector<HTMLElement>(selector);
    el?.focus();
    el?.scrollIntoView({ block: 'center' });
  }, 150);

export function buildCommands(route: Route): PaletteCommand[] {
  const task = focusTask(route);
  const waiting = task?.state.kind === 'awaiting_approval' ? task.state.waitingFor : null;
  const pages: PaletteCommand[] = (
    [
      ['tasks', 'Tasks'],
      ['models', 'Models'],
      ['knowledge', 'Knowledge'],
      ['explorer', 'Explorer'],
      ['metrics', 'Metrics'],
      ['audit', 'Audit'],
      ['settings', 'Settings'],
    ] as const
  ).map(([page, label]) => ({ id: `go-${page}`, group: 'Go to', label, run: () => go({ page } as Route) }));
  const settings: PaletteCommand[] = SETTINGS_SECTIONS.map((s) => ({
    id: `settings-${s.id}`,
    group: 'Settings',
    label: `Settings: ${s.label}`,
    run: () => go({ page: 'settings', section: s.id }),
  }));
  const actions: PaletteCommand[] = [
    {
      id: 'new-task',
      group: 'Task',
      label: 'New task',
      shortcut: 'N',
      run: () => {
        go({ page: 'tasks' });
        focusLater('#description');
      },
    },
    {
      id: 'search',
      group: 'Task',
      label: 'Search tasks',
      shortcut: '/',
      run: () => {
        go({ page: 'tasks' });
        focusLater('input[aria-label="Search tasks"]');
      },
    },
    { id: 'next', group: 'Task', label: 'Next task', shortcut: 'J', run: () => step(route, 1) },
    { id: 'previous', group: 'Task', label: 'Previous task', shortcut: 'K', run: () => step(route, -1) },
    {
      id: 'approve',
      group: 'Task',
      label: task && waiting ? `Approve ${waiting}: ${task.description}` : 'Approve (nothing waits)',
      shortcut: 'A',
      keywords: ['approve', 'accept'],
      run: async () => {
        if (!task || !waiting) return 'No task waits for an approval.';
        if (waiting === 'escalation' || waiting === 'tool') {
          go({ page: 'task', id: task.id });
          return 'This approval needs a decision on the task page.';
        }
        const r = await api.approve({ id: task.id, actor: windowActor, gate: waiting, scope: 'once' });
        return r.ok ? `Approved ${waiting} of “${task.description}”.` : r.error.message;
      },
    },
    {
      id: 'deny',
      group: 'Task',
      label: task && waiting ? `Deny ${waiting}: ${task.description}` : 'Deny (nothing waits)',
      shortcut: 'D',
      keywords: ['deny', 'reject'],
      run: () => {
        if (!task || !waiting) return 'No task waits for an approval.';
        go({ page: 'task', id: task.id });
        // A denial needs a reason: open the prompt's deny form and put the cursor in it.
        setTimeout(() => {
          const deny = [...document.querySelectorAll<HTMLButtonElement>('.approval-prompt button')].find((b) => /^Deny/.test(b.textContent ?? ''));
          deny?.click();
          focusLater('.approval-prompt textarea, .approval-prompt input[type="text"]');
        }, 100);
      },
    },
    {
      id: 'pause',
      group: 'Task',
      label: task?.state.kind === 'paused' ? `Resume: ${task.description}` : task ? `Pause: ${task.description}` : 'Pause or resume (open a task first)',
      shortcut: 'P',
      keywords: ['pause', 'resume'],
      run: async () => {
        if (!task) return 'Open a task first.';
        const r = task.state.kind === 'paused' ? await api.resumeTask({ id: task.id, actor: windowActor }) : await api.pauseTask({ id: task.id, actor: windowActor });
        return r.ok ? `${task.state.kind === 'paused' ? 'Resumed' : 'Pausing'} “${task.description}”.` : r.error.message;
      },
    },
  ];
  return [...actions, ...pages, ...settings];
}
