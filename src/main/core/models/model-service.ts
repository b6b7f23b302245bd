import { join } from 'node:path';
import {
  CanaryConfig,
  type CatalogueEntry,
  type CatalogueView,
  type DownloadView,
  type MachineMemory,
  type ModelEntry,
  type ModelRoleName,
  type ModelView,
  type RoleAssignment,
} from '../../../shared/domain/model';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { unlimitedAdmission, type InferenceAdmission } from '../scheduler/admission';
import { isAbortError } from './abort';
import { bundledCatalogue, catalogueViews, findCatalogueEntry } from './catalogue';
import { DownloadManager, type StartDownload } from './downloads';
import { ModelEventBus } from './events';
import { DEFAULT_FIT_POLICY, memoryBudget, type FitPolicy } from './fit';
import { ModelHost, type ModelLoader } from './host';
import type { MemoryProbe } from './memory-probe';
import { ModelMetrics } from './metrics';
import { modelView, type MachineReading } from './model-view';
import { InferencePipeline } from './pipeline';
import type { ModelProviders } from './providers/model-providers';
import { ModelRegistry } from './registry';
import { RoleTable } from './roles';
import { machineId, ModelSettingsStore } from './tuner/store';
import { MODEL_ROLES, type ModelClient, type ModelGateway, type ModelRole } from './types';

export type ModelServiceOptions = {
  db: Db;
  journal: Journal;
  clock: Clock;
  logger: Logger;
  /** Where downloaded models are stored. */
  modelsDir: string;
  /** The scheduler; every inference call asks it for a slot. */
  admission?: InferenceAdmission;
  /** The runtime models load on (the composition root passes `realModelProviders`). */
  providers: ModelProviders;
  /** Replaces the providers' memory probe (tests pass fixed numbers). */
  memory?: MemoryProbe;
  /** Replaces the providers' loader; tests of scheduling use it. */
  loader?: ModelLoader;
  catalogue?: CatalogueEntry[];
  policy?: FitPolicy;
  idleUnloadMs?: number;
  maxContextSize?: number;
  sequences?: number;
  memoryWaitMs?: number;
  random?: () => number;
  fetch?: typeof fetch;
};

/**
 * The local model service: registry, catalogue, downloads, fit checks, loading, roles, hot-swap,
 * canary and routing behind one ModelGateway. Planner, judges and workers call `client(role)`.
 */
export class ModelService implements ModelGateway {
  readonly events: ModelEventBus;
  readonly registry: ModelRegistry;
  readonly host: ModelHost;
  readonly metrics = new ModelMetrics();
  readonly downloads: DownloadManager;
  readonly roles: RoleTable;
  private readonly pipeline: InferencePipeline;
  private readonly catalogue: CatalogueEntry[];
  private readonly memory: MemoryProbe;
  private readonly policy: FitPolicy;
  private readonly roleClients = new Map<ModelRole, ModelClient>();
  private readonly swapLocks = new Map<ModelRoleName, Promise<unknown>>();
  /** Per-model runtime settings (Settings) and the tuner's results. */
  readonly settingsStore: ModelSettingsStore;

  constructor(private readonly options: ModelServiceOptions) {
    const { db, clock, logger } = options;
    this.events = new ModelEventBus(clock);
    this.registry = new ModelRegistry({ db, clock, events: this.events });
    this.roles = new RoleTable(db, clock);
    this.settingsStore = new ModelSettingsStore(db, () => clock.now());
    this.catalogue = options.catalogue ?? bundledCatalogue();
    this.policy = options.policy ?? DEFAULT_FIT_POLICY;
    this.memory = options.memory ?? options.providers.memory;
    this.host = new ModelHost({
      registry: this.registry,
      events: this.events,
      clock,
      logger,
      loader: options.loader ?? ((entry, plan, signal) => options.providers.load(entry, plan, signal, entry.kind === 'remote' ? this.registry.apiKey(entry.name) : undefined)),
      memory: this.memory,
      policy: this.policy,
      alternatives: () => this.alternatives(),
      // The user's per-model settings win over the tuner's best for this machine (models tune).
      runtimeSettings: (model, backend) => ({ user: this.settingsStore.user(model), tuned: this.settingsStore.tuned(model, machineId(backend)) }),
      ...(options.idleUnloadMs !== undefined ? { idleUnloadMs: options.idleUnloadMs } : {}),
      ...(options.maxContextSize !== undefined ? { maxContextSize: options.maxContextSize } : {}),
      ...(options.sequences !== undefined ? { sequences: options.sequences } : {}),
      ...(options.memoryWaitMs !== undefined ? { memoryWaitMs: options.memoryWaitMs } : {}),
    });
    this.downloads = new DownloadManager({
      dir: options.modelsDir,
      registry: this.registry,
      events: this.events,
      clock,
      logger,
      db: options.db,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.pipeline = new InferencePipeline({
      host: this.host,
      roles: this.roles,
      metrics: this.metrics,
      events: this.events,
      admission: options.admission ?? unlimitedAdmission,
      journal: options.journal,
      clock,
      logger,
      random: options.random ?? Math.random,
      sizeOf: (m) => this.sizeOf(m),
      ready: (m) => this.host.isLoaded(m) || this.registry.get(m)?.kind === 'remote',
      onCanaryRolledBack: (_role, model) => void this.unloadIfUnused(model, 'swap'),
      swapUnderWay: (role) => this.swapLocks.get(role),
    });
    // However a model arrives (added by path, downloaded, remote), it may take the unassigned roles.
    this.events.subscribe((e) => {
      if (e.type === 'model.added') this.assignUnassignedRoles(e.model);
    });
  }

  /** The client serving `role`; it follows hot-swaps, canaries and routing on every call. */
  client(role: ModelRole): ModelClient {
    let c = this.roleClients.get(role);
    if (!c) {
      c = this.pipeline.client({ role });
      this.roleClients.set(role, c);
    }
    return c;
  }

  /** A client for one registered model by name (the OpenAI-compatible endpoint uses it). */
  clientForModel(name: string): ModelClient {
    this.registry.require(name);
    return this.pipeline.client({ model: name });
  }

  // ---- registry -------------------------------------------------------------------------------

  async addByPath(input: { path: string; name?: string | undefined }): Promise<ModelEntry> {
    return this.registry.addByPath(input);
  }

  async addRemote(input: { name: string; baseUrl: string; model: string; apiKey?: string | undefined }): Promise<ModelEntry> {
    return this.registry.addRemote(input);
  }

  async remove(name: string): Promise<void> {
    this.registry.require(name);
    const roles = this.roles.rolesUsing(name);
    if (roles.length > 0) throw new AppFailure('conflict', `${name} still serves ${roles.join(', ')}; assign those roles another model first`);
    await this.host.unload(name, 'removed');
    this.registry.remove(name);
    this.host.forget(name);
    this.metrics.forget(name);
  }

  async load(name: string): Promise<ModelView> {
    this.registry.require(name);
    await this.host.ensureLoaded(name);
    return this.view(name);
  }

  async unload(name: string): Promise<ModelView> {
    this.registry.require(name);
    await this.host.unload(name, 'request');
    return this.view(name);
  }

  // ---- roles, hot-swap, canary ------------------------------------------------------------------

  assignRole(role: ModelRoleName, model: string, alternates?: readonly string[]): RoleAssignment {
    this.registry.require(model);
    for (const a of alternates ?? []) this.registry.require(a);
    const assignment = this.roles.assign(role, model, alternates);
    this.events.emit({ type: 'model.role_assigned', role, model });
    return assignment;
  }

  /**
   * Replaces the model behind a role while calls flow: load and warm the new model, switch (calls
   * from then on go to it), wait for the calls still on the old one to finish, unload the old one if
   * nothing else uses it. When both do not fit at once, the switch comes first and new calls wait
   * for the new model instead — slower, but still no failed call.
   */
  swap(role: ModelRoleName, to: string, signal?: AbortSignal): Promise<{ from: string; to: string; drainMs: number }> {
    const previous = this.swapLocks.get(role) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.doSwap(role, to, signal));
    this.swapLocks.set(role, next);
    next
      .finally(() => {
        if (this.swapLocks.get(role) === next) this.swapLocks.delete(role);
      })
      .catch(() => undefined);
    return next;
  }

  async setCanary(role: ModelRoleName, input: CanaryConfig): Promise<RoleAssignment> {
    const config = CanaryConfig.parse(input);
    const current = this.roles.get(role);
    if (!current) throw new AppFailure('conflict', `assign a model to ${role} before adding a canary`);
    this.registry.require(config.model);
    if (config.model === current.model) throw new AppFailure('invalid_input', `${config.model} already serves ${role}; pick another candidate`);
    // Loaded now, so a refusal (too large) is reported here and the first canary call is not a cold start.
    await this.host.ensureLoaded(config.model);
    this.pipeline.resetCanary(role);
    const assignment = this.roles.setCanary(role, config)!;
    this.events.emit({ type: 'model.canary_started', role, model: config.model, share: config.share });
    return assignment;
  }

  clearCanary(role: ModelRoleName): RoleAssignment | undefined {
    const current = this.roles.get(role);
    if (!current?.canary) return current;
    const model = current.canary.model;
    const assignment = this.roles.setCanary(role, null);
    this.pipeline.resetCanary(role);
    this.events.emit({ type: 'model.canary_cleared', role, model });
    void this.unloadIfUnused(model, 'swap');
    return assignment;
  }

  // ---- views --------------------------------------------------------------------------------------

  async machine(): Promise<MachineMemory> {
    const m = await this.memory.read();
    return { totalBytes: m.totalBytes, availableBytes: m.availableBytes, budgetBytes: memoryBudget(m, this.policy), gpu: m.gpu };
  }

  async views(): Promise<ModelView[]> {
    const machine = await this.memory.read();
    return this.registry.list().map((entry) => this.viewOf(entry, machine));
  }

  async view(name: string): Promise<ModelView> {
    return this.viewOf(this.registry.require(name), await this.memory.read());
  }

  async catalogueViews(): Promise<CatalogueView[]> {
    return catalogueViews(this.catalogue, this.registry.list(), await this.memory.read(), this.policy);
  }

  listDownloads(): DownloadView[] {
    return this.downloads.list();
  }

  startDownload(input: StartDownload | { catalogueId: string; name?: string | undefined }): DownloadView {
    if ('catalogueId' in input) {
      const entry = findCatalogueEntry(this.catalogue, input.catalogueId);
      return this.downloads.start({ url: entry.url, sha256: entry.sha256, fileName: entry.fileName, name: input.name ?? entry.id });
    }
    return this.downloads.start(input);
  }

  async close(): Promise<void> {
    await this.downloads.close();
    await this.host.close();
    await this.options.providers.dispose();
  }

  // ---- internals ----------------------------------------------------------------------------------

  private async doSwap(role: ModelRoleName, to: string, signal?: AbortSignal): Promise<{ from: string; to: string; drainMs: number }> {
    this.registry.require(to);
    const current = this.roles.get(role);
    if (!current) {
      this.assignRole(role, to);
      return { from: to, to, drainMs: 0 };
    }
    const from = current.model;
    if (from === to) return { from, to, drainMs: 0 };
    const started = this.options.clock.now();
    if (await this.fitsBeside(to)) {
      // Load and warm first: a model that cannot load is refused here, the role never left `from`.
      try {
        await this.loadAndWarm(to, signal);
      } catch (e) {
        throw this.refuseSwap(role, from, to, e);
      }
      this.roles.assign(role, to);
    } else {
      // Both do not fit at once: calls are pointed at `to` in memory only (they wait for its load),
      // `from` is drained and unloaded, and `to` must load and warm before anything is saved. If it
      // cannot, the role goes back to `from`, which is loaded again; calls waiting on `to` retry there.
      this.roles.route(role, to);
      try {
        await this.host.drained(from);
        await this.unloadIfUnused(from, 'swap');
        await this.loadAndWarm(to, signal);
      } catch (e) {
        this.roles.restore(current);
        try {
          await this.host.ensureLoaded(from);
        } catch (reload) {
          this.options.logger.error({ err: reload, role, model: from }, 'could not load the previous model again after a refused swap');
        }
        throw this.refuseSwap(role, from, to, e);
      }
      this.roles.assign(role, to);
    }
    const switched = this.options.clock.now();
    // Tasks with calls on the role at the switch hear of it in their own journal.
    const affected = this.pipeline.tasksInFlight(role);
    await this.host.drained(from);
    const drainMs = this.options.clock.now() - switched;
    await this.unloadIfUnused(from, 'swap');
    this.events.emit({ type: 'model.swapped', role, from, to, drainMs });
    for (const taskId of affected) {
      try {
        this.options.journal.append(taskId, { type: 'model.swapped', payload: { role, from, to } }, `${taskId}:model.swapped:${role}:${started}:${to}`);
      } catch (e) {
        this.options.logger.warn({ err: e, taskId }, 'could not journal model.swapped');
      }
    }
    this.options.logger.info({ role, from, to, drainMs }, 'model swapped');
    return { from, to, drainMs };
  }

  private async loadAndWarm(name: string, signal?: AbortSignal): Promise<void> {
    const lease = await this.host.acquire(name, signal);
    try {
      await lease.model.warm(signal);
    } finally {
      lease.release();
    }
  }

  /** The refusal of a swap: reported as an event and a log line, returned for the caller to throw. */
  private refuseSwap(role: ModelRoleName, from: string, to: string, cause: unknown): AppFailure {
    if (isAbortError(cause)) return cause instanceof AppFailure ? cause : new AppFailure('cancelled', `the swap of ${role} to ${to} was cancelled; ${role} stays on ${from}`);
    const why = cause instanceof Error ? cause.message : String(cause);
    const message = `${to} could not load, so ${role} stays on ${from}; nothing was changed: ${why}`;
    this.events.emit({ type: 'model.refused', model: to, reason: message });
    this.options.logger.warn({ role, from, to, err: cause }, 'swap refused');
    return new AppFailure('unavailable', message);
  }

  /** Whether `name` can load while everything loaded now stays loaded. */
  private async fitsBeside(name: string): Promise<boolean> {
    if (this.host.isLoaded(name)) return true;
    const plan = await this.host.plan(this.registry.require(name));
    if (plan.memoryBytes === 0) return true;
    const machine = await this.memory.read();
    return this.host.loadedBytes(name) + plan.memoryBytes <= memoryBudget(machine, this.policy) && plan.memoryBytes <= machine.availableBytes;
  }

  private async unloadIfUnused(model: string, reason: 'swap'): Promise<void> {
    if (this.roles.rolesUsing(model).length > 0) return;
    await this.host.unload(model, reason);
  }

  /** The first model added serves every role nobody has assigned yet, so the app works at once. */
  private assignUnassignedRoles(model: string): void {
    for (const role of MODEL_ROLES) if (!this.roles.get(role)) this.assignRole(role, model);
  }

  private viewOf(entry: ModelEntry, machine: MachineReading): ModelView {
    const { maxContextSize, sequences } = this.options;
    return modelView(entry, machine, { host: this.host, roles: this.roles, metrics: this.metrics, policy: this.policy, alternatives: this.alternatives(), maxContextSize, sequences });
  }

  private sizeOf(model: string): number {
    const entry = this.registry.get(model);
    return entry?.kind === 'gguf' ? entry.sizeBytes : 0;
  }

  private alternatives(): Array<{ name: string; neededBytes: number }> {
    return this.catalogue.map((c) => ({ name: `${c.name} from the catalogue`, neededBytes: c.memoryBytes }));
  }
}

/** Where downloaded models go inside the app's data folder. */
export const modelsDirOf = (dataDir: string): string => join(dataDir, 'models');
