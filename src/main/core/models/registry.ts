import { isAbsolute, resolve } from 'node:path';
import { ModelName, type ModelEntry } from '../../../shared/domain/model';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { deleteModel, getModel, getModelApiKey, getModelByPath, insertModel, listModels, rolesUsing, updateModelFacts } from '../db/queries/models';
import type { Clock } from '../journal/journal';
import type { ModelEventBus } from './events';
import { readModelFacts, readModelFile } from './gguf/read-model-file';

/** A local (GGUF) model's entry. */
export type GgufModelEntry = Extract<ModelEntry, { kind: 'gguf' }>;

export type ModelRegistryOptions = { db: Db; clock: Clock; events: ModelEventBus };

/** The models the app knows: GGUF files read from disk, and OpenAI-compatible endpoints. */
export class ModelRegistry {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly events: ModelEventBus;

  constructor(options: ModelRegistryOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.events = options.events;
  }

  /**
   * Reads the file's header and checksum and records it. A missing, non-GGUF or truncated file, or
   * one already registered, is refused with a message and a `model.add_failed` event.
   */
  async addByPath(input: { path: string; name?: string | undefined; signal?: AbortSignal }): Promise<ModelEntry> {
    try {
      if (!isAbsolute(input.path)) throw new AppFailure('invalid_input', 'path: must be an absolute path', [{ path: 'path', message: 'must be an absolute path' }]);
      const path = resolve(input.path);
      const existing = getModelByPath(this.db, path);
      if (existing) throw new AppFailure('conflict', `${path} is already registered as ${existing.name}`);
      const info = await readModelFile(path, input.signal ? { signal: input.signal } : {});
      const name = input.name ? this.checkFreeName(input.name) : this.freeName(info.suggestedName);
      const entry: ModelEntry = {
        kind: 'gguf',
        name,
        path,
        sizeBytes: info.sizeBytes,
        sha256: info.sha256,
        facts: info.facts,
        addedAt: this.clock.now(),
      };
      insertModel(this.db, entry);
      this.events.emit({ type: 'model.added', model: name });
      return entry;
    } catch (e) {
      const failure = e instanceof AppFailure ? e : new AppFailure('internal', `could not add ${input.path}: ${String(e)}`);
      this.events.emit({ type: 'model.add_failed', source: input.path, error: failure.message });
      throw failure;
    }
  }

  addRemote(input: { name: string; baseUrl: string; model: string; apiKey?: string | undefined }): ModelEntry {
    const name = this.checkFreeName(input.name);
    const entry: ModelEntry = {
      kind: 'remote',
      name,
      endpoint: { baseUrl: input.baseUrl.replace(/\/+$/, ''), model: input.model, hasApiKey: Boolean(input.apiKey) },
      addedAt: this.clock.now(),
    };
    insertModel(this.db, entry, input.apiKey);
    this.events.emit({ type: 'model.added', model: name });
    return entry;
  }

  /**
   * A local model's entry with the facts this version reads from a header. An entry added before a
   * fact was recorded (the attention head widths) has its header read again, without the checksum,
   * and the facts stored; if the file cannot be read now, the entry is returned as it was.
   */
  async withCurrentFacts(entry: GgufModelEntry): Promise<GgufModelEntry> {
    if (entry.facts.headDims !== undefined) return entry;
    try {
      const facts = await readModelFacts(entry.path);
      updateModelFacts(this.db, entry.name, facts);
      return { ...entry, facts };
    } catch {
      return entry;
    }
  }

  list(): ModelEntry[] {
    return listModels(this.db);
  }

  get(name: string): ModelEntry | undefined {
    return getModel(this.db, name);
  }

  require(name: string): ModelEntry {
    const entry = getModel(this.db, name);
    if (!entry) throw new AppFailure('not_found', `no model named ${name} is registered`);
    return entry;
  }

  apiKey(name: string): string | undefined {
    return getModelApiKey(this.db, name);
  }

  /** Forgets a model (the file stays on disk). Refused while a role still names it. */
  remove(name: string): void {
    this.require(name);
    const roles = rolesUsing(this.db, name);
    if (roles.length > 0) {
      throw new AppFailure('conflict', `${name} still serves ${roles.join(', ')}; assign those roles another model first`);
    }
    deleteModel(this.db, name);
    this.events.emit({ type: 'model.removed', model: name });
  }

  private checkFreeName(raw: string): string {
    const parsed = ModelName.safeParse(raw);
    if (!parsed.success) throw new AppFailure('invalid_input', `name: ${parsed.error.issues[0]?.message ?? 'invalid'}`, [{ path: 'name', message: parsed.error.issues[0]?.message ?? 'invalid' }]);
    if (getModel(this.db, parsed.data)) throw new AppFailure('conflict', `a model named ${parsed.data} is already registered`);
    return parsed.data;
  }

  /** A registry name derived from the file's own name, made unique with a numeric suffix. */
  private freeName(suggested: string): string {
    let base = suggested
      .toLowerCase()
      .replace(/[^a-z0-9._:-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .replace(/-+$/, '')
      .slice(0, 100);
    if (!base) base = 'model';
    let name = base;
    for (let i = 2; getModel(this.db, name); i++) name = `${base}-${i}`;
    return name;
  }
}
