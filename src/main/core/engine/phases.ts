import type { ActiveStateKind, TaskState, TaskStateKind } from '../../../shared/domain/task';

/** The active states in which a step runs (every active state but `queued`). */
export const WORK_PHASES = ['planning', 'reviewing_plan', 'executing', 'verifying', 'reviewing_change', 'applying'] as const;
export type WorkPhase = (typeof WORK_PHASES)[number];

export const STEP_NAMES = ['plan', 'reviewPlan', 'execute', 'verify', 'reviewChange', 'apply'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const STEP_FOR_PHASE: Readonly<Record<WorkPhase, StepName>> = {
  planning: 'plan',
  reviewing_plan: 'reviewPlan',
  executing: 'execute',
  verifying: 'verify',
  reviewing_change: 'reviewChange',
  applying: 'apply',
};

export function isWorkPhase(kind: TaskStateKind | ActiveStateKind): kind is WorkPhase {
  return (WORK_PHASES as readonly string[]).includes(kind);
}

/** Re-entering planning counts a plan round; re-entering executing counts an execution round. */
export type RoundCounter = 'plan' | 'exec';
export const ROUND_OF_PHASE: Readonly<Record<WorkPhase, RoundCounter>> = {
  planning: 'plan',
  reviewing_plan: 'plan',
  executing: 'exec',
  verifying: 'exec',
  reviewing_change: 'exec',
  applying: 'exec',
};

/**
 * Share of the whole task each phase stands for, as [start, end] percent. Execution dominates
 * because that is where the agent loop iterates; the reviews and gates are shorter.
 */
export const PHASE_PROGRESS: Readonly<Record<WorkPhase, readonly [number, number]>> = {
  planning: [0, 15],
  reviewing_plan: [15, 25],
  executing: [25, 65],
  verifying: [65, 80],
  reviewing_change: [80, 90],
  applying: [90, 100],
};

/** Percent complete while inside `phase`, `fraction` (0..1) of the way through it. */
export function progressWithin(phase: WorkPhase, fraction: number): number {
  const [start, end] = PHASE_PROGRESS[phase];
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  return Math.round((start + f * (end - start)) * 10) / 10;
}

export const TERMINAL_KINDS: ReadonlySet<TaskStateKind> = new Set(['completed', 'failed', 'cancelled']);

export const isTerminal = (state: TaskState): boolean => TERMINAL_KINDS.has(state.kind);

/** A state in which the engine should have the task queued or running. */
export const isRunnable = (state: TaskState): boolean => state.kind === 'queued' || isWorkPhase(state.kind);

export const describePhase = (phase: WorkPhase): string => phase.replace('_', ' ');
