import { useEffect, useState } from 'react';
import type { Task } from '../../../shared/domain/task';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Time since the task was submitted; it stops at the task's last change once the task has ended. */
export function Elapsed({ task }: { task: Task }) {
  const finished = FINISHED.has(task.state.kind);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (finished) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [finished]);
  const ms = (finished ? task.updatedAt : Math.max(now, task.updatedAt)) - task.createdAt;
  return <span className="mono" aria-label={`elapsed ${formatDuration(ms)}`}>{formatDuration(ms)}</span>;
}
