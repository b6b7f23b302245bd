import type { Db } from '../db/open';
import type { JsonObject, JsonValue } from '../db/canonical';
import { sha256Hex } from '../db/canonical';
import type { ChainRecord } from '../db/queries/chain';
import { bundleTableRows, latestPatchBytes, latestSpecRow, modelIdentityRow, PATCH_TABLE, type RawRow } from '../db/queries/audit-bundle-rows';
import type { BundlePatch, BundleSpec, ModelIdentity, SectionItem } from './bundle-schema';
import { EVENT_SECTIONS, SECTION_EVENT_MATCHERS, type EventSection } from './decisions';

/**
 * Everything an audit bundle reads besides the journal: the rows of tables other areas own (their
 * SQL, tolerant of tables and columns that are not there, is in db/queries/audit-bundle-rows.ts),
 * turned into JSON here.
 */
export type BundleSources = {
  spec: BundleSpec | null;
  patch: BundlePatch | null;
  verdicts: SectionItem[];
  votes: SectionItem[];
  approvals: SectionItem[];
  gateResults: SectionItem[];
  waivers: SectionItem[];
  claims: SectionItem[];
  models: ModelIdentity[];
};

export function readBundleSources(db: Db, taskId: string, taskSpecYaml: string | null, events: readonly ChainRecord[]): BundleSources {
  const sections = {} as Record<EventSection, SectionItem[]>;
  for (const section of EVENT_SECTIONS) {
    const fromEvents: SectionItem[] = events
      .filter((e) => SECTION_EVENT_MATCHERS[section](e.type))
      // A copy: the section and the record are separate entries of the file.
      .map((e) => ({ source: 'event', seq: e.seq, taskSeq: e.taskSeq, type: e.type, data: structuredClone(e.payload) }));
    const fromTables: SectionItem[] = bundleTableRows(db, section, taskId).map(({ table, row }) => ({ source: 'table' as const, table, data: toJsonObject(row) }));
    sections[section] = [...fromEvents, ...fromTables];
  }
  return {
    ...sections,
    spec: readSpec(db, taskId, taskSpecYaml),
    patch: readPatch(db, taskId),
    models: readModels(db, events, sections.votes),
  };
}

function readSpec(db: Db, taskId: string, taskSpecYaml: string | null): BundleSpec | null {
  const found = latestSpecRow(db, taskId);
  const row = found ? toJsonObject(found) : undefined;
  if (row && typeof row['yaml'] === 'string') {
    return {
      specId: typeof row['spec_id'] === 'string' ? row['spec_id'] : null,
      version: typeof row['version'] === 'number' ? row['version'] : null,
      yaml: row['yaml'],
      sha256: sha256Hex(row['yaml']),
      source: `specs${typeof row['source'] === 'string' ? `:${row['source']}` : ''}`,
    };
  }
  if (taskSpecYaml === null) return null;
  return { specId: null, version: null, yaml: taskSpecYaml, sha256: sha256Hex(taskSpecYaml), source: 'tasks.spec' };
}

function readPatch(db: Db, taskId: string): BundlePatch | null {
  const value = latestPatchBytes(db, taskId);
  if (value === undefined || value === null) return null;
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
  return patchFromBytes(bytes, PATCH_TABLE);
}

/** A patch is kept as text when it is UTF-8 (nearly always), else as base64; the hash is of the bytes. */
export function patchFromBytes(bytes: Buffer, source: string): BundlePatch {
  const text = bytes.toString('utf8');
  const exact = Buffer.from(text, 'utf8').equals(bytes);
  return {
    text: exact ? text : bytes.toString('base64'),
    encoding: exact ? 'utf8' : 'base64',
    sha256: sha256Hex(bytes),
    source,
  };
}

/** Every model the task's records name, with its file hash and quantization where the registry knows them. */
function readModels(db: Db, events: readonly ChainRecord[], votes: readonly SectionItem[]): ModelIdentity[] {
  const names = new Set<string>();
  for (const e of events) collectModelNames(e.payload, names);
  for (const v of votes) if (v.source === 'table' && typeof v.data['model'] === 'string') names.add(v.data['model']);
  return [...names].sort().map((name) => {
    const found = modelIdentityRow(db, name);
    const row = found ? toJsonObject(found) : undefined;
    if (!row) return { name, fileSha256: null, quantization: null, source: 'journal' as const };
    return {
      name,
      fileSha256: typeof row['sha256'] === 'string' ? row['sha256'] : null,
      quantization: quantizationOf(row['facts'] ?? null),
      source: 'registry' as const,
    };
  });
}

function quantizationOf(facts: JsonValue): string | null {
  if (typeof facts !== 'string') return null;
  try {
    const parsed = JSON.parse(facts) as unknown;
    if (parsed && typeof parsed === 'object' && 'quantization' in parsed && typeof parsed.quantization === 'string') {
      return parsed.quantization;
    }
  } catch {
    // Facts that are not JSON say nothing about quantization.
  }
  return null;
}

/** Model names in payloads: `model`, and `from`/`to` of a swap. */
function collectModelNames(payload: JsonValue, into: Set<string>): void {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return;
  for (const key of ['model', 'modelName']) {
    const v = payload[key];
    if (typeof v === 'string' && v) into.add(v);
  }
  if (typeof payload['role'] === 'string' && typeof payload['from'] === 'string' && typeof payload['to'] === 'string') {
    if (payload['from']) into.add(payload['from']);
    if (payload['to']) into.add(payload['to']);
  }
}

/** A row as a JSON object. */
function toJsonObject(row: RawRow): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(row)) out[k] = toJson(v);
  return out;
}

function toJson(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v)) return { base64: v.toString('base64') };
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}
