import type { AgentEvent } from '../../shared/domain/events';
import type { ApprovalGate, Task, TaskState } from '../../shared/domain/task';
import { isTerminal, progressBar, stateLabel, truncate } from '../format';

/** What the live view shows, folded from the task's snapshot and its events. */
export type WatchState = {
  task: Task;
  state: TaskState;
  percent: number;
  message: string;
  iteration: number | undefined;
  votes: Map<string, { verdict: string; confidence: number }>;
  verdict: { decision: string; score: number } | undefined;
  gates: Map<string, string>;
  /** The approval the task waits for, until granted or denied. */
  approval: { gate: ApprovalGate; summary: string } | undefined;
  lastSeq: number;
};

export function initialWatch(task: Task, lastSeq = 0): WatchState {
  return {
    task,
    state: task.state,
    percent: task.progress,
    message: '',
    iteration: undefined,
    votes: new Map(),
    verdict: undefined,
    gates: new Map(),
    // Set by the replayed approval.requested event (the watch follows from the first event).
    approval: undefined,
    lastSeq,
  };
}

/** Folds one event into the view; events of other tasks or already seen are ignored. */
export function reduceWatch(s: WatchState, e: AgentEvent): WatchState {
  if (e.taskId !== s.task.id || e.seq <= s.lastSeq) return s;
  const next: WatchState = { ...s, lastSeq: e.seq };
  switch (e.type) {
    case 'task.state':
      next.state = e.payload.to;
      if (e.payload.to.kind === 'completed') next.percent = 100;
      if (e.payload.to.kind !== 'awaiting_approval') next.approval = undefined;
      break;
    case 'phase.started':
      next.message = `${e.payload.phase.replace(/_/g, ' ')}…`;
      // A new review round starts with a fresh council.
      if (e.payload.phase === 'reviewing_plan' || e.payload.phase === 'reviewing_change') {
        next.votes = new Map();
        next.verdict = undefined;
      }
      break;
    case 'progress':
      next.percent = e.payload.percent;
      next.message = e.payload.message;
      break;
    case 'iteration.started':
      next.iteration = e.payload.iteration;
      break;
    case 'council.vote':
      next.votes = new Map(s.votes).set(e.payload.judgeId, { verdict: e.payload.verdict, confidence: e.payload.confidence });
      break;
    case 'council.verdict':
      next.verdict = { decision: e.payload.decision, score: e.payload.score };
      break;
    case 'gate.result':
      next.gates = new Map(s.gates).set(e.payload.gate, e.payload.status);
      break;
    case 'approval.requested':
      next.approval = { gate: e.payload.gate, summary: e.payload.summary };
      break;
    case 'approval.granted':
    case 'approval.denied':
      next.approval = undefined;
      break;
    case 'task.completed':
      next.state = { kind: 'completed' };
      next.percent = 100;
      break;
    case 'task.failed':
      next.state = { kind: 'failed', reason: e.payload.reason };
      break;
    case 'task.cancelled':
      next.state = { kind: 'cancelled', reason: e.payload.reason };
      break;
    default:
      break;
  }
  return next;
}

export const watchDone = (s: WatchState) => isTerminal(s.state);

/** One line per event worth a line in a log (a pipe, a CI job); token batches are left out. */
export function describeEvent(e: AgentEvent): string | undefined {
  const p = e.payload as Record<string, unknown>;
  switch (e.type) {
    case 'task.created':
      return 'task created';
    case 'task.state': {
      const label = stateLabel(e.payload.to);
      // A failure's cause is usually its reason, already in the label.
      return `state: ${label}${e.payload.cause && !label.includes(e.payload.cause) ? ` (${e.payload.cause})` : ''}`;
    }
    case 'phase.started':
      return `phase ${e.payload.phase.replace(/_/g, ' ')} started`;
    case 'phase.completed':
      return `phase ${e.payload.phase.replace(/_/g, ' ')} done in ${(e.payload.durationMs / 1000).toFixed(1)}s`;
    case 'progress':
      return `${String(Math.round(e.payload.percent)).padStart(3)}% ${e.payload.message}`;
    case 'worker.assigned':
      return `worker ${e.payload.workerId}: ${e.payload.step}`;
    case 'artifact.produced':
      return `artifact ${e.payload.kind} ${e.payload.name}`;
    case 'gate.result':
      return `gate ${e.payload.gate}: ${e.payload.status}${e.payload.details ? ` (${truncate(e.payload.details, 80)})` : ''}`;
    case 'council.vote':
      return `judge ${e.payload.judgeId}: ${e.payload.verdict} (confidence ${e.payload.confidence.toFixed(2)})`;
    case 'council.verdict':
      return `council: ${e.payload.decision} (score ${e.payload.score.toFixed(2)})`;
    case 'approval.requested':
      return `approval needed for ${e.payload.gate}: ${e.payload.summary}`;
    case 'approval.granted':
      if (e.payload.standing) {
        return `${e.payload.gate} approved automatically by standing approval #${e.payload.standing.approvalId} (${e.payload.standing.scope}) of ${e.payload.actor.who} via ${e.payload.actor.via}`;
      }
      return `${e.payload.gate} approved by ${e.payload.actor.who} via ${e.payload.actor.via}${e.payload.scope && e.payload.scope !== 'once' ? ` (scope ${e.payload.scope})` : ''}`;
    case 'approval.revoked':
      return `standing approval #${e.payload.approvalId} revoked by ${e.payload.actor.who} via ${e.payload.actor.via}`;
    case 'approval.denied':
      return `${e.payload.gate} denied by ${e.payload.actor.who} via ${e.payload.actor.via}: ${e.payload.reason}`;
    case 'iteration.started':
      return `iteration ${e.payload.iteration}`;
    case 'iteration.evaluated':
      return `iteration ${e.payload.iteration} scored ${e.payload.score.toFixed(2)}${e.payload.stopReason ? `, stopping: ${e.payload.stopReason}` : ''}`;
    case 'model.swapped':
      return `model for ${e.payload.role}: ${e.payload.from} -> ${e.payload.to}`;
    case 'scheduler.decision':
      return `scheduler: ${e.payload.level}, ${e.payload.slots} slots (${e.payload.reason})`;
    case 'task.paused':
      return `paused by ${e.payload.actor.who}`;
    case 'task.resumed':
      return `resumed by ${e.payload.actor.who}`;
    case 'task.guidance':
      return `guidance from ${e.payload.actor.who}: ${truncate(e.payload.text, 80)}`;
    case 'task.cancelled':
      return `cancelled by ${e.payload.actor.who}${e.payload.reason ? `: ${e.payload.reason}` : ''}`;
    case 'task.completed':
      return 'completed';
    case 'task.failed':
      return `failed: ${e.payload.reason}`;
    case 'waiver.used':
      return `waiver ${e.payload.waiverId} used for gate ${e.payload.gate}`;
    case 'step.retry':
      return `${e.payload.phase.replace(/_/g, ' ')} attempt ${e.payload.attempt} failed (${e.payload.code}: ${truncate(e.payload.message, 80)}); retrying in ${(e.payload.delayMs / 1000).toFixed(1)}s`;
    case 'breaker.state':
      return `${e.payload.dependency}: circuit ${e.payload.to.replace('_', '-')} (${e.payload.reason})`;
    case 'task.recovered':
      return `recovered after ${e.payload.cause}: ${e.payload.action} ${e.payload.phase.replace(/_/g, ' ')} (${e.payload.reason})`;
    case 'council.overridden':
      return `council overridden by ${e.payload.actor.who}: ${e.payload.decision} (${e.payload.reason})`;
    case 'task.modified':
      return `limits changed by ${e.payload.actor.who}`;
    case 'change.promoted':
      return `promoted by ${e.payload.actor.who}${e.payload.commit ? `: commit ${e.payload.commit.slice(0, 12)} on ${e.payload.branch ?? 'the current branch'}` : ''}`;
    case 'task.cleanup':
      return `workspace cleanup ${e.payload.status}${e.payload.message ? `: ${e.payload.message}` : ''}`;
    case 'model.tokens':
    case 'step.effect':
      return undefined;
    default:
      // Event types added after this view was written still show up, plainly.
      return `${(e as { type: string }).type}${Object.keys(p).length ? ` ${truncate(JSON.stringify(p), 80)}` : ''}`;
  }
}

const VOTE_MARK: Record<string, string> = { pass: '✔', fail: '✘', uncertain: '?' };

/** The live block at the bottom of a terminal: redrawn in place as events arrive. */
export function renderWatch(s: WatchState, width: number): string[] {
  const w = Math.max(40, width);
  const lines = [
    truncate(`${s.task.id}  ${s.task.mode}  tier ${s.task.riskTier}  ${s.task.description}`, w),
    truncate(`${stateLabel(s.state)}${s.iteration !== undefined ? `  ·  iteration ${s.iteration}/${s.task.maxIterations}` : ''}`, w),
    truncate(`${progressBar(s.percent, Math.min(40, w - 8))} ${s.message}`, w),
  ];
  if (s.gates.size > 0) {
    lines.push(truncate(`gates    ${[...s.gates].map(([g, st]) => `${g}:${st}`).join('  ')}`, w));
  }
  if (s.votes.size > 0 || s.verdict) {
    const votes = [...s.votes].map(([j, v]) => `${j} ${VOTE_MARK[v.verdict] ?? v.verdict} ${v.confidence.toFixed(2)}`).join('  ');
    const verdict = s.verdict ? `  => ${s.verdict.decision} (${s.verdict.score.toFixed(2)})` : '';
    lines.push(truncate(`council  ${votes}${verdict}`, w));
  }
  if (s.approval) lines.push(truncate(`waiting for your approval of the ${s.approval.gate}${s.approval.summary ? `: ${s.approval.summary}` : ''}`, w));
  return lines;
}
