import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

export type TuningRow = {
  model: string;
  machine: string;
  bestJson: string;
  defaultTps: number;
  bestTps: number;
  trialsJson: string;
  createdAt: number;
};

export function saveTuning(db: Db, row: TuningRow): void {
  cachedStatement(
    db,
    `INSERT INTO model_tuning (model, machine, best_json, default_tps, best_tps, trials_json, created_at)
     VALUES (@model, @machine, @bestJson, @defaultTps, @bestTps, @trialsJson, @createdAt)
     ON CONFLICT (model, machine) DO UPDATE SET best_json = excluded.best_json, default_tps = excluded.default_tps,
       best_tps = excluded.best_tps, trials_json = excluded.trials_json, created_at = excluded.created_at`,
  ).run(row);
}

export function getTuning(db: Db, model: string, machine: string): TuningRow | undefined {
  const r = cachedStatement(db, 'SELECT * FROM model_tuning WHERE model = ? AND machine = ?').get(model, machine) as
    | { model: string; machine: string; best_json: string; default_tps: number; best_tps: number; trials_json: string; created_at: number }
    | undefined;
  return r
    ? { model: r.model, machine: r.machine, bestJson: r.best_json, defaultTps: r.default_tps, bestTps: r.best_tps, trialsJson: r.trials_json, createdAt: r.created_at }
    : undefined;
}

export function setModelSettings(db: Db, model: string, settingsJson: string, at: number): void {
  cachedStatement(
    db,
    `INSERT INTO model_settings (model, settings_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (model) DO UPDATE SET settings_json = excluded.settings_json, updated_at = excluded.updated_at`,
  ).run(model, settingsJson, at);
}

export function getModelSettings(db: Db, model: string): string | undefined {
  const r = cachedStatement(db, 'SELECT settings_json FROM model_settings WHERE model = ?').get(model) as { settings_json: string } | undefined;
  return r?.settings_json;
}
