import { usePressureState } from './use-scheduler';
import './scheduler.css';

/** On a task page: why this task's model calls are waiting for a slot, if they are. */
export function TaskWaitReason({ taskId }: { taskId: string }) {
  const { value: state } = usePressureState(3_000);
  const waits = state?.waiting.filter((w) => w.taskId === taskId) ?? [];
  if (waits.length === 0) return null;
  return (
    <p className="wait-reason" role="status" data-testid="task-wait-reason">
      Waiting for the scheduler: {waits.map((w) => `${w.label} — ${w.reason}`).join('; ')}
    </p>
  );
}
