import { z } from 'zod';
import type { JsonValue } from '../db/canonical';
import { TraceSpan } from '../observability/trace-span';
import { PublicJwk } from './keys';

/**
 * The audit bundle: one JSON file per task (ADR 0005). Everything a verifier needs is inside it;
 * every hash in it is sha256 over canonical JSON (canonical.ts), so the file's own layout (indent,
 * key order) does not matter. The schema is lenient about what may be missing, so that a bundle
 * with a section removed still parses and the verifier can say what was removed.
 */
export const BUNDLE_FORMAT = 'agent-agency/audit-bundle';
export const BUNDLE_VERSION = 1;
export const MANIFEST_TYPE = 'agent-agency/bundle-manifest';

const Json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(Json), z.record(z.string(), Json)]),
);
const JsonObject = z.record(z.string(), Json);
const Hash = z.string();

export const BundleEvent = z.strictObject({
  seq: z.number().int(),
  taskId: z.string(),
  taskSeq: z.number().int(),
  type: z.string(),
  ts: z.number().int(),
  payload: Json,
  prevHash: Hash.nullable(),
  taskPrevHash: Hash.nullable(),
  recordHash: Hash,
});
export type BundleEvent = z.infer<typeof BundleEvent>;

/** An item of a section: taken from a journal record, or from a row of another table. */
export const SectionItem = z.union([
  z.strictObject({ source: z.literal('event'), seq: z.number().int(), taskSeq: z.number().int(), type: z.string(), data: Json }),
  z.strictObject({ source: z.literal('table'), table: z.string(), data: JsonObject }),
]);
export type SectionItem = z.infer<typeof SectionItem>;

export const ModelIdentity = z.strictObject({
  name: z.string(),
  fileSha256: z.string().nullable(),
  quantization: z.string().nullable(),
  /** Where the identity came from: the model registry, or only the names the journal mentions. */
  source: z.enum(['registry', 'journal']),
});
export type ModelIdentity = z.infer<typeof ModelIdentity>;

export const BundleSignature = z.strictObject({
  kind: z.enum(['decision', 'task-head']),
  subjectSeq: z.number().int(),
  subjectTaskSeq: z.number().int().nullable(),
  subjectHash: Hash,
  kid: z.string(),
  jws: z.string(),
  createdAt: z.number().int(),
});
export type BundleSignature = z.infer<typeof BundleSignature>;

export const BundlePublicKey = z.strictObject({
  kid: z.string(),
  jwk: PublicJwk,
  createdAt: z.number().int(),
  retiredAt: z.number().int().nullable(),
  /** The previous key's JWS over this key (key rotation); null for the first key. */
  endorsement: z.string().nullable(),
});
export type BundlePublicKey = z.infer<typeof BundlePublicKey>;

export const BundleSpec = z.strictObject({
  specId: z.string().nullable(),
  version: z.number().int().nullable(),
  yaml: z.string(),
  sha256: Hash,
  source: z.string(),
});
export type BundleSpec = z.infer<typeof BundleSpec>;

/** The exact patch bytes: as text when they are UTF-8, else base64; `sha256` is of the bytes. */
export const BundlePatch = z.strictObject({
  text: z.string(),
  encoding: z.enum(['utf8', 'base64']),
  sha256: Hash,
  source: z.string(),
});
export type BundlePatch = z.infer<typeof BundlePatch>;

/**
 * A source the task read or wrote, with the hash of the version: a workspace or repository file
 * (`path` relative to it), an attachment (`path` is its name) or a knowledge-base chunk (`path` its
 * source, `location` the chunk; the hash is of the chunk's text). `claims` are the ids of the claims
 * (rows of `claims`) checked against this version. Later records of the same source with another
 * hash mean it changed.
 */
export const SourceIntegrityItem = z.strictObject({
  id: z.number().int().optional(),
  path: z.string(),
  sha256: Hash,
  kind: z.enum(['read', 'written']),
  recordedAt: z.number().int(),
  source: z.enum(['workspace', 'repository', 'attachment', 'knowledge']).optional(),
  location: z.string().optional(),
  claims: z.array(z.number().int()).optional(),
});
export type SourceIntegrityItem = z.infer<typeof SourceIntegrityItem>;

/**
 * What the council's calibration and its federation did up to the task's last record: rounds,
 * adoptions, refusals, mode changes and the calibration's word on this task's decisions.
 */
export const CalibrationLogItem = z.strictObject({
  seq: z.number().int(),
  ts: z.number().int(),
  kind: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type CalibrationLogItem = z.infer<typeof CalibrationLogItem>;

/** Sections that are lists, in manifest order. */
export const LIST_SECTIONS = [
  'events',
  'verdicts',
  'votes',
  'approvals',
  'gateResults',
  'waivers',
  'claims',
  'models',
  'sourceIntegrity',
  'calibration',
  'signatures',
  'publicKeys',
  /** Only when the export asked for it (`--include-trace`): the task's finished spans. */
  'trace',
] as const;
export type ListSection = (typeof LIST_SECTIONS)[number];
/** Sections that are one value (or null). */
export const SINGLE_SECTIONS = ['task', 'spec', 'patch'] as const;
export type SingleSection = (typeof SINGLE_SECTIONS)[number];

export const BundleContent = z.object({
  task: JsonObject.optional(),
  spec: BundleSpec.nullable().optional(),
  patch: BundlePatch.nullable().optional(),
  events: z.array(BundleEvent).optional(),
  verdicts: z.array(SectionItem).optional(),
  votes: z.array(SectionItem).optional(),
  approvals: z.array(SectionItem).optional(),
  gateResults: z.array(SectionItem).optional(),
  waivers: z.array(SectionItem).optional(),
  /** Claims of the worker and the judges with their verdicts and evidence, and each acceptance criterion's standing. */
  claims: z.array(SectionItem).optional(),
  models: z.array(ModelIdentity).optional(),
  sourceIntegrity: z.array(SourceIntegrityItem).optional(),
  calibration: z.array(CalibrationLogItem).optional(),
  signatures: z.array(BundleSignature).optional(),
  publicKeys: z.array(BundlePublicKey).optional(),
  /** The task's OpenTelemetry trace: its finished spans, by start time (optional: `--include-trace`). */
  trace: z.array(TraceSpan).optional(),
});
export type BundleContent = z.infer<typeof BundleContent>;
/** What the exporter produces: every section present, the trace only when asked for. */
export type CompleteContent = { [K in Exclude<keyof BundleContent, 'trace'>]-?: Exclude<BundleContent[K], undefined> } & { trace?: TraceSpan[] };

export const ManifestEntry = z.strictObject({ path: z.string(), sha256: Hash });
export type ManifestEntry = z.infer<typeof ManifestEntry>;

export const Manifest = z.strictObject({
  typ: z.literal(MANIFEST_TYPE),
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  taskId: z.string(),
  mode: z.string(),
  exportedAt: z.number().int(),
  exporter: z.string(),
  /** The task's last record when exported: a bundle cut short after it is detectable. */
  chainHead: z.strictObject({ taskSeq: z.number().int(), recordHash: Hash }).nullable(),
  /** Every entry of the content, in order, with the sha256 of its canonical JSON. */
  entries: z.array(ManifestEntry),
});
export type Manifest = z.infer<typeof Manifest>;

export const Bundle = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  manifest: Manifest,
  /** Compact JWS whose payload is the canonical JSON of `manifest`. */
  manifestSignature: z.string(),
  content: BundleContent,
});
export type Bundle = z.infer<typeof Bundle>;
