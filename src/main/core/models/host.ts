// Over 400 lines on purpose: loading, idle unload, memory waits and warm-up share one per-model state machine; fit and providers live beside it.
import type { FitReport, LoadState, ModelEntry } from '../../../shared/domain/model';
import { AppFailure } from '../../../shared/errors';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { raceAbort } from './abort';
import type { ModelEventBus } from './events';
import { checkFit, DEFAULT_FIT_POLICY, gb, memoryBudget, type Alternative, type FitPolicy } from './fit';
import { heldBytes, modelOf, transition, type LifecycleEvent, type ModelLifecycle } from './load-lifecycle';
import type { LoadedModel } from './loaded-model';
import type { MemoryProbe } from './memory-probe';
import type { ModelRegistry } from './registry';
import { resolveRuntimeSettings, type KvCacheType, type ModelRuntimeSettings } from './runtime-settings';

/** How a model is to be loaded, decided by the fit check. */
export type LoadPlan = {
  contextSize: number;
  sequences: number;
  gpuLayers: number;
  /** Estimated bytes while loaded; 0 for a remote endpoint. */
  memoryBytes: number;
  fit: FitReport | null;
  /** Why this many sequences (the resource manager's reason). */
  sequencesReason?: string;
  /** The rest of the resolved runtime settings the loader passes to node-llama-cpp. */
  settings?: {
    flashAttention: 'auto' | boolean;
    kvCacheType: KvCacheType;
    batchSize: number;
    /** Only when the user or the tuner chose it; otherwise the runtime's default (performance cores). */
    threads?: number;
    notes: string[];
  };
};

export type ModelLoader = (entry: ModelEntry, plan: LoadPlan, signal: AbortSignal) => Promise<LoadedModel>;

export type ModelHostOptions = {
  registry: ModelRegistry;
  events: ModelEventBus;
  clock: Clock;
  logger: Logger;
  loader: ModelLoader;
  memory: MemoryProbe;
  policy?: FitPolicy;
  /** Unload a model nobody has used for this long; 0 keeps models until asked. Default 10 minutes. */
  idleUnloadMs?: number;
  /** Longest context to allocate (the model's own limit may be lower). Default 8192. */
  maxContextSize?: number;
  /**
   * Most parallel generations (context sequences) per local model. Each load gets the largest of
   * this, half of it, ... 1 that fits the memory budget comfortably (see plan). Default 1; the app
   * asks for 4 (composition/app-core.ts), so a council's judges can run at once.
   */
  sequences?: number;
  /** How long a load may wait for in-use models to finish before it is refused. Default 5 minutes. */
  memoryWaitMs?: number;
  /** Models the user could pick instead, named in a refusal. */
  alternatives?: () => Alternative[];
  /** A model's stored runtime settings: the user's (Settings) and the tuner's best on this machine. */
  runtimeSettings?: (model: string, backend: string) => { user?: ModelRuntimeSettings | undefined; tuned?: ModelRuntimeSettings | undefined };
};

export type Lease = { readonly model: LoadedModel; release(): void };

export type ModelStatus = { state: LoadState; inFlight: number; memoryBytes: number | null; lastError: string | null; lastUsedAt: number | null };

type Slot = {
  name: string;
  /** Where the model is in its load lifecycle; changed only through `move` (load-lifecycle.ts). */
  life: ModelLifecycle<LoadedModel>;
  loading: Promise<LoadedModel> | undefined;
  unloading: Promise<void> | undefined;
  pins: number;
  lastUsedAt: number;
  lastError: string | null;
  idleTimer: NodeJS.Timeout | undefined;
  drainWaiters: Array<() => void>;
};

/**
 * Keeps models loaded and hands them out. One load at a time (a second request for the same model
 * joins the first; other models wait their turn), every call pins its model so nothing in use is ever
 * unloaded, idle models unload after a while, and a load that needs room evicts idle models first and
 * otherwise waits for in-use ones to finish rather than evicting them.
 */
export class ModelHost {
  private readonly slots = new Map<string, Slot>();
  private readonly options: Required<Omit<ModelHostOptions, 'alternatives' | 'policy' | 'runtimeSettings'>> &
    Pick<ModelHostOptions, 'alternatives' | 'runtimeSettings'>;
  private readonly policy: FitPolicy;
  private readonly shutdown = new AbortController();
  private loadLock: Promise<void> = Promise.resolve();
  private readonly roomWaiters = new Set<() => void>();

  constructor(options: ModelHostOptions) {
    this.options = {
      idleUnloadMs: 10 * 60_000,
      maxContextSize: 8192,
      sequences: 1,
      memoryWaitMs: 5 * 60_000,
      ...options,
    };
    this.policy = options.policy ?? DEFAULT_FIT_POLICY;
  }

  /**
   * Pins the model for one call, loading it first if needed. When the model is already loaded the
   * pin is taken synchronously, so a caller that routed to it cannot lose it to a concurrent unload.
   */
  acquire(name: string, signal?: AbortSignal): Promise<Lease> {
    const slot = this.slots.get(name);
    if (slot?.life.kind === 'loaded') return Promise.resolve(this.pin(slot, slot.life.model));
    return this.acquireSlow(name, signal);
  }

  /** Loads the model if it is not loaded; resolves when it is ready. */
  ensureLoaded(name: string): Promise<LoadedModel> {
    if (this.shutdown.signal.aborted) return Promise.reject(new AppFailure('unavailable', 'the model service is shutting down'));
    const slot = this.slot(name);
    if (slot.life.kind === 'loaded') return Promise.resolve(slot.life.model);
    if (slot.loading) return slot.loading;
    const loading = (slot.unloading ?? Promise.resolve()).then(() => this.load(slot));
    slot.loading = loading;
    const clear = () => {
      if (slot.loading === loading) slot.loading = undefined;
    };
    loading.then(clear, clear);
    return loading;
  }

  /**
   * Unloads once the calls in flight have finished (they are never cut off). New calls that arrive
   * meanwhile wait and load the model again.
   */
  unload(name: string, reason: 'idle' | 'request' | 'evicted' | 'swap' | 'removed' | 'shutdown' = 'request'): Promise<void> {
    const slot = this.slots.get(name);
    if (!slot) return Promise.resolve();
    if (slot.unloading) return slot.unloading;
    if (slot.loading) return slot.loading.then(() => this.unload(name, reason), () => undefined);
    if (slot.life.kind !== 'loaded') return Promise.resolve();
    const model = slot.life.model;
    this.move(slot, { type: 'unload' });
    this.clearIdle(slot);
    const unloading = (async () => {
      await this.drained(name);
      try {
        await model.dispose();
      } catch (e) {
        this.options.logger.warn({ err: e, model: name }, 'model dispose failed');
      }
      // A shutdown meanwhile has already forgotten it.
      if (slot.life.kind === 'unloading') this.move(slot, { type: 'unloaded' });
      this.options.events.emit({ type: 'model.unloaded', model: name, reason });
      this.wakeRoomWaiters();
    })();
    slot.unloading = unloading;
    const clear = () => {
      if (slot.unloading === unloading) slot.unloading = undefined;
    };
    unloading.then(clear, clear);
    return unloading;
  }

  /** Resolves when no call holds the model. */
  drained(name: string): Promise<void> {
    const slot = this.slots.get(name);
    if (!slot || slot.pins === 0) return Promise.resolve();
    return new Promise((resolve) => slot.drainWaiters.push(resolve));
  }

  status(name: string): ModelStatus {
    const slot = this.slots.get(name);
    if (!slot) return { state: 'unloaded', inFlight: 0, memoryBytes: null, lastError: null, lastUsedAt: null };
    return {
      state: slot.life.kind,
      inFlight: slot.pins,
      memoryBytes: slot.life.kind === 'loaded' || slot.life.kind === 'unloading' ? slot.life.memoryBytes : null,
      lastError: slot.lastError,
      lastUsedAt: slot.lastUsedAt || null,
    };
  }

  /** Bytes each loaded (or unloading) local model holds now, for the performance monitor. */
  heldMemory(): Array<{ model: string; bytes: number }> {
    return [...this.slots.values()].flatMap((s) => {
      const bytes = this.status(s.name).memoryBytes;
      return bytes ? [{ model: s.name, bytes }] : [];
    });
  }

  isLoaded(name: string): boolean {
    return this.slots.get(name)?.life.kind === 'loaded';
  }

  /** Bytes held by loaded (and loading) local models. */
  loadedBytes(except?: string): number {
    let total = 0;
    for (const s of this.slots.values()) if (s.name !== except) total += heldBytes(s.life);
    return total;
  }

  /**
   * The fit check for a registry entry on this machine now (null for remote endpoints), and the
   * resource manager's choice of sequences: the most (up to the configured maximum, halving) whose
   * memory estimate still "fits" — not tight — so parallel judges never push a model into swap.
   */
  async plan(given: ModelEntry): Promise<LoadPlan> {
    if (given.kind === 'remote') return { contextSize: 0, sequences: 1, gpuLayers: 0, memoryBytes: 0, fit: null, sequencesReason: 'remote endpoint' };
    // Facts recorded before this version read them all (the head widths a KV type needs) are read again.
    const entry = await this.options.registry.withCurrentFacts(given);
    const machine = await this.options.memory.read();
    const stored = this.options.runtimeSettings?.(entry.name, machine.gpu) ?? {};
    // The fit check and the load use these same numbers (context, sequences, GPU layers, KV type).
    const resolved = resolveRuntimeSettings({
      facts: entry.facts,
      backend: machine.gpu,
      defaultThreads: 1,
      maxContextSize: this.options.maxContextSize,
      defaultSequences: this.options.sequences,
      user: stored.user,
      tuned: stored.tuned,
    });
    const contextSize = resolved.contextSize;
    const fitWith = (sequences: number) =>
      checkFit({
        name: entry.name,
        sizeBytes: entry.sizeBytes,
        facts: entry.facts,
        contextSize,
        sequences,
        kvCacheType: resolved.kvCacheType,
        gpuLayers: resolved.gpuLayers,
        machine,
        policy: this.policy,
        alternatives: this.options.alternatives?.() ?? [],
      });
    const most = Math.max(1, Math.floor(resolved.sequences));
    let sequences = most;
    let fit = fitWith(sequences);
    while (sequences > 1 && fit.verdict !== 'fits') {
      sequences = Math.max(1, Math.floor(sequences / 2));
      fit = fitWith(sequences);
    }
    const reason =
      sequences === most
        ? `${sequences} sequence(s) of ${contextSize} tokens fit the budget (${gb(fit.neededBytes)} of ${gb(fit.budgetBytes)})`
        : `${most} sequences of ${contextSize} tokens would not fit comfortably; ${sequences} need ${gb(fit.neededBytes)} of ${gb(fit.budgetBytes)}`;
    const threads = stored.user?.threads ?? stored.tuned?.threads;
    return {
      contextSize,
      sequences,
      gpuLayers: fit.gpuLayers,
      memoryBytes: fit.neededBytes,
      fit,
      sequencesReason: reason,
      settings: {
        flashAttention: resolved.flashAttention,
        kvCacheType: resolved.kvCacheType,
        batchSize: resolved.batchSize,
        ...(threads !== undefined ? { threads } : {}),
        notes: resolved.notes,
      },
    };
  }

  async close(): Promise<void> {
    this.shutdown.abort();
    this.wakeRoomWaiters();
    const models: Promise<void>[] = [];
    for (const slot of this.slots.values()) {
      this.clearIdle(slot);
      const model = modelOf(slot.life);
      this.move(slot, { type: 'shutdown' });
      if (model) models.push(model.dispose().catch(() => undefined));
    }
    await Promise.all(models);
  }

  private async acquireSlow(name: string, signal?: AbortSignal): Promise<Lease> {
    for (;;) {
      const model = await raceAbort(this.ensureLoaded(name), signal);
      const slot = this.slots.get(name);
      // Same turn as the resolution: nothing can unload it between this check and the pin.
      if (slot?.life.kind === 'loaded' && slot.life.model === model) return this.pin(slot, model);
    }
  }

  private pin(slot: Slot, model: LoadedModel): Lease {
    slot.pins++;
    this.clearIdle(slot);
    let released = false;
    return {
      model,
      release: () => {
        if (released) return;
        released = true;
        slot.pins--;
        slot.lastUsedAt = this.options.clock.now();
        if (slot.pins === 0) {
          for (const w of slot.drainWaiters.splice(0)) w();
          this.wakeRoomWaiters();
          if (slot.life.kind === 'loaded') this.scheduleIdle(slot);
        }
      },
    };
  }

  private async load(slot: Slot): Promise<LoadedModel> {
    const entry = this.options.registry.require(slot.name);
    this.move(slot, { type: 'load' });
    // One load at a time: weights are read once, memory is checked against what is really loaded.
    const previous = this.loadLock;
    let unlock!: () => void;
    this.loadLock = new Promise((r) => (unlock = r));
    await previous;
    try {
      const plan = await this.plan(entry);
      if (plan.fit?.verdict === 'too_large') {
        this.options.events.emit({ type: 'model.refused', model: entry.name, reason: plan.fit.message });
        throw new AppFailure('unavailable', plan.fit.message);
      }
      await this.makeRoom(slot, plan.memoryBytes);
      if (plan.sequencesReason) {
        this.options.events.emit({ type: 'model.resources', model: entry.name, decision: 'sequences', value: plan.sequences, reason: plan.sequencesReason });
      }
      if (this.shutdown.signal.aborted) throw new AppFailure('unavailable', 'the model service is shutting down');
      this.move(slot, { type: 'start', memoryBytes: plan.memoryBytes });
      this.options.events.emit({ type: 'model.loading', model: entry.name });
      const started = this.options.clock.now();
      const model = await this.options.loader(entry, plan, this.shutdown.signal);
      if (this.shutdown.signal.aborted) {
        await model.dispose();
        throw new AppFailure('unavailable', 'the model service is shutting down');
      }
      this.move(slot, { type: 'succeeded', model, memoryBytes: model.memoryBytes });
      slot.lastError = null;
      slot.lastUsedAt = this.options.clock.now();
      this.options.events.emit({
        type: 'model.loaded',
        model: entry.name,
        durationMs: this.options.clock.now() - started,
        memoryBytes: model.memoryBytes,
      });
      this.scheduleIdle(slot);
      return model;
    } catch (e) {
      const failure = e instanceof AppFailure ? e : new AppFailure('unavailable', `could not load ${entry.name}: ${e instanceof Error ? e.message : String(e)}`);
      // A shutdown meanwhile has already forgotten it; otherwise the load failed here.
      if (slot.life.kind === 'queued' || slot.life.kind === 'loading') this.move(slot, { type: 'failed', error: failure.message });
      slot.lastError = failure.message;
      this.options.events.emit({ type: 'model.load_failed', model: entry.name, error: failure.message });
      throw failure;
    } finally {
      unlock();
    }
  }

  /**
   * Frees memory for a load: within the service's budget and within what the machine has now.
   * Idle models go first, least recently used first; models in use are waited for, never evicted.
   */
  private async makeRoom(slot: Slot, needed: number): Promise<void> {
    if (needed <= 0) return;
    const deadline = this.options.clock.now() + this.options.memoryWaitMs;
    for (;;) {
      if (this.shutdown.signal.aborted) throw new AppFailure('unavailable', 'the model service is shutting down');
      const machine = await this.options.memory.read();
      const budget = memoryBudget(machine, this.policy);
      const loaded = this.loadedBytes(slot.name);
      if (loaded + needed <= budget && needed <= machine.availableBytes) return;
      const idle = [...this.slots.values()]
        .filter((s) => s !== slot && s.life.kind === 'loaded' && s.pins === 0 && heldBytes(s.life) > 0)
        .sort((a, b) => a.lastUsedAt - b.lastUsedAt);
      if (idle[0]) {
        this.options.events.emit({
          type: 'model.resources',
          model: idle[0].name,
          decision: 'evict',
          value: null,
          reason: `${slot.name} needs ${gb(needed)}; ${idle[0].name} is the least recently used idle model (${gb(heldBytes(idle[0].life))})`,
        });
        await this.unload(idle[0].name, 'evicted');
        continue;
      }
      const busy = [...this.slots.values()].filter((s) => s !== slot && heldBytes(s.life) > 0 && (s.pins > 0 || s.life.kind === 'unloading'));
      if (busy.length === 0) {
        const reason =
          `${slot.name} needs about ${gb(needed)} but only ${gb(Math.min(machine.availableBytes, budget - loaded))} is free now ` +
          `(other programs hold the rest of this machine's ${gb(machine.totalBytes)}); close some and try again.`;
        this.options.events.emit({ type: 'model.refused', model: slot.name, reason });
        throw new AppFailure('unavailable', reason);
      }
      const remaining = deadline - this.options.clock.now();
      if (remaining <= 0) {
        const reason = `${slot.name} waited ${Math.round(this.options.memoryWaitMs / 1000)} s for ${busy.map((s) => s.name).join(', ')} to finish their calls and free ${gb(needed)}; try again when they are idle.`;
        this.options.events.emit({ type: 'model.refused', model: slot.name, reason });
        throw new AppFailure('unavailable', reason);
      }
      await this.waitForRoom(remaining);
    }
  }

  private waitForRoom(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.roomWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref?.();
      this.roomWaiters.add(done);
    });
  }

  private wakeRoomWaiters(): void {
    for (const w of [...this.roomWaiters]) w();
  }

  /** Changes the idle-unload time now: loaded models that sit unused are timed again from now. */
  setIdleUnloadMs(ms: number): void {
    this.options.idleUnloadMs = Math.max(0, ms);
    for (const slot of this.slots.values()) if (slot.life.kind === 'loaded') this.scheduleIdle(slot);
  }

  get idleUnloadMs(): number {
    return this.options.idleUnloadMs;
  }

  private scheduleIdle(slot: Slot): void {
    this.clearIdle(slot);
    if (this.options.idleUnloadMs <= 0 || slot.pins > 0) return;
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = undefined;
      if (slot.pins === 0 && slot.life.kind === 'loaded') void this.unload(slot.name, 'idle');
    }, this.options.idleUnloadMs);
    slot.idleTimer.unref?.();
  }

  private clearIdle(slot: Slot): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
  }

  private slot(name: string): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = {
        name,
        life: { kind: 'unloaded' },
        loading: undefined,
        unloading: undefined,
        pins: 0,
        lastUsedAt: 0,
        lastError: null,
        idleTimer: undefined,
        drainWaiters: [],
      };
      this.slots.set(name, slot);
    }
    return slot;
  }

  /** Drops what the host remembers of a model that left the registry. */
  forget(name: string): void {
    const slot = this.slots.get(name);
    if (slot && slot.life.kind !== 'loaded' && !slot.loading && !slot.unloading) this.slots.delete(name);
  }

  /** The only way a slot's load state changes: the pure lifecycle transition, or a loud bug. */
  private move(slot: Slot, event: LifecycleEvent<LoadedModel>): void {
    const next = transition(slot.life, event);
    if (!next.ok) throw new AppFailure('internal', `${slot.name}: ${next.reason}`);
    slot.life = next.state;
  }
}
