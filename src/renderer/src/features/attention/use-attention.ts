import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Task } from '../../../../shared/domain/task';
import type { AppState } from '../../store/store';
import { useAppStore } from '../../store/store';
import { chime, readPrefs } from './prefs';

const BASE_TITLE = 'Agent Agency';

/** Tasks waiting for a human, oldest request first. */
export const selectAwaiting = (s: AppState): Task[] =>
  Object.values(s.tasks)
    .filter((t) => t.state.kind === 'awaiting_approval')
    .sort((a, b) => a.updatedAt - b.updatedAt);

/** Pending approvals: count in the tab title, and (headless UI) a browser notification and an optional chime for each new one. */
export function useAttention(): number {
  const awaiting = useAppStore(useShallow(selectAwaiting));
  const seen = useRef<Set<string> | null>(null);

  useEffect(() => {
    document.title = awaiting.length > 0 ? `(${awaiting.length}) ${BASE_TITLE}` : BASE_TITLE;
  }, [awaiting.length]);

  useEffect(() => {
    const keyOf = (t: Task) => `${t.id}:${t.state.kind === 'awaiting_approval' ? t.state.waitingFor : ''}:${t.updatedAt}`;
    const keys = new Set(awaiting.map(keyOf));
    // The first snapshot is what was already waiting when the page opened: no alert for that.
    if (seen.current === null) {
      seen.current = keys;
      return;
    }
    const fresh = awaiting.filter((t) => !seen.current!.has(keyOf(t)));
    seen.current = keys;
    if (fresh.length === 0) return;
    const prefs = readPrefs();
    if (prefs.sound) chime();
    // The desktop shell shows native notifications itself; the browser does it for the headless UI.
    if (window.agentAgency || !prefs.notifications || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    for (const t of fresh) {
      const gate = t.state.kind === 'awaiting_approval' ? t.state.waitingFor : 'approval';
      const n = new Notification(`Approval needed: ${gate}`, { body: t.description, tag: `approval-${t.id}` });
      n.onclick = () => {
        window.focus();
        location.hash = `#/tasks/${encodeURIComponent(t.id)}`;
        n.close();
      };
    }
  }, [awaiting]);

  return awaiting.length;
}
