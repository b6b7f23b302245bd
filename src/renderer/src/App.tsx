import { ConnectionBanner } from './components/ConnectionBanner';
import { Nav } from './components/Nav';
import { ComingPage } from './features/pages/ComingPage';
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
        {route.page !== 'tasks' && route.page !== 'task' && <ComingPage page={route.page} />}
      </main>
    </div>
  );
}
