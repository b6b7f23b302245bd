import type { AgentEvent, EventPayload } from '../../../../shared/domain/events';

/** One worker iteration as the task detail shows it. */
export type IterationView = {
  iteration: number;
  /** False while the iteration is still running. */
  evaluated: boolean;
  score: number | null;
  outcome: string | null;
  rolledBack: boolean;
  summary: string | null;
  confidence: number | null;
  detail: string | null;
  files: number | null;
  linesAdded: number | null;
  linesRemoved: number | null;
  gates: { gate: string; status: 'pass' | 'fail' | 'warn' | 'skip' }[];
  guidance: number;
};

export type StopView = { reason: string; iteration: number; detail: string | null; score: number };

export const STOP_LABELS: Record<string, string> = {
  satisficed: 'Good enough: every acceptance criterion is met',
  quality_ceiling: 'Stopped improving (quality ceiling)',
  max_iterations: 'Reached the iteration limit',
  no_progress: 'No progress: no new change was proposed',
  patch_failures: 'Changes kept failing to apply',
  mandatory_gate_failed: 'A mandatory gate failed',
  intervention: 'Stopped by the user',
};

export const OUTCOME_LABELS: Record<string, string> = {
  improved: 'improved',
  kept: 'kept (no real gain)',
  rolled_back: 'rolled back (score fell)',
  no_op: 'no change proposed',
  repeated: 'repeated an earlier change',
  tiny: 'changed nothing',
  blocked: 'blocked by a safety rule',
  conflict: 'conflict',
  patch_failed: 'patch did not apply',
  io_error: 'could not be written',
  invalid_output: 'invalid model output',
  model_error: 'model error',
  mandatory_gate_failed: 'mandatory gate failed',
  interrupted: 'interrupted',
};

export const stopLabel = (reason: string): string => STOP_LABELS[reason] ?? reason.replace(/_/g, ' ');
export const outcomeLabel = (outcome: string): string => OUTCOME_LABELS[outcome] ?? outcome.replace(/_/g, ' ');

/** Folds a task's iteration events into one row per iteration, plus the stop reason once it stopped. */
export function iterationsFromEvents(events: readonly AgentEvent[]): { iterations: IterationView[]; stop: StopView | null } {
  const byNumber = new Map<number, IterationView>();
  let stop: StopView | null = null;
  const row = (n: number): IterationView => {
    let v = byNumber.get(n);
    if (!v) {
      v = {
        iteration: n,
        evaluated: false,
        score: null,
        outcome: null,
        rolledBack: false,
        summary: null,
        confidence: null,
        detail: null,
        files: null,
        linesAdded: null,
        linesRemoved: null,
        gates: [],
        guidance: 0,
      };
      byNumber.set(n, v);
    }
    return v;
  };
  for (const e of events) {
    if (e.type === 'iteration.started') {
      // A new run of the loop (a resumed task) starts over from its first iteration number.
      if (stop && e.payload.iteration > 0) stop = null;
      row(e.payload.iteration).guidance = e.payload.guidance ?? 0;
    } else if (e.type === 'iteration.evaluated') {
      applyEvaluated(e.payload, byNumber, row, (s) => (stop = s));
    }
  }
  const iterations = [...byNumber.values()].filter((v) => v.iteration > 0).sort((a, b) => a.iteration - b.iteration);
  return { iterations, stop };
}

function applyEvaluated(
  p: EventPayload<'iteration.evaluated'>,
  byNumber: Map<number, IterationView>,
  row: (n: number) => IterationView,
  setStop: (s: StopView) => void,
): void {
  if (p.stopReason) setStop({ reason: p.stopReason, iteration: p.iteration, detail: p.detail ?? null, score: p.score });
  // A stop-only record (no outcome) closes the loop without describing a new iteration.
  if (p.outcome === undefined && p.stopReason && byNumber.has(p.iteration)) return;
  if (p.outcome === undefined && p.iteration === 0) return;
  const v = row(p.iteration);
  v.evaluated = true;
  v.score = p.score;
  v.outcome = p.outcome ?? v.outcome;
  v.rolledBack = p.rolledBack ?? v.rolledBack;
  v.summary = p.summary ?? v.summary;
  v.confidence = p.confidence ?? v.confidence;
  v.detail = p.detail ?? v.detail;
  v.files = p.files ?? v.files;
  v.linesAdded = p.linesAdded ?? v.linesAdded;
  v.linesRemoved = p.linesRemoved ?? v.linesRemoved;
  if (p.gates) v.gates = p.gates;
}
