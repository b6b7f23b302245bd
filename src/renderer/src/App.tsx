import { ConnectionBanner } from './components/ConnectionBanner';
import { Nav } from './components/Nav';
import { AuditPage } from './features/audit/AuditPage';
import { ExplorerPage } from './features/explorer/ExplorerPage';
import { MetricsPage } from './features/metrics/MetricsPage';
import { ModelsPage } from './features/models/ModelsPage';
import { SettingsPage } from './features/settings/SettingsPage';
import { SubmitTaskForm } from './features/tasks/SubmitTaskForm';
import { TaskDetail } from './features/tasks/TaskDetail';
import { TaskList } from './features/tasks/TaskList';
import { useRoute } from './router';

export function App() {
  const route = useRoute();
  return (
    <div className="app">
      <Nav current={route.page} />
      <main className="content">
        <ConnectionBanner />
        {route.page === 'tasks' && (
          <>
            <SubmitTaskForm />
            <TaskList />
          </>
        )}
        {route.page === 'task' && <TaskDetail id={route.id} />}
        {route.page === 'explorer' && <ExplorerPage />}
        {route.page === 'metrics' && <MetricsPage />}
        {route.page === 'settings' && <SettingsPage />}
        {route.page === 'audit' && <AuditPage />}
        {route.page === 'models' && <ModelsPage />}
      </main>
    </div>
  );
}
