import { z } from 'zod';
import { TuneRunState, TuneTrialView } from './model-tune';

/** The roles that think through a model; one model may serve several. The one list: core's MODEL_ROLES is this. */
export const MODEL_ROLE_NAMES = [
  'planner',
  'worker',
  'judge.constitutional',
  'judge.technical',
  'judge.quality',
  'judge.integration',
] as const;
export const ModelRoleName = z.enum(MODEL_ROLE_NAMES);
export type ModelRoleName = z.infer<typeof ModelRoleName>;

/** A registry name: what the user, roles and the OpenAI endpoint call a model. */
export const ModelName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits, ".", "_", ":" and "-" only');
export type ModelName = z.infer<typeof ModelName>;

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

/** What was read from a GGUF file's header. */
export const GgufFacts = z.object({
  architecture: z.string(),
  /** Total parameter count, from the tensor shapes. */
  parameters: z.number().int().nonnegative(),
  /** e.g. Q4_K_M, F16 (from general.file_type, else the dominant tensor type). */
  quantization: z.string(),
  contextLength: z.number().int().positive().nullable(),
  layers: z.number().int().nonnegative(),
  embeddingLength: z.number().int().nonnegative().nullable(),
  /** Bytes of one context token in the KV cache (f16), for memory estimates. */
  kvBytesPerToken: z.number().nonnegative(),
  /**
   * Per-head width of the attention keys and values: a quantized KV cache stores them in blocks of
   * 32, so it needs widths divisible by 32 (absent in facts read before this was recorded).
   */
  headDims: z.object({ k: z.number().int().nonnegative(), v: z.number().int().nonnegative() }).nullable().optional(),
  vocabularySize: z.number().int().nonnegative(),
});
export type GgufFacts = z.infer<typeof GgufFacts>;

export const RemoteEndpoint = z.object({
  baseUrl: z.url(),
  /** The model's name at the endpoint. */
  model: z.string().min(1).max(200),
  hasApiKey: z.boolean(),
});
export type RemoteEndpoint = z.infer<typeof RemoteEndpoint>;

/** One registry record. */
export const ModelEntry = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('gguf'),
    name: ModelName,
    path: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    sha256: Sha256,
    facts: GgufFacts,
    addedAt: z.number().int(),
  }),
  z.object({
    kind: z.literal('remote'),
    name: ModelName,
    endpoint: RemoteEndpoint,
    addedAt: z.number().int(),
  }),
]);
export type ModelEntry = z.infer<typeof ModelEntry>;

export const FitVerdict = z.enum(['fits', 'tight', 'too_large', 'unknown']);
export type FitVerdict = z.infer<typeof FitVerdict>;

/** A memory estimate compared with this machine: the badge and the words behind it. */
export const FitReport = z.object({
  verdict: FitVerdict,
  neededBytes: z.number().nonnegative(),
  weightsBytes: z.number().nonnegative(),
  contextBytes: z.number().nonnegative(),
  overheadBytes: z.number().nonnegative(),
  budgetBytes: z.number().nonnegative(),
  contextSize: z.number().int().nonnegative(),
  gpuLayers: z.number().int().nonnegative(),
  message: z.string(),
});
export type FitReport = z.infer<typeof FitReport>;

export const LoadState = z.enum(['unloaded', 'queued', 'loading', 'loaded', 'unloading', 'failed']);
export type LoadState = z.infer<typeof LoadState>;

export const ModelMetricsView = z.object({
  calls: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  /** Over the recent window. */
  errorRate: z.number().min(0).max(1),
  tokensPerSecond: z.number().nonnegative().nullable(),
  meanLatencyMs: z.number().nonnegative().nullable(),
  /** Mean time to the first generated token over the recent window (models that report it: local ones). */
  meanFirstTokenMs: z.number().nonnegative().nullable(),
  /** Mean wait for a call before it holds the model (scheduler admission, a load), over the recent window. */
  meanQueueWaitMs: z.number().nonnegative().nullable(),
});
export type ModelMetricsView = z.infer<typeof ModelMetricsView>;

/** A registry record with its live state, as the Models page shows it. */
export const ModelView = z.object({
  entry: ModelEntry,
  state: LoadState,
  inFlight: z.number().int().nonnegative(),
  memoryBytes: z.number().nonnegative().nullable(),
  lastError: z.string().nullable(),
  fit: FitReport.nullable(),
  roles: z.array(ModelRoleName),
  metrics: ModelMetricsView,
});
export type ModelView = z.infer<typeof ModelView>;

export const CanaryConfig = z.object({
  model: ModelName,
  /** Share of the role's requests sent to the candidate. */
  share: z.number().min(0).max(1),
  /** Roll back when the candidate's error rate over its recent calls exceeds this. */
  maxErrorRate: z.number().min(0).max(1).default(0.2),
  /** Roll back when the candidate's mean latency exceeds this. */
  maxLatencyMs: z.number().positive().default(60_000),
  /** Calls the candidate must have made before a threshold is judged. */
  minSamples: z.number().int().min(1).max(10_000).default(5),
});
export type CanaryConfig = z.infer<typeof CanaryConfig>;

export const RoleAssignment = z.object({
  role: ModelRoleName,
  model: ModelName,
  /** Other models that may serve the role; routing picks by measured speed and error rate. */
  alternates: z.array(ModelName).max(8),
  canary: CanaryConfig.nullable(),
});
export type RoleAssignment = z.infer<typeof RoleAssignment>;

export const CatalogueEntry = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  name: z.string(),
  description: z.string(),
  url: z.url(),
  fileName: z.string().regex(/^[^/\\]+\.gguf$/),
  sizeBytes: z.number().int().positive(),
  /**
   * Checked after the download, before the file is registered. Absent: nobody has verified this file's
   * checksum yet, and the catalogue says so (the file is registered as the publisher serves it).
   */
  sha256: Sha256.optional(),
  /** Why it is in the catalogue: what it is good at, and for which roles. */
  why: z.string().optional(),
  /** Memory to run it at `contextSize` (weights, KV cache and overhead). */
  memoryBytes: z.number().int().positive(),
  contextSize: z.number().int().positive(),
  quantization: z.string(),
  parameters: z.string(),
  license: z.string(),
  goodFor: z.array(ModelRoleName),
});
export type CatalogueEntry = z.infer<typeof CatalogueEntry>;

export const CatalogueView = z.object({
  entry: CatalogueEntry,
  fit: FitVerdict,
  fitMessage: z.string(),
  installed: z.boolean(),
});
export type CatalogueView = z.infer<typeof CatalogueView>;

export const DownloadState = z.enum(['running', 'paused', 'verifying', 'completed', 'failed', 'cancelled']);
export type DownloadState = z.infer<typeof DownloadState>;

export const DownloadView = z.object({
  id: z.string(),
  url: z.string(),
  /** The file being written (its name in the models folder). */
  fileName: z.string(),
  /** Registry name once the download has been verified and registered. */
  model: ModelName.nullable(),
  state: DownloadState,
  receivedBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative().nullable(),
  bytesPerSecond: z.number().nonnegative(),
  error: z.string().nullable(),
  startedAt: z.number().int(),
});
export type DownloadView = z.infer<typeof DownloadView>;

export const MachineMemory = z.object({
  totalBytes: z.number().nonnegative(),
  availableBytes: z.number().nonnegative(),
  /** What the model service allows itself for loaded models. */
  budgetBytes: z.number().nonnegative(),
  gpu: z.string(),
});
export type MachineMemory = z.infer<typeof MachineMemory>;

const at = { seq: z.number().int().positive(), ts: z.number().int() };

/** Events of the model service (not tied to a task); the Models page follows them. */
export const ModelEvent = z.discriminatedUnion('type', [
  z.object({ ...at, type: z.literal('model.added'), model: ModelName }),
  z.object({ ...at, type: z.literal('model.removed'), model: ModelName }),
  /** Adding by path (or after a download) failed: missing, not GGUF, truncated, duplicate. */
  z.object({ ...at, type: z.literal('model.add_failed'), source: z.string(), error: z.string() }),
  z.object({ ...at, type: z.literal('model.loading'), model: ModelName }),
  z.object({ ...at, type: z.literal('model.loaded'), model: ModelName, durationMs: z.number(), memoryBytes: z.number() }),
  z.object({
    ...at,
    type: z.literal('model.unloaded'),
    model: ModelName,
    reason: z.enum(['idle', 'request', 'evicted', 'swap', 'removed', 'shutdown']),
  }),
  z.object({ ...at, type: z.literal('model.load_failed'), model: ModelName, error: z.string() }),
  z.object({ ...at, type: z.literal('model.refused'), model: ModelName, reason: z.string() }),
  z.object({ ...at, type: z.literal('model.error'), model: ModelName, role: z.string().nullable(), error: z.string() }),
  z.object({ ...at, type: z.literal('model.role_assigned'), role: ModelRoleName, model: ModelName }),
  z.object({ ...at, type: z.literal('model.swapped'), role: ModelRoleName, from: ModelName, to: ModelName, drainMs: z.number() }),
  z.object({ ...at, type: z.literal('model.canary_started'), role: ModelRoleName, model: ModelName, share: z.number() }),
  z.object({ ...at, type: z.literal('model.canary_rolled_back'), role: ModelRoleName, model: ModelName, reason: z.string() }),
  z.object({ ...at, type: z.literal('model.canary_cleared'), role: ModelRoleName, model: ModelName }),
  /** A resource manager decision: how many sequences a model gets, which model is unloaded first. */
  z.object({
    ...at,
    type: z.literal('model.resources'),
    model: ModelName,
    decision: z.enum(['sequences', 'evict']),
    value: z.number().int().nullable(),
    reason: z.string(),
  }),
  z.object({
    ...at,
    type: z.literal('download.progress'),
    id: z.string(),
    receivedBytes: z.number(),
    totalBytes: z.number().nullable(),
    bytesPerSecond: z.number(),
  }),
  z.object({ ...at, type: z.literal('download.state'), id: z.string(), state: DownloadState, error: z.string().nullable() }),
  /** The runtime tuner (models tune, or the Models page's Tune): started, each trial, finished. */
  z.object({ ...at, type: z.literal('model.tune_started'), model: ModelName, budget: z.number().int() }),
  z.object({ ...at, type: z.literal('model.tune_trial'), model: ModelName, trial: TuneTrialView }),
  z.object({
    ...at,
    type: z.literal('model.tune_finished'),
    model: ModelName,
    state: TuneRunState.exclude(['running']),
    error: z.string().nullable(),
    gain: z.number().nullable(),
  }),
]);
export type ModelEvent = z.infer<typeof ModelEvent>;
/** What a producer hands the event bus; it assigns seq and ts. */
export type NewModelEvent = ModelEvent extends infer E ? (E extends ModelEvent ? Omit<E, 'seq' | 'ts'> : never) : never;
