import type { AgentEvent } from '../../../../shared/domain/events';

export type Decision = {
  seq: number;
  ts: number;
  kind: 'granted' | 'denied' | 'overridden';
  gate: string;
  who: string;
  via: string;
  text: string;
  /** The standing approval that passed the gate without asking, if one did. */
  standingId?: number;
};

const SCOPE_TEXT = { phase: 'for this phase', task: 'for the rest of this task' } as const;

/** Every human decision on the task, from its journal: approvals, denials and overrides, with who and how. */
export function decisionsFromEvents(events: readonly AgentEvent[]): Decision[] {
  const out: Decision[] = [];
  for (const e of events) {
    if (e.type === 'approval.granted') {
      const { standing, scope } = e.payload;
      const text = standing
        ? `automatically, by standing approval #${standing.approvalId} (${SCOPE_TEXT[standing.scope]})`
        : scope && scope !== 'once'
          ? SCOPE_TEXT[scope]
          : '';
      out.push({ seq: e.seq, ts: e.ts, kind: 'granted', gate: e.payload.gate, who: e.payload.actor.who, via: e.payload.actor.via, text, ...(standing ? { standingId: standing.approvalId } : {}) });
    }
    else if (e.type === 'approval.denied') out.push({ seq: e.seq, ts: e.ts, kind: 'denied', gate: e.payload.gate, who: e.payload.actor.who, via: e.payload.actor.via, text: e.payload.reason });
    else if (e.type === 'council.overridden')
      out.push({ seq: e.seq, ts: e.ts, kind: 'overridden', gate: e.payload.gate, who: e.payload.actor.who, via: e.payload.actor.via, text: `${e.payload.decision}: ${e.payload.reason}` });
  }
  return out;
}
