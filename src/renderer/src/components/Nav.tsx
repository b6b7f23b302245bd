import type { ReactNode } from 'react';
import type { Route } from '../router';
import { href } from '../router';
import { ThermalIndicator } from '../features/scheduler/ThermalIndicator';

const ITEMS: { page: Exclude<Route['page'], 'task'>; label: string }[] = [
  { page: 'tasks', label: 'Tasks' },
  { page: 'models', label: 'Models' },
  { page: 'knowledge', label: 'Knowledge' },
  { page: 'explorer', label: 'Explorer' },
  { page: 'metrics', label: 'Metrics' },
  { page: 'alerts', label: 'Alerts' },
  { page: 'audit', label: 'Audit' },
  { page: 'settings', label: 'Settings' },
];

/** The main navigation; `pendingApprovals` shows as a count beside Tasks. */
export function Nav({ current, pendingApprovals = 0, firingAlerts = 0, children }: { current: Route['page']; pendingApprovals?: number; firingAlerts?: number; children?: ReactNode }) {
  const active = current === 'task' ? 'tasks' : current;
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand">Agent Agency</div>
      <ThermalIndicator />
      {children}
      <ul>
        {ITEMS.map((item) => (
          <li key={item.page}>
            <a
              href={href({ page: item.page } as Route)}
              aria-current={active === item.page ? 'page' : undefined}
              aria-describedby={item.page === 'tasks' && pendingApprovals > 0 ? 'pending-approvals' : undefined}
            >
              {item.label}
              {item.page === 'tasks' && pendingApprovals > 0 ? (
                <span className="nav-count" aria-hidden="true" data-testid="approvals-badge">
                  {pendingApprovals}
                </span>
              ) : null}
              {item.page === 'alerts' && firingAlerts > 0 ? (
                <span className="nav-count" data-testid="alerts-badge" aria-label={`${firingAlerts} firing`}>
                  {firingAlerts}
                </span>
              ) : null}
            </a>
          </li>
        ))}
      </ul>
      {pendingApprovals > 0 ? (
        <span id="pending-approvals" className="visually-hidden">
          {pendingApprovals} {pendingApprovals === 1 ? 'task waits' : 'tasks wait'} for your approval
        </span>
      ) : null}
    </nav>
  );
}
