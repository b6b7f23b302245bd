import { mkdirSync } from 'node:fs';
import { ApiToken } from './access/api-token';
import { AppFailure } from '../../shared/errors';
import { bindSchedulerPause } from './composition/scheduler-pause';
import { acquireEngineLock } from './engine/engine-lock';
import type { Db } from './db/open';
import { openDatabase } from './db/open';
import { Journal, systemClock, type Clock } from './journal/journal';
import type { Logger } from './observability/logger';
import { dataFiles } from './paths';
import { ProvenanceService } from './provenance/service';
import { createDefaultProbe } from './scheduler/probes/default-probe';
import { SchedulerService } from './scheduler/service';
import { systemTimers, type Timers } from './scheduler/timers';
import type { PressureProbe } from './scheduler/types';
import { TaskService } from './tasks/task-service';
import type { StepAdmission } from './engine/admission';
import { TaskEngine } from './engine/engine';
import type { EngineSettingsInput } from './engine/settings';
import type { StepSet } from './engine/step';
import { ExplorerService } from './explorer/explorer-service';
import { MetricsService } from './metrics/metrics-service';
import { SettingsService } from './settings/settings-service';
import { PolicyService } from './caws/policy-service';
import { GovernanceRecords } from './governance-steps/records';
import { WaiverService } from './waivers/waiver-service';
import { ModelService, type ModelServiceOptions } from './models/model-service';
import { mcpConfigFile, ToolsService, type ToolsServiceOptions } from './tools/service';

export type CoreOptions = {
  dataDir: string;
  logger: Logger;
  clock?: Clock;
  /** File naming the data folder for the next start; when given, Settings can change the folder. */
  dataDirPointer?: string;
  /** Scheduler wiring: the desktop adds its powerMonitor probe; tests pass a whole probe and timers. */
  scheduler?: { platformProbes?: PressureProbe[]; probe?: PressureProbe; timers?: Timers; autoStart?: boolean };
  /**
   * The work behind each phase. With steps the task engine starts, recovers and runs queued tasks.
   * A function receives the core first, for steps built on its services (models, policy, tools).
   */
  steps?: StepSet | ((core: Core) => StepSet);
  engine?: EngineSettingsInput & { admission?: StepAdmission; /** Shown to another process that finds the engine lock taken. */ label?: string };
  /** Model service settings (threads, GPU, idle unload...); tests pass a memory probe or a loader. */
  models?: Partial<Omit<ModelServiceOptions, 'db' | 'journal' | 'clock' | 'logger' | 'admission'>>;
  /** MCP tools: `autoStart` for long-running processes; tests pass checkPath, requestApproval, limits. */
  tools?: Partial<Omit<ToolsServiceOptions, 'db' | 'journal' | 'clock' | 'logger'>>;
};

/** Everything the transports need, built from plain options so it runs anywhere Node runs. */
export type Core = {
  dataDir: string;
  clock: Clock;
  /** Bearer token of the local API and the headless host; rotatable from Settings. */
  apiToken: ApiToken;
  db: Db;
  journal: Journal;
  tasks: TaskService;
  /** The durable task engine, when the composition root gave it steps (see CoreOptions.steps). */
  engine?: TaskEngine;
  /** Thermal-aware admission of inference calls (InferenceAdmission), pause signals, pressure timeline. */
  scheduler: SchedulerService;
  /** Hash chain signatures, audit repository, source integrity, audit bundles (export, verify). */
  provenance: ProvenanceService;
  /** Read-only database explorer (schema, paged rows, SQL box in a killable process). */
  explorer: ExplorerService;
  metrics: MetricsService;
  settings: SettingsService;
  /** Local models: registry, downloads, fit checks, roles, hot-swap; `models.client(role)` is the ModelGateway. */
  models: ModelService;
  /** Governance policy: tier budgets, gate modes, coverage thresholds, check commands. */
  policy: PolicyService;
  waivers: WaiverService;
  /** Specs, gate runs, council verdicts, CAWS validations and resource history of each task. */
  governance: GovernanceRecords;
  /** MCP servers, their tools, permissions and grants, and the governed tool call. */
  tools: ToolsService;
  logger: Logger;
  close(): void;
};

export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  mkdirSync(options.dataDir, { recursive: true });
  const db = openDatabase({ file: dataFiles(options.dataDir).database, logger: options.logger });
  const journal = new Journal({ db, clock });
  const tasks = new TaskService({ db, journal, clock, logger: options.logger });
  const provenance = new ProvenanceService({ db, journal, clock, logger: options.logger, dataDir: options.dataDir });
  const scheduler = new SchedulerService({
    db,
    journal,
    clock,
    timers: options.scheduler?.timers ?? systemTimers(),
    logger: options.logger,
    probe: options.scheduler?.probe ?? createDefaultProbe({ logger: options.logger, platformProbes: options.scheduler?.platformProbes ?? [] }),
    onFlush: () => db.pragma('wal_checkpoint(PASSIVE)'),
  });
  if (options.scheduler?.autoStart !== false) scheduler.start();
  const explorer = new ExplorerService({ file: dataFiles(options.dataDir).database, logger: options.logger, clock });
  const metrics = new MetricsService({ db, clock, logger: options.logger });
  const settings = new SettingsService({ db, clock, logger: options.logger, dataDir: options.dataDir, dataDirPointer: options.dataDirPointer });
  const models = new ModelService({
    db,
    journal,
    clock,
    logger: options.logger,
    // The user's folder and thread count from Settings (read at start); tests override through options.models.
    modelsDir: settings.get().modelsDir,
    threads: settings.get().threads,
    admission: scheduler,
    ...options.models,
  });
  const policy = new PolicyService({ db, clock, logger: options.logger });
  const waivers = new WaiverService({ db, journal, clock, logger: options.logger });
  const governance = new GovernanceRecords({ db, clock });
  const tools = new ToolsService({ db, journal, clock, logger: options.logger, configFile: mcpConfigFile(options.dataDir), admission: scheduler, ...options.tools });
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
    settings,
    models,
    policy,
    waivers,
    governance,
    tools,
    logger: options.logger,
    close() {
      if (closed) return;
      closed = true;
      unbindPause?.();
      engine?.stop();
      releaseLock?.();
      void models.close();
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
