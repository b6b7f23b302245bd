import type { AgentEvent } from '../../../shared/domain/events';

const human = (s: string) => s.replace(/_/g, ' ');

/** One line per event for the event stream; the detail views show the full payloads. */
export function summarizeEvent(e: AgentEvent): string {
  switch (e.type) {
    case 'task.created':
      return `queued in ${e.payload.task.mode} mode, tier ${e.payload.task.riskTier}`;
    case 'task.state':
      return `${human(e.payload.from.kind)} → ${human(e.payload.to.kind)} (${e.payload.cause})`;
    case 'phase.started':
      return human(e.payload.phase);
    case 'phase.completed':
      return `${human(e.payload.phase)} in ${(e.payload.durationMs / 1000).toFixed(1)} s`;
    case 'progress':
      return `${Math.round(e.payload.percent)}% ${e.payload.message}`;
    case 'model.tokens':
      return `${e.payload.model} (${e.payload.role}): ${e.payload.count} tokens`;
    case 'gate.result':
      return `${e.payload.gate}: ${e.payload.status}`;
    case 'council.vote':
      return `${e.payload.judgeId}: ${e.payload.verdict} (${Math.round(e.payload.confidence * 100)}%)`;
    case 'council.verdict':
      return `${e.payload.decision} (score ${e.payload.score.toFixed(2)})`;
    case 'approval.requested':
      return `${e.payload.gate}: ${e.payload.summary}`;
    case 'approval.granted':
      return `${e.payload.gate} by ${e.payload.actor.who}`;
    case 'approval.denied':
      return `${e.payload.gate} by ${e.payload.actor.who}: ${e.payload.reason}`;
    case 'iteration.started':
      return `iteration ${e.payload.iteration}`;
    case 'iteration.evaluated':
      return `iteration ${e.payload.iteration}: score ${e.payload.score.toFixed(2)}${e.payload.stopReason ? `, stop: ${e.payload.stopReason}` : ''}`;
    case 'scheduler.decision':
      return `${e.payload.level}: ${e.payload.reason}`;
    case 'task.guidance':
      return e.payload.text;
    case 'task.cancelled':
      return e.payload.reason ?? `by ${e.payload.actor.who}`;
    case 'task.failed':
      return e.payload.reason;
    case 'attachment.read':
      return e.payload.status === 'read' ? `${e.payload.name}: ${e.payload.detail}` : `${e.payload.name} NOT read: ${e.payload.detail}`;
    case 'knowledge.retrieved':
      return `${e.payload.chunks.length} chunk(s) for the ${e.payload.purpose}: ${e.payload.chunks.slice(0, 3).map((c) => `${c.title} (${c.location})`).join(', ')}`;
    case 'sandbox.network_granted':
      return `network allowed: ${e.payload.detail}`;
    default:
      return '';
  }
}
