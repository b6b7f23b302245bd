import { createHash } from 'node:crypto';
import { arch, cpus, platform, totalmem } from 'node:os';
import type { Db } from '../../db/open';
import { getModelSettings, getTuning, saveTuning, setModelSettings } from '../../db/queries/model-tuning';
import { ModelRuntimeSettings } from '../runtime-settings';
import type { TuneResult } from './tune';
import { toRuntimeSettings } from './space';

/** Names this machine for tuning results: a setting tuned on one machine says nothing about another. */
export function machineId(backend: string): string {
  const cpu = cpus()[0]?.model ?? 'cpu';
  return createHash('sha256').update(`${platform()}|${arch()}|${cpu}|${cpus().length}|${totalmem()}|${backend}`).digest('hex').slice(0, 16);
}

/**
 * The runtime settings stored per model: the user's choices (Settings) and the tuner's best per
 * machine. Stored JSON is parsed with the settings schema on the way out; a row that no longer
 * parses is ignored rather than loaded with.
 */
export class ModelSettingsStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  saveTuned(model: string, machine: string, result: TuneResult): void {
    saveTuning(this.db, {
      model,
      machine,
      bestJson: JSON.stringify(toRuntimeSettings(result.best)),
      defaultTps: result.default_tps,
      bestTps: result.best_tps,
      trialsJson: JSON.stringify(result.trials),
      createdAt: this.now(),
    });
  }

  tuned(model: string, machine: string): ModelRuntimeSettings | undefined {
    const row = getTuning(this.db, model, machine);
    return row ? parse(row.bestJson) : undefined;
  }

  /** The stored search, for the chart: trial, throughput, best so far. */
  tuning(model: string, machine: string): { defaultTps: number; bestTps: number; trials: unknown[]; createdAt: number } | undefined {
    const row = getTuning(this.db, model, machine);
    if (!row) return undefined;
    let trials: unknown[] = [];
    try {
      const parsed: unknown = JSON.parse(row.trialsJson);
      if (Array.isArray(parsed)) trials = parsed;
    } catch {
      // An unreadable history shows as no trials.
    }
    return { defaultTps: row.defaultTps, bestTps: row.bestTps, trials, createdAt: row.createdAt };
  }

  user(model: string): ModelRuntimeSettings | undefined {
    const json = getModelSettings(this.db, model);
    return json ? parse(json) : undefined;
  }

  setUser(model: string, settings: ModelRuntimeSettings): ModelRuntimeSettings {
    const parsed = ModelRuntimeSettings.parse(settings);
    setModelSettings(this.db, model, JSON.stringify(parsed), this.now());
    return parsed;
  }
}

function parse(json: string): ModelRuntimeSettings | undefined {
  try {
    const r = ModelRuntimeSettings.safeParse(JSON.parse(json));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
