import type { AgentEvent } from '../../../../shared/domain/events';

export type Decision = { seq: number; ts: number; kind: 'granted' | 'denied' | 'overridden'; gate: string; who: string; via: string; text: string };

/** Every human decision on the task, from its journal: approvals, denials and overrides, with who and how. */
export function decisionsFromEvents(events: readonly AgentEvent[]): Decision[] {
  const out: Decision[] = [];
  for (const e of events) {
    if (e.type === 'approval.granted') out.push({ seq: e.seq, ts: e.ts, kind: 'granted', gate: e.payload.gate, who: e.payload.actor.who, via: e.payload.actor.via, text: '' });
    else if (e.type === 'approval.denied') out.push({ seq: e.seq, ts: e.ts, kind: 'denied', gate: e.payload.gate, who: e.payload.actor.who, via: e.payload.actor.via, text: e.payload.reason });
    else if (e.type === 'council.overridden')
      out.push({ seq: e.seq, ts: e.ts, kind: 'overridden', gate: e.payload.gate, who: e.payload.actor.who, via: e.payload.actor.via, text: `${e.payload.decision}: ${e.payload.reason}` });
  }
  return out;
}
