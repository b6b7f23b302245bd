import type { AgentEvent } from '../../../../shared/domain/events';
import type { ActiveStateKind, ApprovalGate, TaskState } from '../../../../shared/domain/task';

/** The phases a task goes through, in order (`queued` is not a phase: nothing runs yet). */
export const PHASES = ['planning', 'reviewing_plan', 'executing', 'verifying', 'reviewing_change', 'applying'] as const;
export type Phase = (typeof PHASES)[number];

export type PhaseStatus = 'pending' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled' | 'skipped';

export type PhaseView = {
  phase: Phase;
  status: PhaseStatus;
  /** Times the phase started (a council `modify` or failed gates send the task round again). */
  runs: number;
  /** Time spent in completed runs. */
  durationMs: number;
  /** Start of the current run, while it runs. */
  startedAt: number | null;
  /** Set on the phase after which the task waits for a human. */
  awaiting: ApprovalGate | null;
};

const isPhase = (p: ActiveStateKind): p is Phase => (PHASES as readonly string[]).includes(p);

/** Folds a task's phase events and its current state into one row per phase. */
export function phaseTimeline(events: readonly AgentEvent[], state: TaskState): PhaseView[] {
  const rows = new Map<Phase, PhaseView & { open: boolean; completed: boolean }>(
    PHASES.map((phase) => [phase, { phase, status: 'pending', runs: 0, durationMs: 0, startedAt: null, awaiting: null, open: false, completed: false }]),
  );
  for (const e of events) {
    if (e.type === 'phase.started' && isPhase(e.payload.phase)) {
      const r = rows.get(e.payload.phase)!;
      r.runs++;
      r.open = true;
      r.startedAt = e.ts;
    } else if (e.type === 'phase.completed' && isPhase(e.payload.phase)) {
      const r = rows.get(e.payload.phase)!;
      r.open = false;
      r.completed = true;
      r.startedAt = null;
      r.durationMs += e.payload.durationMs;
      // The events kept in memory may start mid-task: a completion without its start still counts once.
      r.runs = Math.max(r.runs, 1);
    }
  }
  const terminal = state.kind === 'completed' || state.kind === 'failed' || state.kind === 'cancelled';
  const current: ActiveStateKind | null =
    state.kind === 'paused' || state.kind === 'awaiting_approval' ? state.from : terminal || state.kind === 'queued' ? null : state.kind;
  return PHASES.map((phase) => {
    const { open, completed, ...r } = rows.get(phase)!;
    let status: PhaseStatus = completed ? 'done' : 'pending';
    if (open || current === phase) {
      if (state.kind === 'paused' && state.from === phase) status = 'paused';
      else if (state.kind === 'failed') status = 'failed';
      else if (state.kind === 'cancelled') status = 'cancelled';
      else if (state.kind === 'awaiting_approval' && state.from === phase) status = 'done';
      else if (open) status = 'running';
      else status = current === phase ? 'running' : status;
    }
    if (status === 'pending' && terminal) status = 'skipped';
    const awaiting = state.kind === 'awaiting_approval' && state.from === phase ? state.waitingFor : null;
    return { ...r, status, awaiting, startedAt: status === 'running' || status === 'paused' ? r.startedAt : null };
  });
}

const LABELS: Record<Phase, string> = {
  planning: 'Planning',
  reviewing_plan: 'Plan review',
  executing: 'Executing',
  verifying: 'Quality gates',
  reviewing_change: 'Change review',
  applying: 'Applying',
};
export const phaseLabel = (p: Phase): string => LABELS[p];
