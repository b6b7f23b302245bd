import type { EstimateTaskInput, RunningEstimate, TaskEstimate } from '../../../shared/domain/estimate';
import { EstimateTaskInput as EstimateTaskInputSchema } from '../../../shared/domain/estimate';
import type { AgentEvent } from '../../../shared/domain/events';
import { TERMINAL_STATES, type Task } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { taskPhaseTimes, taskTokensByModel } from '../db/queries/event-metrics';
import { hasTaskTotals, insertTaskTotals, stepSamplesSummary, taskTotalsHistory, type TaskTotals } from '../db/queries/task-resource-history';
import { getTask } from '../db/queries/tasks';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { estimateFrom, type EstimateFeatures } from './estimator';
import { repositoryFiles } from './repo-size';

export type EstimateServiceOptions = {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The model the worker role has now (the model of a task about to be submitted). */
  workerModel: () => string | null;
  /** Newest finished tasks read for an estimate (default 2000). */
  historyLimit?: number;
  /** Counts a repository's files (tests may count differently). */
  countFiles?: (path: string) => Promise<number | null>;
};

const TERMINAL: ReadonlySet<string> = new Set(TERMINAL_STATES);
/** Tasks whose expected duration the scheduler keeps at hand. */
const MEMO_LIMIT = 1000;

/**
 * Council learning from `task_resource_history`: when a task ends, one whole-task row records what it
 * used (active time, tokens, peak memory) and what it was (tier, mode, repository size, the worker's
 * model); estimates of new and running tasks are read from those rows (see estimator.ts), and the
 * scheduler orders background work by the expected remaining time.
 */
export class EstimateService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly workerModel: () => string | null;
  private readonly historyLimit: number;
  private readonly countFiles: (path: string) => Promise<number | null>;
  /** Each running task's median active time (null: no history), with the repository size once counted. */
  private readonly memo = new Map<string, { p50: number | null; sized: boolean }>();
  private readonly recording = new Set<string>();

  constructor(options: EstimateServiceOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger;
    this.workerModel = options.workerModel;
    this.historyLimit = options.historyLimit ?? 2000;
    this.countFiles = options.countFiles ?? ((p) => repositoryFiles(p));
  }

  /** The estimate of a task about to be submitted. */
  async estimate(input: EstimateTaskInput): Promise<TaskEstimate> {
    const parsed = EstimateTaskInputSchema.parse(input);
    const repoFiles = parsed.repoPath ? await this.countFiles(parsed.repoPath) : null;
    return this.fromHistory({ riskTier: parsed.riskTier, mode: parsed.mode, repoFiles, model: parsed.model ?? this.workerModel() });
  }

  /** A task's estimate with what it has used so far. */
  async forTask(taskId: string): Promise<RunningEstimate> {
    const task = getTask(this.db, taskId);
    if (!task) throw new AppFailure('not_found', `no task with id ${taskId}`);
    const estimate = this.fromHistory(await this.featuresOf(task));
    this.remember(taskId, estimate, true);
    const progress = this.progress(task);
    const p50 = estimate.durationMs?.p50;
    return {
      ...estimate,
      taskId,
      progress,
      remainingMs: progress.finished || p50 === undefined ? null : Math.max(0, p50 - progress.activeMs),
    };
  }

  /**
   * The expected remaining active time of a task (median minus the active time so far), for the
   * scheduler's order; undefined with no history. Synchronous: the first call estimates without the
   * repository's size and counts it in the background for the next.
   */
  expectedRemainingMs(taskId: string): number | undefined {
    try {
      let known = this.memo.get(taskId);
      if (!known) {
        const task = getTask(this.db, taskId);
        if (!task) return undefined;
        this.remember(taskId, this.fromHistory({ riskTier: task.riskTier, mode: task.mode, repoFiles: null, model: this.workerModel() }), false);
        known = this.memo.get(taskId)!;
        void this.forTask(taskId).catch((e: unknown) => this.logger.debug({ err: e, taskId }, 'estimate: could not size the repository'));
      }
      if (known.p50 === null) return undefined;
      return Math.max(0, known.p50 - this.activeMs(taskId, this.clock.now()));
    } catch (e) {
      this.logger.warn({ err: e, taskId }, 'estimate: could not estimate a task for the scheduler');
      return undefined;
    }
  }

  /** Records a finished task's totals once (a second call for the same task does nothing). */
  async recordTotals(taskId: string): Promise<TaskTotals | undefined> {
    if (this.recording.has(taskId) || hasTaskTotals(this.db, taskId)) return undefined;
    const task = getTask(this.db, taskId);
    if (!task || !TERMINAL.has(task.state.kind)) return undefined;
    this.recording.add(taskId);
    try {
      const repoFiles = await this.countFiles(task.repoPath);
      // Another process may have recorded it meanwhile.
      if (hasTaskTotals(this.db, taskId)) return undefined;
      const { tokens, model } = this.tokens(taskId);
      const steps = stepSamplesSummary(this.db, taskId);
      const totals: TaskTotals = {
        taskId,
        durationMs: this.activeMs(taskId, task.updatedAt),
        cpuMs: steps.cpuMs,
        peakMemoryBytes: steps.peakMemoryBytes,
        tokens,
        model,
        riskTier: task.riskTier,
        mode: task.mode,
        repoFiles,
        success: task.state.kind === 'completed',
        createdAt: this.clock.now(),
      };
      insertTaskTotals(this.db, totals);
      return totals;
    } finally {
      this.recording.delete(taskId);
      this.memo.delete(taskId);
    }
  }

  /** Records each task's totals when it ends; returns the unsubscribe. */
  bind(journal: Journal): () => void {
    return journal.subscribe((e: AgentEvent) => {
      if (e.type !== 'task.state' || !TERMINAL.has(e.payload.to.kind)) return;
      void this.recordTotals(e.taskId).catch((err: unknown) => this.logger.warn({ err, taskId: e.taskId }, 'estimate: could not record a finished task'));
    });
  }

  private fromHistory(f: EstimateFeatures): TaskEstimate {
    return estimateFrom(taskTotalsHistory(this.db, { limit: this.historyLimit, successOnly: true }), f);
  }

  private async featuresOf(task: Task): Promise<EstimateFeatures> {
    const used = this.tokens(task.id).model;
    return { riskTier: task.riskTier, mode: task.mode, repoFiles: await this.countFiles(task.repoPath), model: used ?? this.workerModel() };
  }

  private remember(taskId: string, e: TaskEstimate, sized: boolean): void {
    const known = this.memo.get(taskId);
    if (known?.sized && !sized) return;
    if (this.memo.size >= MEMO_LIMIT && !known) this.memo.delete(this.memo.keys().next().value!);
    this.memo.set(taskId, { p50: e.durationMs?.p50 ?? null, sized });
  }

  private progress(task: Task): RunningEstimate['progress'] {
    const finished = TERMINAL.has(task.state.kind);
    const steps = stepSamplesSummary(this.db, task.id);
    return {
      activeMs: this.activeMs(task.id, finished ? task.updatedAt : this.clock.now()),
      tokens: this.tokens(task.id).tokens,
      peakMemoryBytes: Math.round(steps.peakMemoryBytes),
      finished,
    };
  }

  /** Completed phases, plus the open one up to `until`. */
  private activeMs(taskId: string, until: number): number {
    const t = taskPhaseTimes(this.db, taskId);
    return t.completedMs + (t.openSince !== null ? Math.max(0, until - t.openSince) : 0);
  }

  /** Tokens generated for a task, and its worker's model (the one that wrote most of them). */
  private tokens(taskId: string): { tokens: number; model: string | null } {
    let tokens = 0;
    let best: { model: string; n: number; worker: boolean } | null = null;
    for (const r of taskTokensByModel(this.db, taskId)) {
      const n = typeof r.tokens === 'number' && Number.isFinite(r.tokens) ? r.tokens : 0;
      tokens += n;
      if (typeof r.model !== 'string') continue;
      const worker = r.role === 'worker';
      if (!best || (worker && !best.worker) || (worker === best.worker && n > best.n)) best = { model: r.model, n, worker };
    }
    return { tokens: Math.round(tokens), model: best?.model ?? null };
  }
}
