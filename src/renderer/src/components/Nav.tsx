import type { Route } from '../router';
import { href } from '../router';
import { ThermalIndicator } from '../features/scheduler/ThermalIndicator';

const ITEMS: { page: Exclude<Route['page'], 'task'>; label: string }[] = [
  { page: 'tasks', label: 'Tasks' },
  { page: 'models', label: 'Models' },
  { page: 'explorer', label: 'Explorer' },
  { page: 'metrics', label: 'Metrics' },
  { page: 'audit', label: 'Audit' },
  { page: 'settings', label: 'Settings' },
];

export function Nav({ current }: { current: Route['page'] }) {
  const active = current === 'task' ? 'tasks' : current;
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand">Agent Agency</div>
      <ThermalIndicator />
      <ul>
        {ITEMS.map((item) => (
          <li key={item.page}>
            <a href={href({ page: item.page } as Route)} aria-current={active === item.page ? 'page' : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
