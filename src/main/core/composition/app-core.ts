import { mkdirSync } from 'node:fs';
import { ApiToken } from '../access/api-token';
import { AppFailure } from '../../../shared/errors';
import { bindSchedulerPause } from './scheduler-pause';
import { acquireEngineLock } from '../engine/engine-lock';
import { openDatabase } from '../db/open';
import { Journal, systemClock } from '../journal/journal';
import { dataFiles } from '../paths';
import { ProvenanceService } from '../provenance/service';
import { createDefaultProbe } from '../scheduler/probes/default-probe';
import { SchedulerService } from '../scheduler/service';
import { systemTimers } from '../scheduler/timers';
import { TaskService } from '../tasks/task-service';
import { TaskEngine } from '../engine/engine';
import { ExplorerService } from '../explorer/explorer-service';
import { MetricsService } from '../metrics/metrics-service';
import { EstimateService } from '../estimates/estimate-service';
import { installAppSandbox } from '../sandbox/journal-bridge';
import { SettingsService } from '../settings/settings-service';
import { PolicyService } from '../caws/policy-service';
import { GovernanceRecords } from '../governance-steps/records';
import { WaiverService } from '../waivers/waiver-service';
import { ModelService } from '../models/model-service';
import { realModelProviders } from '../models/providers/model-providers';
import { TuneService } from '../models/tuner/service';
import { mcpConfigFile, ToolsService } from '../tools/service';
import { CalibrationService } from '../calibration/service';
import { bindCalibrationOutcomes } from './calibration-outcomes';
import { SloService } from '../slo/service';
import { TaskSpanStore } from '../tracing/span-store';
import { TaskTracing } from '../tracing/task-tracing';
import type { Core, CoreOptions } from '../core';
import { KnowledgeService } from '../knowledge/knowledge-service';
import type { TextEmbedder } from '../models/text-embedder';
import { AttachmentService } from '../knowledge/attachments';
import { ClaimRecords } from '../claims/records';

/*
 * The one composition root of the core: real database, journal, clock, timers, pressure probes and
 * model runtime are chosen here (tests override them through CoreOptions) and handed to services.
 */
export type { Core, CoreOptions } from '../core';

/** Builds the core from plain options, so it runs anywhere Node runs. */
export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  mkdirSync(options.dataDir, { recursive: true });
  const db = openDatabase({ file: dataFiles(options.dataDir).database, logger: options.logger });
  const journal = new Journal({ db, clock, logger: options.logger });
  const tasks = new TaskService({ db, journal, clock, logger: options.logger });
  const provenance = new ProvenanceService({ db, journal, clock, logger: options.logger, dataDir: options.dataDir });
  // Read lazily: the model service is built below, and asked only once a task is estimated.
  const estimates: EstimateService = new EstimateService({ db, clock, logger: options.logger, workerModel: (): string | null => models.roles.get('worker')?.model ?? null });
  // A finished task's totals feed the next estimates.
  const unbindEstimates = estimates.bind(journal);
  const scheduler = new SchedulerService({
    db,
    journal,
    clock,
    timers: options.scheduler?.timers ?? systemTimers(),
    logger: options.logger,
    probe: options.scheduler?.probe ?? createDefaultProbe({ logger: options.logger, platformProbes: options.scheduler?.platformProbes ?? [] }),
    onFlush: () => db.pragma('wal_checkpoint(PASSIVE)'),
    // Background work of the task expected to finish soonest goes first (aged, so none starves).
    expectedMs: (taskId: string): number | undefined => estimates.expectedRemainingMs(taskId),
  });
  if (options.scheduler?.autoStart !== false) scheduler.start();
  const explorer = new ExplorerService({ file: dataFiles(options.dataDir).database, logger: options.logger, clock });
  const metrics = new MetricsService({ db, clock, logger: options.logger });
  const settings = new SettingsService({ db, clock, logger: options.logger, dataDir: options.dataDir, dataDirPointer: options.dataDirPointer });
  // Every model-, spec- or tool-caused command runs in this sandbox (fail closed without one).
  // A task granted network on submit gets it for every command it causes; others never do.
  void installAppSandbox({
    journal,
    clock,
    logger: options.logger,
    runWithoutSandbox: () => settings.get().runWithoutSandbox === true,
    onRun: (run) => tracing.sandboxRun(run),
    networkGrant: (taskId) => tasks.networkGranted(taskId),
  });
  // The user's folder and thread count from Settings (read at start); tests override through options.models.
  const { threads = settings.get().threads, gpu, providers, ...modelOptions } = options.models ?? {};
  const modelProviders = providers ?? realModelProviders({ logger: options.logger, clock, threads, gpu, fetch: modelOptions.fetch });
  const models = new ModelService({
    db,
    journal,
    clock,
    logger: options.logger,
    modelsDir: settings.get().modelsDir,
    admission: scheduler,
    // Up to four context sequences per local model (fewer when memory is short), so a council's
    // judges run at once on one model; the round limiter narrows them under pressure.
    sequences: 4,
    // Settings' idle-unload time; a change applies at once (below).
    idleUnloadMs: (settings.get().idleUnloadMinutes ?? 10) * 60_000,
    ...modelOptions,
    providers: modelProviders,
  });
  // Tuning measures on the same node-llama-cpp binding the models load on (one per process).
  const tuning = new TuneService({
    registry: models.registry,
    events: models.events,
    store: models.settingsStore,
    machine: () => models.machine(),
    loadedBytes: () => models.host.loadedBytes(),
    runtime: modelProviders.runtime,
    pressure: () => scheduler.state().level,
    admission: scheduler,
    clock,
    logger: options.logger,
  });
  if (modelOptions.idleUnloadMs === undefined) settings.onChange((s) => models.host.setIdleUnloadMs((s.idleUnloadMinutes ?? 10) * 60_000));
  const policy = new PolicyService({ db, clock, logger: options.logger });
  const waivers = new WaiverService({ db, journal, clock, logger: options.logger });
  const governance = new GovernanceRecords({ db, clock });
  // Tool calls are held to the task's workspace, its working spec's scope (the default write
  // policy) and never reach the data folder.
  const tools = new ToolsService({ db, journal, clock, logger: options.logger, configFile: mcpConfigFile(options.dataDir), dataDir: options.dataDir, admission: scheduler, ...options.tools });
  const calibration = new CalibrationService({ db, clock });
  const unbindOutcomes = bindCalibrationOutcomes(journal, calibration, options.logger);
  const slo = new SloService({ db, clock, logger: options.logger });
  // Alerts are evaluated on a timer; a task's own events also change SLIs, but a minute is soon enough.
  const sloTimer = options.slo?.evaluateEveryMs === 0 ? undefined : setInterval(() => slo.evaluate(), options.slo?.evaluateEveryMs ?? 60_000);
  sloTimer?.unref();
  // Sent only when Settings or OTEL_EXPORTER_OTLP_* name a collector; kept locally unless turned off; subscribed before the engine starts.
  const tracing = new TaskTracing({
    journal,
    logger: options.logger,
    now: () => clock.now(),
    endpoint: options.tracing?.endpoint ?? settings.get().otlpEndpoint,
    env: options.tracing?.env ?? process.env,
    ...(options.tracing?.exporter ? { exporter: options.tracing.exporter } : {}),
    // Each task's finished spans in the data folder (on unless turned off in Settings), for its audit bundle.
    store: settings.get().keepTaskTraces === false ? undefined : new TaskSpanStore({ db, logger: options.logger, now: () => clock.now() }),
  });
  // The model that embeds while Settings names one (read per call): knowledge chunks (search is then
  // hybrid) and, through the steps, the retrieval index's file chunks (docs/retrieval.md says why one setting).
  const embedder: TextEmbedder = {
    model: () => settings.get().knowledgeEmbeddingModel || undefined,
    embed: (model, texts, signal) => models.clientForModel(model).embed(texts, signal ? { signal } : undefined),
  };
  const knowledge = new KnowledgeService({ db, logger: options.logger, clock, embedder });
  const attachments = new AttachmentService({ db, logger: options.logger, clock, dataDir: options.dataDir, knowledge });
  const claims = new ClaimRecords({ db, clock });
  let engine: TaskEngine | undefined;
  let closed = false;
  let unbindPause: (() => void) | undefined;
  let releaseLock: (() => void) | undefined;
  const core: Core = {
    dataDir: options.dataDir,
    clock,
    apiToken: new ApiToken(),
    db,
    journal,
    tasks,
    engine,
    scheduler,
    provenance,
    explorer,
    metrics,
    estimates,
    settings,
    models,
    tuning,
    policy,
    waivers,
    governance,
    tools,
    calibration,
    slo,
    tracing,
    knowledge,
    embedder,
    attachments,
    claims,
    logger: options.logger,
    close() {
      if (closed) return;
      closed = true;
      unbindPause?.();
      unbindOutcomes();
      unbindEstimates();
      if (sloTimer) clearInterval(sloTimer);
      void tracing.close();
      engine?.stop();
      releaseLock?.();
      // A tuning run under way is cancelled before the models (and the binding it measures on) go.
      if (tuning.running()) void tuning.close().finally(() => models.close());
      else void models.close();
      void tools.close();
      void explorer.close();
      void scheduler.stop();
      provenance.close();
      db.close();
    },
  };
  if (options.steps) {
    // Two engines on one database would both recover and run the same steps.
    const label = options.engine?.label ?? `agent-agency ${process.argv.slice(2, 3).join(' ')}`.trim();
    const lock = acquireEngineLock(options.dataDir, label);
    if ('heldBy' in lock) {
      core.close();
      throw new AppFailure(
        'unavailable',
        `another Agent Agency process (pid ${lock.heldBy.pid}, ${lock.heldBy.command}) runs the task engine on ${options.dataDir}; use that one (agent-agency serve lets commands share it) or wait for it to finish`,
      );
    }
    releaseLock = lock.release;
    try {
      const { admission, label: _label, ...engineSettings } = options.engine ?? {};
      const steps = typeof options.steps === 'function' ? options.steps(core) : options.steps;
      // New tasks reach the engine through the journal's task.created event (TaskService.submit).
      engine = new TaskEngine({ db, journal, clock, logger: options.logger, steps, settings: engineSettings, admission });
      core.engine = engine;
      unbindPause = bindSchedulerPause({ onPause: (l) => scheduler.onPause(l), engine, tasks, logger: options.logger });
      engine.start();
    } catch (e) {
      core.close();
      throw e;
    }
  }
  return core;
}
