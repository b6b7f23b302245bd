import { useEffect, useState } from 'react';
import type { AgentEvent } from '../../../../shared/domain/events';
import { api } from '../../api';
import { ProgressBar } from '../../components/ProgressBar';
import { StateBadge } from '../../components/StateBadge';
import { useAppStore } from '../../store/store';

const EMPTY: AgentEvent[] = [];

export function TaskDetail({ id }: { id: string }) {
  const task = useAppStore((s) => s.tasks[id]);
  const events = useAppStore((s) => s.eventsByTask[id] ?? EMPTY);
  const upsertTasks = useAppStore((s) => s.upsertTasks);
  const setTaskEvents = useAppStore((s) => s.setTaskEvents);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void api.getTask({ id }).then((r) => {
      if (!live) return;
      if (!r.ok) {
        setError(r.error.message);
        return;
      }
      upsertTasks([r.value.task]);
      setTaskEvents(id, r.value.events);
    });
    return () => {
      live = false;
    };
  }, [id, upsertTasks, setTaskEvents]);

  if (error) {
    return (
      <section className="card">
        <p role="alert">{error}</p>
        <a href="#/tasks">Back to tasks</a>
      </section>
    );
  }
  if (!task) return <section className="card">Loading…</section>;

  return (
    <section className="card task-detail" aria-labelledby="task-title">
      <a href="#/tasks">← Tasks</a>
      <h2 id="task-title">{task.description}</h2>
      <dl className="facts">
        <dt>State</dt>
        <dd>
          <StateBadge state={task.state} />
        </dd>
        <dt>Id</dt>
        <dd className="mono">{task.id}</dd>
        <dt>Repository</dt>
        <dd className="mono">{task.repoPath}</dd>
        <dt>Mode</dt>
        <dd>{task.mode}</dd>
        <dt>Risk tier</dt>
        <dd>{task.riskTier}</dd>
        <dt>Priority</dt>
        <dd>{task.priority}</dd>
      </dl>
      <ProgressBar percent={task.progress} label="Task progress" />
      <h3>Events</h3>
      <ol className="event-stream" aria-label="Event stream" aria-live="polite">
        {events.map((e) => (
          <li key={e.seq} data-event-type={e.type}>
            <time className="muted mono">{new Date(e.ts).toLocaleTimeString()}</time>
            <span className="event-type">{e.type}</span>
            <span className="event-summary">{summarize(e)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function summarize(e: AgentEvent): string {
  switch (e.type) {
    case 'task.created':
      return `queued in ${e.payload.task.mode} mode, tier ${e.payload.task.riskTier}`;
    case 'task.state':
      return `${e.payload.from.kind} → ${e.payload.to.kind} (${e.payload.cause})`;
    case 'progress':
      return `${Math.round(e.payload.percent)}% ${e.payload.message}`;
    case 'task.failed':
      return e.payload.reason;
    default:
      return '';
  }
}
