import { useEffect, useRef, useState } from 'react';
import { api } from '../../api';

/**
 * Firing alerts for the navigation badge; a newly firing one raises a browser notification when
 * the user allowed them (the desktop shell shows native notifications itself).
 */
export function useFiringAlerts(pollMs = 30_000): number {
  const [count, setCount] = useState(0);
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    let live = true;
    const poll = async () => {
      const r = await api.listAlerts({ state: 'firing' });
      if (!live || !r.ok) return;
      setCount(r.value.alerts.length);
      const fresh = r.value.alerts.filter((a) => seen.current && !seen.current.has(a.id));
      seen.current = new Set(r.value.alerts.map((a) => a.id));
      if (fresh.length && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        for (const a of fresh) new Notification('Agent Agency alert', { body: a.summary, tag: a.id });
      }
    };
    void poll();
    const t = setInterval(() => void poll(), pollMs);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [pollMs]);
  return count;
}
