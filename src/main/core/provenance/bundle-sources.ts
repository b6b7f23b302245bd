import type { Db } from '../db/open';
import type { JsonObject, JsonValue } from '../db/canonical';
import { sha256Hex } from '../db/canonical';
import type { ChainRecord } from '../db/queries/chain';
import type { BundlePatch, BundleSpec, ModelIdentity, SectionItem } from './bundle-schema';
import { EVENT_SECTIONS, SECTION_EVENT_MATCHERS, type EventSection } from './decisions';

/**
 * Everything an audit bundle reads from tables other areas own, in one place. Those tables are
 * young and may not exist in a given database (or may gain and lose columns): every query here
 * treats "no such table" and "no such column" as an empty result, so a bundle can always be made
 * from what is there. Adjust the SQL here when a schema changes; nothing else reads these tables.
 */
export type BundleSources = {
  spec: BundleSpec | null;
  patch: BundlePatch | null;
  verdicts: SectionItem[];
  votes: SectionItem[];
  approvals: SectionItem[];
  gateResults: SectionItem[];
  waivers: SectionItem[];
  models: ModelIdentity[];
};

/** Rows of the governance and engine tables per section. `?` is the task id. */
const TABLE_QUERIES: Record<EventSection, { table: string; sql: string }[]> = {
  verdicts: [{ table: 'verdicts', sql: 'SELECT * FROM verdicts WHERE task_id = ? ORDER BY created_at, id' }],
  votes: [
    {
      table: 'votes',
      sql: `SELECT votes.* FROM votes JOIN verdicts ON verdicts.id = votes.verdict_id
            WHERE verdicts.task_id = ? ORDER BY verdicts.created_at, votes.seq`,
    },
  ],
  approvals: [{ table: 'task_approvals', sql: 'SELECT * FROM task_approvals WHERE task_id = ? ORDER BY id' }],
  gateResults: [{ table: 'gate_results', sql: 'SELECT * FROM gate_results WHERE task_id = ? ORDER BY seq' }],
  waivers: [
    {
      table: 'waiver_uses',
      sql: `SELECT waiver_uses.*, waivers.title AS waiver_title, waivers.reason AS waiver_reason,
                   waivers.approver AS waiver_approver, waivers.expires_at AS waiver_expires_at
            FROM waiver_uses LEFT JOIN waivers ON waivers.id = waiver_uses.waiver_id
            WHERE waiver_uses.task_id = ? ORDER BY waiver_uses.seq`,
    },
  ],
};

/** The working spec: the task's latest spec version, else the YAML kept on the task. */
const SPEC_QUERY = 'SELECT spec_id, version, yaml, source FROM specs WHERE task_id = ? ORDER BY version DESC LIMIT 1';

/** The patch a task produced (kept by the workspace for dry-runs and applies): the latest one. */
const PATCH_QUERY = { table: 'task_patches', sql: 'SELECT patch FROM task_patches WHERE task_id = ? ORDER BY id DESC LIMIT 1' };

/** The model registry: the file's sha256, and the quantization inside the GGUF facts (JSON). */
const MODEL_QUERY = 'SELECT sha256, facts FROM models WHERE name = ? LIMIT 1';

export function readBundleSources(db: Db, taskId: string, taskSpecYaml: string | null, events: readonly ChainRecord[]): BundleSources {
  const sections = {} as Record<EventSection, SectionItem[]>;
  for (const section of EVENT_SECTIONS) {
    const fromEvents: SectionItem[] = events
      .filter((e) => SECTION_EVENT_MATCHERS[section](e.type))
      // A copy: the section and the record are separate entries of the file.
      .map((e) => ({ source: 'event', seq: e.seq, taskSeq: e.taskSeq, type: e.type, data: structuredClone(e.payload) }));
    const fromTables: SectionItem[] = TABLE_QUERIES[section].flatMap(({ table, sql }) =>
      rows(db, sql, taskId).map((data) => ({ source: 'table' as const, table, data })),
    );
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
  const row = rows(db, SPEC_QUERY, taskId)[0];
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
  const row = rawRows(db, PATCH_QUERY.sql, taskId)[0];
  const value = row?.['patch'];
  if (value === undefined || value === null) return null;
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
  return patchFromBytes(bytes, PATCH_QUERY.table);
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
    const row = rows(db, MODEL_QUERY, name)[0];
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

/** A query's rows; a table or column that does not exist yields none. */
function rawRows(db: Db, sql: string, param: string): Record<string, unknown>[] {
  try {
    return db.prepare(sql).all(param) as Record<string, unknown>[];
  } catch (e) {
    if (e instanceof Error && /no such (table|column)/.test(e.message)) return [];
    throw e;
  }
}

/** A query's rows as JSON objects. */
function rows(db: Db, sql: string, param: string): JsonObject[] {
  return rawRows(db, sql, param).map((row) => {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(row)) out[k] = toJson(v);
    return out;
  });
}

function toJson(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v)) return { base64: v.toString('base64') };
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}
