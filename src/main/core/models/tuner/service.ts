import { z } from 'zod';
import { TunedSettingsView, type TuneJobBrief, type TuneRunView, type TuneTrialView } from '../../../../shared/domain/model-tune';
import type { PressureLevel } from '../../../../shared/domain/scheduler';
import { AppFailure } from '../../../../shared/errors';
import type { Clock } from '../../journal/journal';
import type { Logger } from '../../observability/logger';
import type { InferenceAdmission } from '../../scheduler/admission';
import type { ModelEventBus } from '../events';
import type { LlamaRuntime } from '../providers/llama-runtime';
import type { ModelRegistry } from '../registry';
import { runTuneJob, type GgufEntry } from './job';
import { machineId, type ModelSettingsStore } from './store';

export type TuneServiceOptions = {
  registry: Pick<ModelRegistry, 'get' | 'withCurrentFacts'>;
  events: ModelEventBus;
  store: ModelSettingsStore;
  /** The model service's machine reading: the memory budget trials must fit, and the backend the host looks tuned settings up by. */
  machine: () => Promise<{ budgetBytes: number; availableBytes: number; gpu: string }>;
  /** Bytes the models loaded now hold: a trial loads beside them, so it fits what they leave. */
  loadedBytes: () => number;
  /** The process's one node-llama-cpp binding; absent when the core runs on other providers (tests), and tuning is then unavailable. */
  runtime: LlamaRuntime | undefined;
  pressure: () => PressureLevel;
  /** The scheduler: each measurement holds a background inference slot, so tuning never adds to a busy machine's load. */
  admission?: InferenceAdmission;
  clock: Clock;
  logger: Logger;
  /** Re-measurements of the defaults and the best after the search (default 2, as the command line). */
  confirmRounds?: number;
};

type Job = { model: string; budget: number; controller: AbortController; run: TuneRunView; done: Promise<void> };

/** The shape tune() stores its trials in (store.ts keeps them as JSON). */
const StoredTrial = z.object({ settings: TunedSettingsView, tps: z.number().nonnegative(), bestSoFar: z.number().nonnegative(), skipped: z.string().optional() });

/**
 * Tuning jobs of the app: one at a time on the machine (two runs measuring at once would each slow
 * the other, so neither figure would mean anything), cancellable, each trial published on the model
 * event bus as it finishes. The running or last run of each model is kept in memory for the page;
 * after a restart the last completed run is read back from the store, where the best setting the
 * next load uses is kept.
 */
export class TuneService {
  private job: Job | undefined;
  private readonly last = new Map<string, TuneRunView>();

  constructor(private readonly options: TuneServiceOptions) {}

  /** Starts tuning `name` with `budget` trials; refuses a remote or unknown model, or while another run is under way. */
  start(name: string, budget: number): TuneRunView {
    const entry = this.options.registry.get(name);
    if (!entry) throw new AppFailure('not_found', `name: no model named ${name}`);
    if (entry.kind !== 'gguf') throw new AppFailure('invalid_input', `name: ${name} is a remote endpoint; only local GGUF models are tuned`);
    if (this.job) throw new AppFailure('conflict', `${this.job.model} is being tuned; wait for it or cancel it first`);
    const runtime = this.options.runtime;
    if (!runtime) throw new AppFailure('unavailable', 'this core runs models on other providers than node-llama-cpp, so nothing can be tuned');
    const run: TuneRunView = {
      model: name,
      state: 'running',
      budget,
      backend: null,
      startedAt: this.options.clock.now(),
      finishedAt: null,
      error: null,
      trials: [],
      defaultTps: null,
      bestTps: null,
      gain: null,
      best: null,
    };
    const controller = new AbortController();
    const job: Job = { model: name, budget, controller, run, done: Promise.resolve() };
    this.job = job;
    this.last.set(name, run);
    this.options.events.emit({ type: 'model.tune_started', model: name, budget });
    job.done = this.execute(job, entry, runtime);
    return this.copy(run);
  }

  /** Stops the run of `name`; nothing is stored. Resolves once the current trial has let go of the model. */
  async cancel(name: string): Promise<TuneRunView> {
    const job = this.job;
    if (!job || job.model !== name) throw new AppFailure('conflict', `${name} is not being tuned`);
    job.controller.abort(new AppFailure('cancelled', 'tuning was cancelled'));
    await job.done;
    return this.copy(job.run);
  }

  /** The running or last run of `name`, else the last completed one stored for this machine, else null. */
  async run(name: string): Promise<TuneRunView | null> {
    const kept = this.last.get(name);
    if (kept) return this.copy(kept);
    const { gpu } = await this.options.machine();
    const stored = this.options.store.tuning(name, machineId(gpu));
    if (!stored) return null;
    const trials: TuneTrialView[] = [];
    for (const raw of stored.trials) {
      const t = StoredTrial.safeParse(raw);
      if (t.success) trials.push({ n: trials.length + 1, settings: t.data.settings, tps: t.data.tps, bestSoFar: t.data.bestSoFar, status: t.data.skipped ? 'skipped' : 'counted', reason: t.data.skipped ?? null });
    }
    const best = TunedSettingsView.safeParse(this.options.store.tuned(name, machineId(gpu)));
    return {
      model: name,
      state: 'completed',
      budget: null,
      backend: null,
      startedAt: stored.createdAt,
      finishedAt: stored.createdAt,
      error: null,
      trials,
      defaultTps: stored.defaultTps,
      bestTps: stored.bestTps,
      gain: stored.defaultTps > 0 ? stored.bestTps / stored.defaultTps : null,
      best: best.success ? best.data : null,
    };
  }

  /** The run under way, for the Models snapshot. */
  running(): TuneJobBrief | null {
    const job = this.job;
    return job ? { model: job.model, budget: job.budget, startedAt: job.run.startedAt, trials: job.run.trials.filter((t) => t.status !== 'discarded').length } : null;
  }

  /** Resolves when no run is under way (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.job) await this.job.done;
  }

  async close(): Promise<void> {
    this.job?.controller.abort(new AppFailure('cancelled', 'the app is shutting down'));
    await this.idle();
  }

  private async execute(job: Job, entry: GgufEntry, runtime: LlamaRuntime): Promise<void> {
    const { run } = job;
    const signal = job.controller.signal;
    try {
      const machine = await this.options.machine();
      const result = await runTuneJob({
        // An entry recorded before the head widths were read gets them (the KV types searched depend on them).
        entry: await this.options.registry.withCurrentFacts(entry),
        runtime,
        clock: this.options.clock,
        budget: job.budget,
        // Read before every trial: the app may load or unload models while the search runs.
        memoryBudget: async () => {
          const now = await this.options.machine();
          return Math.min(now.budgetBytes - this.options.loadedBytes(), now.availableBytes);
        },
        pressure: this.options.pressure,
        store: this.options.store,
        storeBackend: machine.gpu,
        ...(this.options.admission ? { slot: this.slot(this.options.admission, job.model) } : {}),
        confirmRounds: this.options.confirmRounds ?? 2,
        signal,
        onStart: ({ backend }) => {
          run.backend = backend;
        },
        onTrial: (trial) => {
          run.trials.push(trial);
          if (trial.status !== 'discarded') {
            if (run.defaultTps === null) run.defaultTps = trial.tps;
            run.bestTps = trial.bestSoFar;
            run.gain = run.defaultTps > 0 ? trial.bestSoFar / run.defaultTps : null;
          }
          this.options.events.emit({ type: 'model.tune_trial', model: job.model, trial });
        },
      });
      Object.assign(run, { state: 'completed', defaultTps: result.default_tps, bestTps: result.best_tps, gain: result.default_tps > 0 ? result.gain : null, best: result.best });
    } catch (e) {
      const cancelled = signal.aborted;
      run.state = cancelled ? 'cancelled' : 'failed';
      run.error = cancelled ? 'cancelled' : e instanceof Error ? e.message : String(e);
      if (!cancelled) this.options.logger.warn({ model: job.model, err: run.error }, 'tuning failed');
    } finally {
      run.finishedAt = this.options.clock.now();
      this.job = undefined;
      const state = run.state === 'running' ? 'failed' : run.state;
      this.options.events.emit({ type: 'model.tune_finished', model: job.model, state, error: run.error, gain: run.gain });
    }
  }

  private slot(admission: InferenceAdmission, model: string) {
    return (signal: AbortSignal | undefined) => admission.acquire({ priority: 'background', label: `tuning ${model}`, ...(signal ? { signal } : {}) });
  }

  private copy(run: TuneRunView): TuneRunView {
    return { ...run, trials: [...run.trials], best: run.best ? { ...run.best } : null };
  }
}
