import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../../test/helpers';
import { ModelSettingsStore } from './store';
import type { TuneResult } from './tune';

let core: ReturnType<typeof testCore> | undefined;
afterEach(() => {
  core?.cleanup();
  core = undefined;
});

const result: TuneResult = {
  default_tps: 10,
  best_tps: 15,
  gain: 1.5,
  best: { batchSize: 256, threads: 1, contextSize: 1024, gpuLayers: 0, flashAttention: 'off', kvCacheType: 'f16' },
  trials: [],
  discarded: 0,
};

describe('model settings store', () => {
  it('keeps the best setting per model and machine, and the user settings per model', () => {
    core = testCore({ scheduler: { autoStart: false } });
    const store = new ModelSettingsStore(core.db, () => 1);
    store.saveTuned('tiny', 'machine-a', result);
    expect(store.tuned('tiny', 'machine-a')).toMatchObject({ batchSize: 256, threads: 1, contextSize: 1024 });
    expect(store.tuned('tiny', 'machine-b')).toBeUndefined();
    store.saveTuned('tiny', 'machine-a', { ...result, best: { ...result.best, threads: 2 } });
    expect(store.tuned('tiny', 'machine-a')?.threads).toBe(2);
    expect(store.tuning('tiny', 'machine-a')).toMatchObject({ defaultTps: 10, bestTps: 15 });
    expect(store.setUser('tiny', { contextSize: 2048, kvCacheType: 'q8_0' })).toEqual({ contextSize: 2048, kvCacheType: 'q8_0' });
    expect(store.user('tiny')).toEqual({ contextSize: 2048, kvCacheType: 'q8_0' });
  });

  it('refuses bad user settings, naming the field, and ignores a stored row that no longer parses', () => {
    core = testCore({ scheduler: { autoStart: false } });
    const store = new ModelSettingsStore(core.db, () => 1);
    expect(() => store.setUser('tiny', { contextSize: 10 })).toThrow(/contextSize|256/);
    core.db.prepare("INSERT INTO model_settings (model, settings_json, updated_at) VALUES ('bad', '{\"threads\":\"many\"}', 1)").run();
    expect(store.user('bad')).toBeUndefined();
  });
});
