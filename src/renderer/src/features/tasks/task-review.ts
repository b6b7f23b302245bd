import type { StoredVerdictView } from '../../../../shared/channels/governance';
import type { AgentEvent } from '../../../../shared/domain/events';
import type { GateResultRecord, ReviewSubjectKind } from '../../../../shared/domain/governance';
import type { CouncilOutcome, CouncilVote } from '../governance/CouncilVotes';
import { councilFromEvents, councilFromStored, gatesFromEvents } from '../governance/adapters';

/** The order the gate runner runs the gates in, so pending ones show in the order they will arrive. */
export const GATE_RUN_ORDER = ['spec_completeness', 'scope', 'budget', 'tests', 'coverage', 'typecheck', 'lint'] as const;

/**
 * The gate results to show: while the gates run, the live results of this run with the rest
 * pending; otherwise the stored latest run (full details), or the live ones until it is loaded.
 */
export function currentGates(
  events: readonly AgentEvent[],
  stored: readonly GateResultRecord[] | null,
  verifying: boolean,
): { results: GateResultRecord[]; pending: string[] } {
  if (verifying) {
    let start = -1;
    events.forEach((e, i) => {
      if (e.type === 'phase.started' && e.payload.phase === 'verifying') start = i;
    });
    const live = gatesFromEvents(start >= 0 ? events.slice(start) : events);
    return { results: live, pending: GATE_RUN_ORDER.filter((g) => !live.some((r) => r.gate === g)) };
  }
  if (stored && stored.length > 0) return { results: [...stored], pending: [] };
  return { results: gatesFromEvents(events), pending: [] };
}

/**
 * One review's votes: the live votes while the council is voting, else the stored verdict (every
 * reason, weight and model), else whatever the live stream holds.
 */
export function councilFor(
  subject: ReviewSubjectKind,
  events: readonly AgentEvent[],
  verdicts: readonly StoredVerdictView[],
): { votes: CouncilVote[]; outcome?: CouncilOutcome } {
  const live = councilFromEvents(events, subject);
  if (live.votes.length > 0 && !live.outcome) return live;
  const stored = verdicts.filter((v) => v.subject === subject).at(-1);
  return stored ? councilFromStored(stored) : live;
}

/** Events after which the stored records (spec, gates, verdicts, patch, grants, standing approvals) may have changed. */
const RECORD_EVENTS = new Set<AgentEvent['type']>([
  'artifact.produced',
  'council.verdict',
  'phase.completed',
  'task.state',
  'iteration.evaluated',
  'approval.granted',
  'approval.denied',
  'approval.standing',
  'approval.revoked',
  'council.overridden',
  'tool.called',
]);

/** A key that changes whenever the stored records are worth reading again. */
export function recordsRevision(events: readonly AgentEvent[]): number {
  for (let i = events.length - 1; i >= 0; i--) if (RECORD_EVENTS.has(events[i]!.type)) return events[i]!.seq;
  return 0;
}
