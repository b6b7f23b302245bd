import type { Task, TaskState } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { coveredGates, insertStandingApproval, standingApprovalCovering } from '../db/queries/standing-approvals';
import { insertApproval, resolvePendingApproval } from '../db/queries/task-approvals';
import { insertGuidance } from '../db/queries/task-guidance';
import { ensureRuntime, saveRuntime, setTaskMaxIterations, setTaskProgress, setTaskSpec, type TaskRuntime } from '../db/queries/task-runtime';
import { getTask, updateTaskState } from '../db/queries/tasks';
import type { Clock, Journal } from '../journal/journal';
import { TransitionRejected } from './errors';
import { ROUND_OF_PHASE } from './phases';
import { isStandingGate, transition, type Effect, type EngineEvent } from './transitions';

/*
 * The engine's durable effects: one lifecycle event becomes journaled events, database rows and the
 * tasks-table projection, all in one transaction. Effects on the world outside the database
 * (`schedule`, `abort_step`, `cleanup`) are returned for the engine to act on after the commit.
 */

export type Applied = { task: Task; state: TaskState; effects: Effect[] };

export type EffectDeps = {
  db: Db;
  journal: Journal;
  clock: Clock;
  /** The time budget a task's runtime row starts with. */
  timeBudgetMs: number;
  /** Whether the step set has a cleanup step (a finished task's cleanup is then pending). */
  hasCleanup: boolean;
};

/**
 * Applies one lifecycle event in one transaction: the transition's events are journaled (with
 * idempotency keys named after the task's command counter), durable effects and the tasks-table
 * projection are written, and nothing else happens until it commits. `within` runs first in the
 * same transaction and may veto the change (returning false) when the caller's view is stale.
 */
export function applyEvent(
  deps: EffectDeps,
  taskId: string,
  event: EngineEvent | (() => EngineEvent),
  within?: (task: Task, rt: TaskRuntime) => boolean,
): Applied | undefined {
  return deps.journal.transaction(() => {
    const task = getTask(deps.db, taskId);
    if (!task) throw new AppFailure('not_found', `no task with id ${taskId}`);
    const rt = ensureRuntime(deps.db, taskId, deps.timeBudgetMs);
    if (within && !within(task, rt)) {
      saveRuntime(deps.db, rt);
      return undefined;
    }
    let applied = applyOne(deps, taskId, task, rt, typeof event === 'function' ? event() : event);
    // A gate that a live standing approval covers passes at once, in this same transaction: the
    // request and its grant (naming the standing approval) are journaled together or not at all.
    const waiting = applied.task.state;
    if (waiting.kind === 'awaiting_approval' && isStandingGate(waiting.waitingFor)) {
      const standing = standingApprovalCovering(deps.db, taskId, waiting.waitingFor);
      if (standing) {
        const passed = applyOne(deps, taskId, applied.task, rt, {
          type: 'approve',
          actor: standing.actor,
          gate: waiting.waitingFor,
          standing: { approvalId: standing.id, scope: standing.scope },
        });
        applied = { ...passed, effects: [...applied.effects, ...passed.effects] };
      }
    }
    saveRuntime(deps.db, rt);
    return applied;
  });
}

/** One transition inside `apply`'s transaction: journal its events, write its durable effects and the projection. */
function applyOne(deps: EffectDeps, taskId: string, task: Task, rt: TaskRuntime, event: EngineEvent): Applied {
  const outcome = transition(task.state, event, {
    mode: task.mode,
    maxIterations: task.maxIterations,
    planRounds: rt.planRounds,
    execRounds: rt.execRounds,
  });
  if (!outcome.ok) {
    throw new TransitionRejected(outcome.error.code, outcome.error.message, outcome.error.from, outcome.error.event);
  }
  const now = deps.clock.now();
  const written = outcome.events.map((e, i) => deps.journal.append(taskId, e, `${taskId}:c${rt.commands}:${i}`).event);
  rt.commands++;
  const guidanceEvents = written.filter((e) => e.type === 'task.guidance');
  let guidanceIndex = 0;
  // The task as it is after this transaction, kept in step with the writes below.
  const after: Task = { ...task, updatedAt: now };
  for (const effect of outcome.effects) {
    switch (effect.kind) {
      case 'count_round':
        if (effect.counter === 'plan') rt.planRounds++;
        else rt.execRounds++;
        break;
      case 'store_spec':
        setTaskSpec(deps.db, taskId, effect.spec, now);
        after.spec = effect.spec;
        break;
      case 'request_approval':
        insertApproval(deps.db, {
          taskId,
          gate: effect.gate,
          phase: effect.phase,
          round: ROUND_OF_PHASE[effect.phase] === 'plan' ? rt.planRounds : rt.execRounds,
          summary: effect.summary,
          requestedAt: now,
        });
        break;
      case 'resolve_approval':
        resolvePendingApproval(deps.db, taskId, effect.status, now, effect.actor, effect.reason);
        break;
      case 'grant_standing': {
        const approvalId = insertStandingApproval(deps.db, { taskId, scope: effect.scope, gate: effect.gate, actor: effect.actor, createdAt: now });
        deps.journal.append(
          taskId,
          {
            type: 'approval.standing',
            payload: { approvalId, gate: effect.gate, scope: effect.scope, covers: coveredGates(effect.scope, effect.gate), actor: effect.actor },
          },
          `${taskId}:c${rt.commands - 1}:standing`,
        );
        break;
      }
      case 'record_guidance': {
        const journaled = guidanceEvents[guidanceIndex++];
        insertGuidance(deps.db, { taskId, eventSeq: journaled?.seq ?? 0, text: effect.text, actor: effect.actor, at: now });
        break;
      }
      case 'set_limits':
        if (effect.maxIterations !== undefined) {
          setTaskMaxIterations(deps.db, taskId, effect.maxIterations, now);
          after.maxIterations = effect.maxIterations;
        }
        if (effect.timeBudgetMs !== undefined) rt.timeBudgetMs = effect.timeBudgetMs;
        break;
      case 'cleanup':
        rt.cleanup = deps.hasCleanup ? 'pending' : 'done';
        break;
      case 'schedule':
      case 'abort_step':
        // Acted on after the commit (see `act`).
        break;
      default: {
        const never: never = effect;
        throw new Error(`unhandled effect ${JSON.stringify(never)}`);
      }
    }
  }
  if (outcome.changed) {
    rt.version++;
    after.state = outcome.state;
    after.progress = outcome.progress ?? task.progress;
    updateTaskState(deps.db, taskId, after.state, after.progress, now);
  } else if (outcome.progress !== undefined) {
    after.progress = outcome.progress;
    setTaskProgress(deps.db, taskId, outcome.progress, now);
  } else {
    // Guidance and limits change the task too; its row says when.
    setTaskProgress(deps.db, taskId, after.progress, now);
  }
  return { task: after, state: outcome.state, effects: outcome.effects };
}
