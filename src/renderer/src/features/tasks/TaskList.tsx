import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { TASK_STATE_KINDS, type TaskStateKind } from '../../../../shared/domain/task';
import { Elapsed } from '../../components/Elapsed';
import { ProgressBar } from '../../components/ProgressBar';
import { StateBadge } from '../../components/StateBadge';
import { href } from '../../router';
import { selectTaskList, useAppStore } from '../../store/store';
import { TaskControls } from './TaskControls';

export function TaskList() {
  const tasks = useAppStore(useShallow(selectTaskList));
  const [stateFilter, setStateFilter] = useState<TaskStateKind | 'all'>('all');
  const [search, setSearch] = useState('');
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return tasks.filter(
      (t) =>
        (stateFilter === 'all' || t.state.kind === stateFilter) &&
        (!q || t.description.toLowerCase().includes(q) || t.repoPath.toLowerCase().includes(q) || t.id === q),
    );
  }, [tasks, stateFilter, search]);

  return (
    <section className="card" aria-labelledby="task-list-title">
      <div className="list-header">
        <h2 id="task-list-title">Tasks</h2>
        <label>
          <span className="visually-hidden">Filter by state</span>
          <select aria-label="Filter by state" value={stateFilter} onChange={(e) => setStateFilter(e.target.value as TaskStateKind | 'all')}>
            <option value="all">all states</option>
            {TASK_STATE_KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <input type="search" aria-label="Search tasks" placeholder="Search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      {shown.length === 0 ? (
        <p className="empty">{tasks.length === 0 ? 'No tasks yet. Submit one above.' : 'No task matches the filter.'}</p>
      ) : (
        <table className="task-table" aria-label="Task list">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">State</th>
              <th scope="col">Mode</th>
              <th scope="col">Progress</th>
              <th scope="col">Submitted</th>
              <th scope="col">Elapsed</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => (
              <tr key={t.id} data-task-id={t.id}>
                <td>
                  <a href={href({ page: 'task', id: t.id })}>{t.description}</a>
                  <div className="muted mono">{t.repoPath}</div>
                </td>
                <td>
                  <StateBadge state={t.state} />
                </td>
                <td>{t.mode}</td>
                <td>
                  <ProgressBar percent={t.progress} label={`Progress of ${t.description}`} />
                </td>
                <td>
                  <time dateTime={new Date(t.createdAt).toISOString()}>{new Date(t.createdAt).toLocaleString()}</time>
                </td>
                <td>
                  <Elapsed task={t} />
                </td>
                <td>
                  <TaskControls task={t} compact />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
