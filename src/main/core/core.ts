import type { ApiToken } from './access/api-token';
import type { Db } from './db/open';
import type { Clock, Journal } from './journal/journal';
import type { Logger } from './observability/logger';
import type { SchedulerService } from './scheduler/service';
import type { Timers } from './scheduler/timers';
import type { PressureProbe } from './scheduler/types';
import type { TaskService } from './tasks/task-service';
import type { StepAdmission } from './engine/admission';
import type { TaskEngine } from './engine/engine';
import type { EngineSettingsInput } from './engine/settings';
import type { StepSet } from './engine/step';
import type { ExplorerService } from './explorer/explorer-service';
import type { MetricsService } from './metrics/metrics-service';
import type { EstimateService } from './estimates/estimate-service';
import type { SettingsService } from './settings/settings-service';
import type { PolicyService } from './caws/policy-service';
import type { GovernanceRecords } from './governance-steps/records';
import type { WaiverService } from './waivers/waiver-service';
import type { ModelService, ModelServiceOptions } from './models/model-service';
import type { TuneService } from './models/tuner/service';
import type { RealProvidersOptions } from './models/providers/model-providers';
import type { ToolsService, ToolsServiceOptions } from './tools/service';
import type { CalibrationService } from './calibration/service';
import type { SloService } from './slo/service';
import type { TaskTracing, TaskTracingOptions } from './tracing/task-tracing';
import type { ProvenanceService } from './provenance/service';
import type { KnowledgeService } from './knowledge/knowledge-service';
import type { TextEmbedder } from './models/text-embedder';
import type { AttachmentService } from './knowledge/attachments';
import type { ClaimRecords } from './claims/records';

/*
 * The shape of the assembled core: what the transports (desktop, server, CLI) and the contract
 * session use. Types only; `composition/app-core.ts` alone builds it from real parts.
 */

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
  /**
   * Model service settings (idle unload, context...); tests pass a memory probe or a loader. Threads
   * and GPU configure the real providers the composition root builds, unless `providers` replaces them.
   */
  models?: Partial<Omit<ModelServiceOptions, 'db' | 'journal' | 'clock' | 'logger' | 'admission'>> &
    Pick<RealProvidersOptions, 'threads' | 'gpu'>;
  /** MCP tools: `autoStart` for long-running processes; tests pass checkPath, requestApproval, limits. */
  tools?: Partial<Omit<ToolsServiceOptions, 'db' | 'journal' | 'clock' | 'logger'>>;
  /** How often SLO alerts are evaluated (ms); 0 turns the timer off (tests call evaluate()). */
  slo?: { evaluateEveryMs?: number };
  /** Task traces: the environment read for OTEL_EXPORTER_OTLP_* (process.env by default); tests pass an endpoint or exporter. */
  tracing?: Partial<Pick<TaskTracingOptions, 'endpoint' | 'env' | 'exporter'>>;
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
  /** Estimates of a task's time, tokens and memory from the history of finished tasks like it. */
  estimates: EstimateService;
  settings: SettingsService;
  /** Local models: registry, downloads, fit checks, roles, hot-swap; `models.client(role)` is the ModelGateway. */
  models: ModelService;
  /** Tuning runs of local models (one at a time): progress on the model event bus, the best used on the next load. */
  tuning: TuneService;
  /** Governance policy: tier budgets, gate modes, coverage thresholds, check commands. */
  policy: PolicyService;
  waivers: WaiverService;
  /** Specs, gate runs, council verdicts, CAWS validations and resource history of each task. */
  governance: GovernanceRecords;
  /** MCP servers, their tools, permissions and grants, and the governed tool call. */
  tools: ToolsService;
  /** Council calibration learned from outcomes (off until the user turns it on); federation state. */
  calibration: CalibrationService;
  /** Objectives computed from the journal and the burn-rate alerts they raise. */
  slo: SloService;
  /** Each task as an OpenTelemetry trace, exported over OTLP when a collector is configured. */
  tracing: TaskTracing;
  /** The knowledge base: documents, PDFs and images the user adds, and each task's attachments. */
  knowledge: KnowledgeService;
  /** The model that embeds, while Settings names one: knowledge chunks and the retrieval index's file chunks. */
  embedder: TextEmbedder;
  /** Files a task is submitted with: checked, kept, read into the knowledge base before planning. */
  attachments: AttachmentService;
  /** Each task's claim table (worker and judges) and its acceptance criteria's standing. */
  claims: ClaimRecords;
  logger: Logger;
  close(): void;
};
