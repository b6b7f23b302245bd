import { z } from 'zod';
import {
  CanaryConfig,
  CatalogueView,
  DownloadView,
  MachineMemory,
  ModelEntry,
  ModelEvent,
  ModelName,
  ModelRoleName,
  ModelView,
  RoleAssignment,
  Sha256,
} from '../domain/model';
import { TUNE_BUDGET, TuneJobBrief, TuneRunView } from '../domain/model-tune';

/** What the Models page reads first; `modelEvents` after `lastEventSeq` follow. */
export const ModelsSnapshot = z.object({
  models: z.array(ModelView),
  roles: z.array(RoleAssignment),
  catalogue: z.array(CatalogueView),
  downloads: z.array(DownloadView),
  machine: MachineMemory,
  /** The tuning run under way (one at a time on the machine), if any. */
  tuning: TuneJobBrief.nullable(),
  lastEventSeq: z.number().int().min(0),
});
export type ModelsSnapshot = z.infer<typeof ModelsSnapshot>;

export const ModelEventsInput = z.strictObject({ afterSeq: z.number().int().min(0) });
export const ModelEventsPage = z.object({
  events: z.array(ModelEvent),
  lastSeq: z.number().int().min(0),
  /** Some events after `afterSeq` were dropped from the bounded log: read the snapshot again. */
  truncated: z.boolean(),
});

const ByName = z.strictObject({ name: ModelName });
const ById = z.strictObject({ id: z.string().min(1).max(64) });

export const AddModelInput = z.strictObject({
  path: z.string().trim().min(1, 'must not be empty').max(4096),
  name: ModelName.optional(),
});

export const AddRemoteModelInput = z.strictObject({
  name: ModelName,
  baseUrl: z.url().refine((u) => /^https?:\/\//.test(u), 'must be an http or https URL'),
  model: z.string().trim().min(1).max(200),
  apiKey: z.string().max(500).optional(),
});

export const AssignRoleInput = z.strictObject({
  role: ModelRoleName,
  model: ModelName,
  alternates: z.array(ModelName).max(8).optional(),
});

export const StartDownloadInput = z.union([
  z.strictObject({ catalogueId: z.string().min(1).max(200), name: ModelName.optional() }),
  z.strictObject({ url: z.url(), sha256: Sha256.optional(), name: ModelName.optional() }),
]);

export const StartTuneInput = z.strictObject({
  name: ModelName,
  budget: z
    .number({ error: 'must be a whole number of trials' })
    .int('must be a whole number of trials')
    .min(TUNE_BUDGET.min, `must be at least ${TUNE_BUDGET.min} (the defaults and two others)`)
    .max(TUNE_BUDGET.max, `must be at most ${TUNE_BUDGET.max}`)
    .default(TUNE_BUDGET.default),
});

/** The Models page: registry, catalogue, downloads, loading, roles, hot-swap and canary. */
export const modelChannels = {
  modelsSnapshot: { input: z.strictObject({}), output: ModelsSnapshot },
  modelEvents: { input: ModelEventsInput, output: ModelEventsPage },
  addModel: { input: AddModelInput, output: ModelEntry },
  addRemoteModel: { input: AddRemoteModelInput, output: ModelEntry },
  removeModel: { input: ByName, output: z.object({}) },
  loadModel: { input: ByName, output: ModelView },
  unloadModel: { input: ByName, output: ModelView },
  assignModelRole: { input: AssignRoleInput, output: RoleAssignment },
  swapModel: {
    input: z.strictObject({ role: ModelRoleName, model: ModelName }),
    output: z.object({ from: ModelName, to: ModelName, drainMs: z.number().nonnegative() }),
  },
  setModelCanary: { input: z.strictObject({ role: ModelRoleName, canary: CanaryConfig }), output: RoleAssignment },
  clearModelCanary: { input: z.strictObject({ role: ModelRoleName }), output: RoleAssignment.nullable() },
  startModelDownload: { input: StartDownloadInput, output: DownloadView },
  pauseModelDownload: { input: ById, output: DownloadView },
  resumeModelDownload: { input: ById, output: DownloadView },
  cancelModelDownload: { input: ById, output: DownloadView },
  /** The runtime tuner: start a run (one at a time), cancel it, read the running or last run for the chart. */
  startModelTune: { input: StartTuneInput, output: TuneRunView },
  cancelModelTune: { input: ByName, output: TuneRunView },
  getModelTune: { input: ByName, output: TuneRunView.nullable() },
} as const;
