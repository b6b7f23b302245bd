import { formatDuration } from '../governance/GateResults';
import { phaseLabel, type PhaseStatus, type PhaseView } from './phase-timeline';
import './task-detail.css';

const STATUS_TEXT: Record<PhaseStatus, string> = {
  pending: 'not started',
  running: 'running',
  paused: 'paused',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

/** The task's phases in order, each with its state, time spent and rounds, and where it waits for a human. */
export function PhaseTimeline({ phases }: { phases: readonly PhaseView[] }) {
  return (
    <ol className="phase-timeline" aria-label="Phase timeline">
      {phases.map((p) => (
        <li key={p.phase} className={`phase phase-${p.status}`} data-phase={p.phase} data-status={p.status} aria-current={p.status === 'running' ? 'step' : undefined}>
          <span className="phase-dot" aria-hidden="true" />
          <span className="phase-name">{phaseLabel(p.phase)}</span>
          <span className="phase-status">
            {STATUS_TEXT[p.status]}
            {p.durationMs > 0 ? ` · ${formatDuration(p.durationMs)}` : ''}
            {p.runs > 1 ? ` · ${p.runs} rounds` : ''}
          </span>
          {p.awaiting ? <span className="phase-awaiting badge">awaiting {p.awaiting} approval</span> : null}
        </li>
      ))}
    </ol>
  );
}
