import { useSyncExternalStore } from 'react';

export type Route =
  | { page: 'tasks' }
  | { page: 'task'; id: string }
  | { page: 'models' | 'explorer' | 'metrics' | 'audit' | 'alerts' | 'knowledge' }
  /** `section`: one part of Settings (general, notifications, scheduler, governance, tools, access). */
  | { page: 'settings'; section?: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [head, id] = parts;
  if (head === 'tasks' && id) return { page: 'task', id: decodeURIComponent(id) };
  if (head === 'settings') return id ? { page: 'settings', section: decodeURIComponent(id) } : { page: 'settings' };
  if (head === 'models' || head === 'explorer' || head === 'metrics' || head === 'audit' || head === 'alerts' || head === 'knowledge') {
    return { page: head };
  }
  return { page: 'tasks' };
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  return parseRoute(hash);
}

export const href = (route: Route): string =>
  route.page === 'task'
    ? `#/tasks/${encodeURIComponent(route.id)}`
    : route.page === 'settings' && route.section
      ? `#/settings/${encodeURIComponent(route.section)}`
      : `#/${route.page}`;
