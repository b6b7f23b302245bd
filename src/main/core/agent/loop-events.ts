import type { NewEvent } from '../../../shared/domain/events';
import type { GateResult } from '../gates/types';
import type { IterationRecord, StopReason } from './loop-types';
import { clipText } from './propose';
import type { Evaluation } from './scoring';

/** The journal events the worker loop writes: one `iteration.evaluated` per iteration or stop. */

type GateStatus = { gate: string; status: GateResult['status'] };

/** An iteration's evaluation (and, on its last, why the loop stopped). `current` are the gates of the state kept. */
export function evaluatedEvent(record: IterationRecord, stop: { reason: StopReason; detail: string } | undefined, current: readonly GateStatus[]): NewEvent {
  const detail = stop ? (record.detail ? `${record.detail}; stopped: ${stop.detail}` : stop.detail) : record.detail;
  return {
    type: 'iteration.evaluated',
    payload: {
      iteration: record.iteration,
      score: record.score,
      outcome: record.outcome,
      rolledBack: record.rolledBack,
      ...(stop ? { stopReason: stop.reason } : {}),
      ...(record.reason ? { summary: clipText(record.reason, 1000) } : {}),
      ...(record.confidence !== undefined ? { confidence: record.confidence } : {}),
      ...(detail ? { detail: clipText(detail, 2000) } : {}),
      ...(record.stats ? { files: record.stats.files, linesAdded: record.stats.linesAdded, linesRemoved: record.stats.linesRemoved } : {}),
      gates: record.gates ?? current.map((g) => ({ gate: g.gate, status: g.status })),
      ...(record.claims?.length ? { claims: record.claims.map((c) => ({ ...c, text: clipText(c.text, 300), evidence: clipText(c.evidence, 500) })) } : {}),
    },
  };
}

/** A stop outside an iteration (before the first, or at a boundary). */
export function stopEvent(iteration: number, reason: StopReason, detail: string, evaluation: Evaluation | null): NewEvent {
  return {
    type: 'iteration.evaluated',
    payload: {
      iteration,
      score: evaluation?.score ?? 0,
      stopReason: reason,
      detail,
      ...(evaluation ? { gates: evaluation.gates.map((g) => ({ gate: g.gate, status: g.status })) } : {}),
    },
  };
}
