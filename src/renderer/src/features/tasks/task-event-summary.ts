import type { AgentEvent } from '../../../../shared/domain/events';
import { summarizeEvent } from '../../components/event-summary';

const scopeText = (scope: 'phase' | 'task'): string => (scope === 'task' ? 'for the rest of this task' : 'for this phase');

/** The engine's events, said with who did what; everything else as the shared summary says it. */
export function summarizeTaskEvent(e: AgentEvent): string {
  const by = (a: { who: string; via: string }) => `${a.who} (${a.via})`;
  switch (e.type) {
    case 'task.paused':
    case 'task.resumed':
      return `by ${by(e.payload.actor)}`;
    case 'task.guidance':
      return `${e.payload.actor.who}: ${e.payload.text}`;
    case 'task.cancelled':
      return `by ${by(e.payload.actor)}${e.payload.reason ? `: ${e.payload.reason}` : ''}`;
    case 'approval.granted':
      if (e.payload.standing) {
        return `${e.payload.gate} by standing approval #${e.payload.standing.approvalId} of ${by(e.payload.actor)} (${scopeText(e.payload.standing.scope)})`;
      }
      return `${e.payload.gate} by ${by(e.payload.actor)}${e.payload.scope && e.payload.scope !== 'once' ? ` (${scopeText(e.payload.scope)})` : ''}`;
    case 'approval.standing':
      return `#${e.payload.approvalId} ${scopeText(e.payload.scope)} (${e.payload.covers.join(', ')}) by ${by(e.payload.actor)}`;
    case 'approval.revoked':
      return `standing approval #${e.payload.approvalId} revoked by ${by(e.payload.actor)}`;
    case 'approval.denied':
      return `${e.payload.gate} by ${by(e.payload.actor)}: ${e.payload.reason}`;
    case 'council.overridden':
      return `${e.payload.decision} by ${by(e.payload.actor)}: ${e.payload.reason}`;
    case 'task.modified':
      return [
        e.payload.maxIterations !== undefined ? `max iterations ${e.payload.maxIterations}` : '',
        e.payload.timeBudgetMs !== undefined ? `time budget ${Math.round(e.payload.timeBudgetMs / 60_000)} min` : '',
      ]
        .filter(Boolean)
        .join(', ');
    case 'worker.assigned':
      return `${e.payload.step} on ${e.payload.workerId}${e.payload.attempt && e.payload.attempt > 1 ? `, attempt ${e.payload.attempt}` : ''}`;
    case 'step.retry':
      return `attempt ${e.payload.attempt} failed (${e.payload.code}): ${e.payload.message}; retrying in ${(e.payload.delayMs / 1000).toFixed(1)} s`;
    case 'step.effect':
      return `${e.payload.kind} ${e.payload.status}`;
    case 'task.recovered':
      return `${e.payload.action} after ${e.payload.cause}: ${e.payload.reason}`;
    case 'breaker.state':
      return `${e.payload.dependency}: ${e.payload.from} → ${e.payload.to} (${e.payload.reason})`;
    case 'task.cleanup':
      return e.payload.message;
    case 'change.promoted':
      return `promoted by ${e.payload.actor.who}: ${e.payload.commit ? `commit ${e.payload.commit.slice(0, 12)} on ${e.payload.branch ?? 'the current branch'}` : `${e.payload.files.length} file(s) patched`}`;
    case 'waiver.used':
      return `${e.payload.waiverId} let ${e.payload.gate} pass: ${e.payload.detail}`;
    case 'tool.called':
      return `${e.payload.server}.${e.payload.tool}${e.payload.isError ? ' (error)' : ''}, allowed by ${e.payload.allowedBy.kind} (${e.payload.allowedBy.actor.who})`;
    case 'tool.denied':
      return `${e.payload.tool} refused (${e.payload.rule}): ${e.payload.reason}`;
    default:
      return summarizeEvent(e);
  }
}
