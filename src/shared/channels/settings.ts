import { z } from 'zod';
import { CheckCommands } from '../domain/governance';

export const THEMES = ['system', 'light', 'dark'] as const;
export const Theme = z.enum(THEMES);
export type Theme = z.infer<typeof Theme>;

const absolutePath = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(4096, 'is too long')
  .refine((p) => !p.includes('\0'), 'must not contain NUL bytes')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path');

/** An OTLP/HTTP collector URL (http or https), or empty for none. */
/** A model's registry name, or empty for none. */
const KnowledgeEmbeddingModel = z.string().trim().max(200, 'must be at most 200 characters');

const OtlpEndpoint = z.union([
  z.literal(''),
  z
    .string()
    .trim()
    .max(2048, 'is too long')
    .url('must be a URL such as http://127.0.0.1:4318')
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL'),
]);

/**
 * A trace viewer's address for one trace, with `{traceId}` (and optionally `{spanId}`) where the ids
 * go: Jaeger `http://127.0.0.1:16686/trace/{traceId}?uiFind={spanId}`, Grafana Tempo, Phoenix, …
 */
const TraceViewerUrl = z.union([
  z.literal(''),
  z
    .string()
    .trim()
    .max(2048, 'is too long')
    .refine((u) => u.includes('{traceId}'), 'must contain {traceId} where the trace id goes')
    .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u.replace(/\{(traceId|spanId)\}/g, '0')), 'must be an http or https URL such as http://127.0.0.1:16686/trace/{traceId}'),
]);

const IdleUnloadMinutes = z.number().int('must be a whole number of minutes').min(0, 'must be 0 (never) or more').max(1440, 'must be at most 1440 (a day)');

/** The user's app settings; every field has a default. */
export const AppSettings = z.strictObject({
  /** Where GGUF models are kept. */
  modelsDir: absolutePath,
  /** CPU threads for local inference. */
  threads: z.number().int().min(1, 'must be at least 1').max(256, 'must be at most 256'),
  /** `system` follows the operating system's light or dark appearance. */
  theme: Theme,
  /** Default check commands for repositories that configure none (tests, type check, lint). */
  gateCommands: CheckCommands,
  /** Folders tasks may target (a repository must lie inside one); the home folder by default. */
  allowedRoots: z.array(absolutePath).min(1, 'must name at least one folder').max(50).optional(),
  /** Run model-, spec- and tool-caused commands WITHOUT a sandbox when none is available (journaled, bannered). */
  runWithoutSandbox: z.boolean().optional(),
  /** OTLP/HTTP collector that receives task traces (read at start); empty: traces stay off unless OTEL_EXPORTER_OTLP_* is set. */
  otlpEndpoint: OtlpEndpoint.optional(),
  /** Minutes a loaded model may sit unused before it is unloaded; 0 keeps models loaded. Applies at once. */
  idleUnloadMinutes: IdleUnloadMinutes.optional(),
  /** Keep each task's finished spans in the data folder (read at start), so its audit bundle can carry its trace. */
  keepTaskTraces: z.boolean().optional(),
  /** Where the task page links a trace and its phases' spans; empty: no links, only the ids. */
  traceViewerUrl: TraceViewerUrl.optional(),
  /**
   * The registry model that embeds into sqlite-vec: knowledge chunks (hybrid search) and the retrieval
   * index's file chunks (one more ranked list); empty: knowledge search is FTS only, retrieval lexical.
   */
  knowledgeEmbeddingModel: KnowledgeEmbeddingModel.optional(),
});
export type AppSettings = z.infer<typeof AppSettings>;

export const AppSettingsPatch = z.strictObject({
  modelsDir: AppSettings.shape.modelsDir.optional(),
  threads: AppSettings.shape.threads.optional(),
  theme: Theme.optional(),
  /** Replaces all default check commands; a command left out is detected per repository. */
  gateCommands: CheckCommands.optional(),
  allowedRoots: z.array(absolutePath).min(1, 'must name at least one folder').max(50).optional(),
  runWithoutSandbox: z.boolean().optional(),
  otlpEndpoint: OtlpEndpoint.optional(),
  idleUnloadMinutes: IdleUnloadMinutes.optional(),
  keepTaskTraces: z.boolean().optional(),
  traceViewerUrl: TraceViewerUrl.optional(),
  knowledgeEmbeddingModel: KnowledgeEmbeddingModel.optional(),
});
export type AppSettingsPatch = z.input<typeof AppSettingsPatch>;

export const SettingsView = z.object({
  settings: AppSettings,
  defaults: AppSettings,
  /** Most threads this machine offers. */
  maxThreads: z.number().int().positive(),
  dataDir: z.object({
    current: z.string(),
    /** Chosen folder that takes effect at the next start; null when none is pending. */
    next: z.string().nullable(),
    /** False when the data folder is fixed by how the app was started (--data-dir, AGENT_AGENCY_DATA_DIR). */
    changeable: z.boolean(),
  }),
});
export type SettingsView = z.infer<typeof SettingsView>;

/** App settings: folders, threads, theme, default gate commands. */
export const settingsChannels = {
  getSettings: { input: z.strictObject({}), output: SettingsView },
  updateSettings: { input: z.strictObject({ patch: AppSettingsPatch }), output: SettingsView },
  setDataDir: { input: z.strictObject({ path: absolutePath }), output: SettingsView },
} as const;
