import type { TaskState } from '../../../shared/domain/task';

export function stateLabel(state: TaskState): string {
  switch (state.kind) {
    case 'paused':
      return `paused (in ${state.from.replace('_', ' ')})`;
    case 'awaiting_approval':
      return `awaiting approval (${state.waitingFor})`;
    default:
      return state.kind.replace('_', ' ');
  }
}

export function StateBadge({ state }: { state: TaskState }) {
  return (
    <span className={`badge state-${state.kind}`} data-state={state.kind}>
      {stateLabel(state)}
    </span>
  );
}
