import { mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { AppSettings, type AppSettingsPatch, type SettingsView } from '../../../shared/channels/settings';
import { AppFailure, describeZodError } from '../../../shared/errors';
import type { Db } from '../db/open';
import { getSetting, setSetting } from '../db/queries/settings';
import { performanceCores } from '../models/cpu-cores';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { defaultAllowedRoots } from '../tasks/target-repo';
import { readDataDirPointer, writeDataDirPointer } from './data-dir-pointer';

export const APP_SETTINGS_KEY = 'app.settings';

export type SettingsServiceOptions = {
  db: Db;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  /** Where the next start reads its data folder from; without it the folder cannot be changed here. */
  dataDirPointer?: string | undefined;
  /** Threads this machine offers (defaults to what Node reports). */
  cpuCount?: number;
  /** Cores inference threads should use (defaults to the performance / physical cores, see cpu-cores.ts). */
  performanceCores?: number;
};

/** The user's app settings, validated as a whole and kept in the settings table. */
export class SettingsService {
  private readonly options: SettingsServiceOptions;
  private readonly listeners = new Set<(settings: AppSettings) => void>();
  readonly defaults: AppSettings;
  private readonly maxThreads: number;

  constructor(options: SettingsServiceOptions) {
    this.options = options;
    this.maxThreads = Math.max(1, Math.min(256, options.cpuCount ?? availableParallelism()));
    this.defaults = {
      modelsDir: join(options.dataDir, 'models'),
      // The performance cores (physical cores on Linux), as the docs say: efficiency cores and
      // hyper-thread siblings slow a llama.cpp thread pool down; never more than the machine offers.
      threads: Math.max(1, Math.min(this.maxThreads, options.performanceCores ?? performanceCores())),
      theme: 'system',
      gateCommands: {},
      allowedRoots: defaultAllowedRoots(),
      runWithoutSandbox: false,
      idleUnloadMinutes: 10,
      // Kept in the data folder only (nothing leaves the machine), so a bundle can include the trace.
      keepTaskTraces: true,
      traceViewerUrl: '',
    };
  }

  get(): AppSettings {
    const stored = getSetting(this.options.db, APP_SETTINGS_KEY);
    if (!stored) return structuredClone(this.defaults);
    let value: unknown;
    try {
      value = JSON.parse(stored.value);
    } catch {
      value = undefined;
    }
    // Field by field: one damaged value falls back to its default without losing the others.
    const out: AppSettings = structuredClone(this.defaults);
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(AppSettings.shape) as (keyof AppSettings)[]) {
        const field = AppSettings.shape[key].safeParse(record[key]);
        if (field.success) (out as Record<keyof AppSettings, unknown>)[key] = field.data;
        else if (key in record) this.options.logger.warn({ key }, 'stored setting is invalid; using its default');
      }
    }
    return out;
  }

  view(): SettingsView {
    const pointer = this.options.dataDirPointer;
    const next = pointer ? readDataDirPointer(pointer) : undefined;
    return {
      settings: this.get(),
      defaults: structuredClone(this.defaults),
      maxThreads: this.maxThreads,
      dataDir: {
        current: this.options.dataDir,
        next: next && resolve(next) !== resolve(this.options.dataDir) ? next : null,
        changeable: Boolean(pointer),
      },
    };
  }

  update(patch: z.output<typeof AppSettingsPatch>, actor: string): SettingsView {
    const next: AppSettings = { ...this.get(), ...definedOnly(patch) };
    const parsed = AppSettings.safeParse(next);
    if (!parsed.success) {
      const { message, issues } = describeZodError(parsed.error);
      throw new AppFailure('invalid_input', message, issues);
    }
    if (parsed.data.threads > this.maxThreads) {
      throw new AppFailure('invalid_input', `threads: this machine has ${this.maxThreads}`, [
        { path: 'threads', message: `must be at most ${this.maxThreads} on this machine` },
      ]);
    }
    if (patch.modelsDir !== undefined) ensureFolder(parsed.data.modelsDir, 'modelsDir');
    setSetting(this.options.db, APP_SETTINGS_KEY, JSON.stringify(parsed.data), actor, this.options.clock.now());
    this.options.logger.info({ actor, fields: Object.keys(definedOnly(patch)) }, 'settings updated');
    for (const l of this.listeners) {
      try {
        l(parsed.data);
      } catch (e) {
        this.options.logger.warn({ err: e }, 'settings listener failed');
      }
    }
    return this.view();
  }

  /** Chooses the data folder for the next start; the running app keeps its current one. */
  setDataDir(path: string): SettingsView {
    const pointer = this.options.dataDirPointer;
    if (!pointer) {
      throw new AppFailure(
        'forbidden',
        'the data folder is fixed by how the app was started (--data-dir or AGENT_AGENCY_DATA_DIR); start it with another folder instead',
      );
    }
    const target = resolve(path);
    ensureFolder(target, 'path');
    writeDataDirPointer(pointer, target === resolve(this.options.dataDir) ? null : target);
    this.options.logger.info({ next: target }, 'data folder chosen for the next start');
    return this.view();
  }

  onChange(listener: (settings: AppSettings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A folder setting must name a folder the app can use: it is created if missing. */
function ensureFolder(path: string, field: string): void {
  try {
    mkdirSync(path, { recursive: true });
    if (!statSync(path).isDirectory()) throw new Error('not a folder');
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new AppFailure('invalid_input', `${field}: cannot use ${path} as a folder (${reason})`, [
      { path: field, message: 'is not a folder the app can use' },
    ]);
  }
}
