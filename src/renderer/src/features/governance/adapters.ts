import type { AgentEvent } from '../../../../shared/domain/events';
import type { GateResultRecord, ReviewSubjectKind } from '../../../../shared/domain/governance';
import type { StoredVerdictView } from '../../../../shared/channels/governance';
import type { CouncilOutcome, CouncilVote } from './CouncilVotes';

/** The props of CouncilVotes from a stored verdict (all rounds; the component shows each judge's last). */
export function councilFromStored(stored: StoredVerdictView): { votes: CouncilVote[]; outcome: CouncilOutcome } {
  const weights = new Map(stored.verdict.votes.map((v) => [v.judge_id, v.weight]));
  return {
    votes: stored.rounds.map((r) => ({
      judgeId: r.judge_id,
      verdict: r.verdict,
      confidence: r.confidence,
      reasons: r.reasons,
      ...(weights.has(r.judge_id) ? { weight: weights.get(r.judge_id)! } : {}),
      ...(r.round !== undefined ? { round: r.round } : {}),
      ...(r.error ? { error: r.error } : {}),
      ...(r.model ? { model: r.model } : {}),
    })),
    outcome: {
      decision: stored.verdict.decision,
      score: stored.verdict.score,
      threshold: stored.verdict.threshold,
      vetoed: stored.verdict.vetoed,
      escalated: stored.verdict.escalated,
      debateRounds: stored.verdict.debateRounds,
      dissent: stored.verdict.dissent.map((d) => ({ judgeId: d.judge_id, verdict: d.verdict, reasons: d.reasons })),
      remediation: stored.verdict.remediation,
    },
  };
}

/** The props of CouncilVotes from the live event stream, for one review (plan or change). */
export function councilFromEvents(events: readonly AgentEvent[], subject: ReviewSubjectKind): { votes: CouncilVote[]; outcome?: CouncilOutcome } {
  let votes: CouncilVote[] = [];
  let outcome: CouncilOutcome | undefined;
  for (const e of events) {
    if (e.type === 'council.vote' && (e.payload.subject ?? subject) === subject) {
      // A vote after a verdict starts a new review (a `modify` sent the task round again).
      if (outcome) {
        votes = [];
        outcome = undefined;
      }
      votes.push({
        judgeId: e.payload.judgeId,
        verdict: e.payload.verdict,
        confidence: e.payload.confidence,
        reasons: e.payload.reasons ?? [],
        ...(e.payload.round !== undefined ? { round: e.payload.round } : {}),
        ...(e.payload.error ? { error: e.payload.error } : {}),
      });
    } else if (e.type === 'council.verdict' && (e.payload.subject ?? subject) === subject) {
      outcome = {
        decision: e.payload.decision,
        score: e.payload.score,
        ...(e.payload.threshold !== undefined ? { threshold: e.payload.threshold } : {}),
        ...(e.payload.vetoed !== undefined ? { vetoed: e.payload.vetoed } : {}),
        ...(e.payload.escalated !== undefined ? { escalated: e.payload.escalated } : {}),
        dissent: e.payload.dissent ?? [],
      };
    }
  }
  return outcome ? { votes, outcome } : { votes };
}

/** Gate results from the live event stream: the latest result of each gate. */
export function gatesFromEvents(events: readonly AgentEvent[]): GateResultRecord[] {
  const latest = new Map<string, GateResultRecord>();
  for (const e of events) {
    if (e.type !== 'gate.result') continue;
    latest.set(e.payload.gate, {
      gate: e.payload.gate,
      status: e.payload.status,
      mode: e.payload.mode ?? 'block',
      score: e.payload.score ?? (e.payload.status === 'pass' ? 1 : 0),
      details: e.payload.details,
      durationMs: e.payload.durationMs ?? 0,
      ...(e.payload.waiverId ? { waiverId: e.payload.waiverId } : {}),
    });
  }
  return [...latest.values()];
}
