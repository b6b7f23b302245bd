import { dirname } from 'node:path';
import type { z } from 'zod';
import type { ListTasksInput, Snapshot } from '../../../shared/contract';
import type { AgentEvent } from '../../../shared/domain/events';
import { readRepositorySpec } from '../caws/existing-spec';
import type { SubmitTaskInput} from '../../../shared/domain/task';
import { TERMINAL_STATES, type Task } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { eventsAfter, lastSeq, latestEventsForTask } from '../db/queries/events';
import { getTask, insertTask, listTasks, taskNetworkGranted } from '../db/queries/tasks';
import { listTaskSummaries } from '../db/queries/task-summaries';
import type { TaskSummary } from '../../../shared/domain/task-summary';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { getSetting } from '../db/queries/settings';
import { newTaskId } from './ids';
import { allowedRootsFromSettings, defaultAllowedRoots, validateTargetRepo, type TargetRules } from './target-repo';

export type TaskServiceOptions = {
  db: Db;
  journal: Journal;
  clock: Clock;
  logger: Logger;
  /**
   * Allowed roots and the data folder for the target check; by default Settings' allowedRoots
   * (else AGENT_AGENCY_ALLOWED_ROOTS, else the home folder) and the database's own folder.
   */
  targetRules?: () => Omit<TargetRules, 'requireGit'>;
};

/** Most events a reconnecting client is sent in its snapshot; beyond that it reloads. */
export const MAX_MISSED_EVENTS = 5_000;

/** Most events a task's detail is sent: the newest ones; the full journal is in the audit bundle. */
export const MAX_DETAIL_EVENTS = 2_000;

/** Work done inside the transaction that stores a new task (a throw undoes the task too). */
export type SubmitHooks = { within?: (task: Task) => void };

export class TaskService {
  private readonly db: Db;
  private readonly journal: Journal;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: TaskServiceOptions) {
    this.db = options.db;
    this.journal = options.journal;
    this.clock = options.clock;
    this.logger = options.logger;
    this.targetRules =
      options.targetRules ??
      (() => ({
        allowedRoots: allowedRootsFromSettings(getSetting(this.db, 'app.settings')?.value) ?? defaultAllowedRoots(),
        dataDir: this.db.name && this.db.name !== ':memory:' ? dirname(this.db.name) : undefined,
      }));
  }

  private readonly targetRules: () => Omit<TargetRules, 'requireGit'>;

  /** Stores the task and journals `task.created` in one transaction; the task starts queued. */
  submit(input: z.output<typeof SubmitTaskInput>, hooks: SubmitHooks = {}): Task {
    // Checked on submit, whatever the transport: IPC, WebSocket, REST (400) and CLI (exit 2) all name repoPath.
    const repoPath = validateTargetRepo(input.repoPath, { ...this.targetRules(), requireGit: input.allowNonGit !== true });
    const now = this.clock.now();
    const task: Task = {
      id: newTaskId(now),
      description: input.description,
      repoPath,
      mode: input.mode,
      riskTier: input.riskTier,
      priority: input.priority,
      maxIterations: input.maxIterations,
      state: { kind: 'queued' },
      progress: 0,
      createdAt: now,
      updatedAt: now,
      spec: null,
      ...(input.retryOf ? { retryOf: this.retryable(input.retryOf).id } : {}),
      // The repository's own spec, validated with our CAWS schema now: a bad one is refused at submit.
      ...(input.specId ? { specId: readRepositorySpec(repoPath, input.specId).id } : {}),
      ...(input.allowNetwork === true ? { allowNetwork: true as const } : {}),
    };
    this.journal.transaction(() => {
      insertTask(this.db, task);
      // What belongs to the task from its creation (its attachments) is stored with it or not at all.
      hooks.within?.(task);
      this.journal.append(task.id, { type: 'task.created', payload: { task } }, `${task.id}:created`);
      // The grant lifts part of the trust boundary: it is its own record, next to the task's creation.
      if (task.allowNetwork) {
        this.journal.append(
          task.id,
          { type: 'sandbox.network_granted', payload: { scope: 'task', detail: 'every command this task causes (gates, acceptance tests, tools) may use the network' } },
          `${task.id}:network-granted`,
        );
      }
    });
    this.logger.info({ taskId: task.id, mode: task.mode, ...(task.allowNetwork ? { allowNetwork: true } : {}) }, 'task submitted');
    return task;
  }

  /**
   * A new task with the same inputs as `id`, linked to it. Only a task that ended (failed, cancelled,
   * or completed: a re-run against the repository as it is now) can be retried.
   */
  retry(id: string, hooks: { within?: (original: Task, task: Task) => void } = {}): Task {
    const original = this.retryable(id);
    return this.submit(
      {
        description: original.description,
        repoPath: original.repoPath,
        mode: original.mode,
        riskTier: original.riskTier,
        priority: original.priority,
        maxIterations: original.maxIterations,
        retryOf: original.id,
        ...(original.specId ? { specId: original.specId } : {}),
        // Same inputs, the network grant included (journaled again on the new task).
        ...(original.allowNetwork ? { allowNetwork: true } : {}),
      },
      { within: (task) => hooks.within?.(original, task) },
    );
  }

  private retryable(id: string): Task {
    const original = getTask(this.db, id);
    if (!original) throw new AppFailure('not_found', `retryOf: no task with id ${id}`, [{ path: 'retryOf', message: `no task with id ${id}` }]);
    if (!(TERMINAL_STATES as readonly string[]).includes(original.state.kind)) {
      throw new AppFailure('conflict', `task ${id} is ${original.state.kind.replace(/_/g, ' ')}; only a failed, cancelled or finished task can be retried (cancel it first)`);
    }
    return original;
  }

  /** Whether the task's commands may use the network (the sandbox asks before each run). */
  networkGranted(id: string): boolean {
    return taskNetworkGranted(this.db, id);
  }

  /** Whole tasks, newest first, each checked against the Task schema (for the app's own views). */
  list(filter: z.output<typeof ListTasksInput>): Task[] {
    return listTasks(this.db, filter);
  }

  /** A page of tasks from the summary projection, newest first: what the listTasks channel answers. */
  listSummaries(filter: z.output<typeof ListTasksInput>): TaskSummary[] {
    return listTaskSummaries(this.db, filter);
  }

  get(id: string): { task: Task; events: AgentEvent[] } {
    const task = getTask(this.db, id);
    if (!task) throw new AppFailure('not_found', `no task with id ${id}`);
    return { task, events: latestEventsForTask(this.db, id, MAX_DETAIL_EVENTS) };
  }

  /**
   * Reads the snapshot and registers the listener in the same synchronous turn, so no event can
   * fall between them; the client drops anything with `seq <= lastSeq`.
   */
  subscribe(
    filter: { taskId?: string | undefined; afterSeq?: number | undefined },
    listener: (event: AgentEvent) => void,
  ): { snapshot: z.output<typeof Snapshot>; unsubscribe: () => void } {
    if (filter.taskId && !getTask(this.db, filter.taskId)) {
      throw new AppFailure('not_found', `no task with id ${filter.taskId}`);
    }
    const tasks = filter.taskId ? [getTask(this.db, filter.taskId)!] : listTasks(this.db, { limit: 500 });
    const missed = filter.afterSeq !== undefined ? eventsAfter(this.db, filter.afterSeq, MAX_MISSED_EVENTS, filter.taskId) : [];
    const seq = lastSeq(this.db);
    const unsubscribe = this.journal.subscribe((event) => {
      if (event.seq <= seq) return;
      if (filter.taskId && event.taskId !== filter.taskId) return;
      listener(event);
    });
    return { snapshot: { tasks, missed, lastSeq: seq }, unsubscribe };
  }
}
