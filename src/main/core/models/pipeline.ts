import { randomBytes } from 'node:crypto';
import type { ModelRoleName } from '../../../shared/domain/model';
import { AppFailure } from '../../../shared/errors';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import type { InferenceAdmission, WorkPriority } from '../scheduler/admission';
import { isAbortError } from './abort';
import type { ModelEventBus } from './events';
import { heldSlot } from './held-slot';
import type { ModelHost } from './host';
import type { LoadedModel } from './loaded-model';
import type { ModelMetrics } from './metrics';
import type { RoleTable } from './roles';
import { canaryVerdict, route, type CanaryStats, type Route } from './router';
import { TokenBatcher } from './token-batcher';
import type { ChatMessage, GenerateOptions, Generation, JsonSchema, ModelClient } from './types';

export type PipelineOptions = {
  host: ModelHost;
  roles: RoleTable;
  metrics: ModelMetrics;
  events: ModelEventBus;
  admission: InferenceAdmission;
  journal: Journal;
  clock: Clock;
  logger: Logger;
  random: () => number;
  /** Bytes a model needs, for "prefer a smaller model" under pressure. */
  sizeOf: (model: string) => number;
  /** Whether an alternate may take calls now (loaded, or remote). */
  ready: (model: string) => boolean;
  /** Called after a canary crossed a threshold and was removed from its role. */
  onCanaryRolledBack?: (role: ModelRoleName, model: string, reason: string) => void;
  /** The swap of `role` under way, if any: a failed call waits for it before deciding to retry. */
  swapUnderWay?: (role: ModelRoleName) => Promise<unknown> | undefined;
};

/** Who a call is for: a role (routing, canary) or one named model (the OpenAI endpoint). */
export type Target = { role: ModelRoleName } | { model: string };

type Measure = { tokens: number; durationMs: number; firstTokenMs?: number | undefined };

const JUDGE_PRIORITY: WorkPriority = 'council';

/**
 * The path of every inference call: an admission slot from the scheduler, a route (canary share,
 * measured speed and errors), a pin on the model so it cannot be unloaded mid-call, metrics, batched
 * `model.tokens` journal events, and a retry on the primary when a canary fails.
 */
export class InferencePipeline {
  private readonly canaries = new Map<ModelRoleName, { model: string; stats: CanaryStats }>();
  /** Tasks with calls in flight per role, told about a hot-swap in their own journal. */
  private readonly inFlightTasks = new Map<ModelRoleName, Map<string, number>>();

  constructor(private readonly o: PipelineOptions) {}

  client(target: Target): ModelClient {
    return new PipelineClient(this, target);
  }

  /** Starts counting a canary afresh (a new candidate or new thresholds). */
  resetCanary(role: ModelRoleName): void {
    this.canaries.delete(role);
  }

  tasksInFlight(role: ModelRoleName): string[] {
    return [...(this.inFlightTasks.get(role)?.keys() ?? [])];
  }

  async run<T>(
    target: Target,
    kind: string,
    options: GenerateOptions,
    call: (model: LoadedModel, options: GenerateOptions) => Promise<T>,
    measure: (result: T) => Measure,
  ): Promise<T> {
    const role = 'role' in target ? target.role : null;
    const asked = this.o.clock.now();
    const priority = options.priority ?? (role?.startsWith('judge.') ? JUDGE_PRIORITY : 'background');
    // Counting tokens only runs the tokenizer: it needs the model loaded, not an inference slot; a
    // call inside a unit that holds a slot (a council round, see held-slot.ts) is already admitted.
    const slot = kind === 'count' || heldSlot() ? { release: () => undefined, preferSmallerModel: false } : await this.o.admission.acquire({
      priority,
      label: `${role ?? ('model' in target ? target.model : 'model')} ${kind}`,
      ...(options.taskId ? { taskId: options.taskId } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    this.trackTask(role, options.taskId, +1);
    try {
      const picked = role ? this.pick(role, slot.preferSmallerModel) : { model: (target as { model: string }).model, canary: false, reason: 'named' };
      const primaryAtPick = role ? this.o.roles.get(role)?.model : undefined;
      let streamed = false;
      const tracked: GenerateOptions = options.onToken
        ? {
            ...options,
            onToken: (t) => {
              streamed = true;
              options.onToken!(t);
            },
          }
        : options;
      try {
        return await this.callOn(picked.model, role, kind, tracked, call, measure, picked.canary, asked);
      } catch (e) {
        // A failed canary call is retried on the primary, unless text already reached the caller; so
        // is a call whose model was switched away from under it (a swap refused and rolled back), once
        // the swap under way on its role has settled.
        const swap = role && !picked.canary && !streamed ? this.o.swapUnderWay?.(role) : undefined;
        if (swap) await swap.catch(() => undefined);
        if (role && (picked.canary || (picked.model === primaryAtPick && this.o.roles.get(role)?.model !== primaryAtPick)) && !streamed && !isAbortError(e) && !options.signal?.aborted) {
          const primary = this.o.roles.get(role)?.model;
          if (primary && primary !== picked.model) return await this.callOn(primary, role, kind, options, call, measure, false, this.o.clock.now());
        }
        throw e;
      }
    } finally {
      this.trackTask(role, options.taskId, -1);
      slot.release();
    }
  }

  private pick(role: ModelRoleName, preferSmallerModel: boolean): Route {
    const assignment = this.o.roles.get(role);
    if (!assignment) {
      throw new AppFailure('not_found', `no model is assigned to the ${role} role; add a model and assign it on the Models page`);
    }
    return route({
      assignment,
      metrics: (m) => this.o.metrics.view(m),
      ready: this.o.ready,
      sizeOf: this.o.sizeOf,
      preferSmallerModel,
      random: this.o.random,
    });
  }

  private async callOn<T>(
    name: string,
    role: ModelRoleName | null,
    kind: string,
    options: GenerateOptions,
    call: (model: LoadedModel, options: GenerateOptions) => Promise<T>,
    measure: (result: T) => Measure,
    canary: boolean,
    asked: number,
  ): Promise<T> {
    const lease = await this.o.host.acquire(name, options.signal);
    const started = this.o.clock.now();
    const queueWaitMs = started - asked;
    const batcher = options.taskId
      ? new TokenBatcher({
          journal: this.o.journal,
          logger: this.o.logger,
          now: () => this.o.clock.now(),
          taskId: options.taskId,
          callId: randomBytes(6).toString('hex'),
          model: name,
          role: role ?? 'api',
        })
      : undefined;
    const effective: GenerateOptions =
      batcher && kind !== 'embed'
        ? {
            ...options,
            onToken: (t) => {
              options.onToken?.(t);
              batcher.push(t);
            },
          }
        : options;
    try {
      const result = await call(lease.model, effective);
      const m = measure(result);
      const latencyMs = this.o.clock.now() - started;
      if (kind !== 'count') this.o.metrics.record(name, { ok: true, latencyMs, tokens: m.tokens, durationMs: m.durationMs, firstTokenMs: m.firstTokenMs, queueWaitMs });
      if (canary && role) this.recordCanary(role, name, true, latencyMs);
      return result;
    } catch (e) {
      const aborted = isAbortError(e) || options.signal?.aborted;
      const callerFault = e instanceof AppFailure && e.code === 'invalid_input';
      if (!aborted && !callerFault) {
        const message = e instanceof Error ? e.message : String(e);
        this.o.metrics.record(name, { ok: false, latencyMs: this.o.clock.now() - started, tokens: 0, durationMs: 0, queueWaitMs });
        this.o.events.emit({ type: 'model.error', model: name, role, error: message });
        if (canary && role) this.recordCanary(role, name, false, 0);
      }
      throw e;
    } finally {
      batcher?.flush();
      lease.release();
    }
  }

  private recordCanary(role: ModelRoleName, model: string, ok: boolean, latencyMs: number): void {
    const config = this.o.roles.get(role)?.canary;
    if (!config || config.model !== model) return;
    let entry = this.canaries.get(role);
    if (!entry || entry.model !== model) {
      entry = { model, stats: { calls: 0, errors: 0, totalLatencyMs: 0 } };
      this.canaries.set(role, entry);
    }
    entry.stats.calls++;
    if (ok) entry.stats.totalLatencyMs += latencyMs;
    else entry.stats.errors++;
    const reason = canaryVerdict(config, entry.stats);
    if (reason) {
      this.o.roles.setCanary(role, null);
      this.canaries.delete(role);
      this.o.events.emit({ type: 'model.canary_rolled_back', role, model, reason });
      this.o.logger.warn({ role, model, reason }, 'canary rolled back');
      this.o.onCanaryRolledBack?.(role, model, reason);
    }
  }

  private trackTask(role: ModelRoleName | null, taskId: string | undefined, delta: 1 | -1): void {
    if (!role || !taskId) return;
    let tasks = this.inFlightTasks.get(role);
    if (!tasks) {
      tasks = new Map();
      this.inFlightTasks.set(role, tasks);
    }
    const n = (tasks.get(taskId) ?? 0) + delta;
    if (n <= 0) tasks.delete(taskId);
    else tasks.set(taskId, n);
  }
}

const generationMeasure = (g: Generation): Measure => ({ tokens: g.tokens, durationMs: g.durationMs, firstTokenMs: g.firstTokenMs });

/** The ModelClient a role (or the OpenAI endpoint) holds; every call goes through the pipeline. */
class PipelineClient implements ModelClient {
  constructor(
    private readonly pipeline: InferencePipeline,
    private readonly target: Target,
  ) {}

  complete(prompt: string, options: GenerateOptions = {}): Promise<Generation> {
    return this.pipeline.run(this.target, 'completion', options, (m, o) => m.complete(prompt, o), generationMeasure);
  }

  chat(messages: ChatMessage[], options: GenerateOptions = {}): Promise<Generation> {
    return this.pipeline.run(this.target, 'chat', options, (m, o) => m.chat(messages, o), generationMeasure);
  }

  generateJson(messages: ChatMessage[], schema: JsonSchema, options: GenerateOptions = {}): Promise<{ value: unknown; generation: Generation }> {
    return this.pipeline.run(
      this.target,
      'json',
      options,
      (m, o) => m.generateJson(messages, schema, o),
      (r) => generationMeasure(r.generation),
    );
  }

  embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    return this.pipeline.run(
      this.target,
      'embed',
      options.signal ? { signal: options.signal, priority: 'background' } : { priority: 'background' },
      (m, o) => m.embed(texts, o.signal ? { signal: o.signal } : {}),
      () => ({ tokens: 0, durationMs: 0 }),
    );
  }

  async countTokens(text: string): Promise<number> {
    return this.pipeline.run(
      this.target,
      'count',
      {},
      (m) => m.countTokens(text),
      () => ({ tokens: 0, durationMs: 0 }),
    );
  }
}
