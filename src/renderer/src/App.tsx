import { useEffect, useRef } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Nav } from './components/Nav';
import { TokenProblem } from './components/TokenProblem';
import { hasToken } from './api';
import { AuditPage } from './features/audit/AuditPage';
import { useAttention } from './features/attention/use-attention';
import { ExplorerPage } from './features/explorer/ExplorerPage';
import { MetricsPage } from './features/metrics/MetricsPage';
import { AlertsPage } from './features/alerts/AlertsPage';
import { useFiringAlerts } from './features/alerts/use-firing-alerts';
import { ModelsPage } from './features/models/ModelsPage';
import { KnowledgePage } from './features/knowledge/KnowledgePage';
import { CommandPalette } from './features/palette/CommandPalette';
import { Onboarding } from './features/onboarding/Onboarding';
import { SettingsPage } from './features/settings/SettingsPage';
import { SubmitTaskForm } from './features/tasks/SubmitTaskForm';
import { TaskDetail } from './features/tasks/TaskDetail';
import { TaskList } from './features/tasks/TaskList';
import { href, useRoute } from './router';
import { useAppStore } from './store/store';

/** After a navigation, the page's heading takes the focus, so a screen reader announces where you are. */
function useFocusOnNavigate(key: string, skip: boolean) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (skip) return;
    // The page renders first (a task's detail may arrive a moment later).
    const t = setTimeout(() => {
      // An action that put the cursor in a field on the new page (search, new task) keeps it there.
      const active = document.activeElement;
      if (active instanceof HTMLElement && active.closest('#main') && active.matches('input, textarea, select')) return;
      const heading = document.querySelector<HTMLElement>('#main .page-heading, #main h1, #main h2');
      if (!heading) return;
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: false });
    }, 60);
    return () => clearTimeout(t);
  }, [key, skip]);
}

export function App() {
  const route = useRoute();
  const connection = useAppStore((s) => s.connection);
  const pending = useAttention();
  const firingAlerts = useFiringAlerts();
  const key = href(route);
  useFocusOnNavigate(key, route.page === 'settings' && Boolean(route.section));

  if (connection === 'unauthorized') return <TokenProblem hadToken={hasToken()} />;
  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <Nav current={route.page} pendingApprovals={pending} firingAlerts={firingAlerts}>
        <CommandPalette route={route} />
      </Nav>
      <main className="content" id="main" tabIndex={-1}>
        <ConnectionBanner />
        {route.page === 'tasks' && (
          <>
            <Onboarding />
            <SubmitTaskForm />
            <TaskList />
          </>
        )}
        {route.page === 'task' && <TaskDetail id={route.id} />}
        {route.page === 'explorer' && <ExplorerPage />}
        {route.page === 'metrics' && <MetricsPage />}
        {route.page === 'alerts' && <AlertsPage />}
        {route.page === 'settings' && <SettingsPage section={route.section} />}
        {route.page === 'audit' && <AuditPage />}
        {route.page === 'models' && <ModelsPage />}
        {route.page === 'knowledge' && <KnowledgePage />}
      </main>
    </div>
  );
}
