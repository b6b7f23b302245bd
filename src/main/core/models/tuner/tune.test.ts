import { describe, expect, it } from 'vitest';
import type { PressureLevel } from '../../../../shared/domain/scheduler';
import { searchSpace, type TunedSettings } from './space';
import { tune } from './tune';

const space = searchSpace({ cores: 8, layers: 32, gpu: true, minContext: 512, maxContext: 8192 });
const defaults: TunedSettings = { batchSize: 512, threads: 4, contextSize: 4096, gpuLayers: 33, flashAttention: 'off', kvCacheType: 'f16' };

/** A machine where more threads and flash attention help and huge batches hurt. */
const speed = (s: TunedSettings) => 10 + 2 * s.threads + (s.flashAttention === 'on' ? 8 : 0) - (s.batchSize > 512 ? 6 : 0) + s.gpuLayers / 11;

describe('runtime tuner', () => {
  it('measures the defaults first and finds a faster setting within the budget', async () => {
    const seen: number[] = [];
    const result = await tune({
      space,
      defaults,
      budget: 16,
      measure: async (s) => ({ tps: speed(s) }),
      memoryNeeded: () => 1,
      memoryBudget: 2,
      pressure: () => 'nominal',
      onTrial: (t) => seen.push(t.bestSoFar),
    });
    expect(result.trials[0]!.settings).toEqual(defaults);
    expect(result.default_tps).toBe(speed(defaults));
    expect(result.best_tps).toBeGreaterThan(result.default_tps);
    expect(result.gain).toBeCloseTo(result.best_tps / result.default_tps);
    expect(result.trials).toHaveLength(16);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('never loads a setting over the memory budget', async () => {
    const measured: TunedSettings[] = [];
    const result = await tune({
      space,
      defaults,
      budget: 10,
      measure: async (s) => {
        measured.push(s);
        return { tps: speed(s) };
      },
      memoryNeeded: (s) => s.contextSize,
      memoryBudget: 4096,
      pressure: () => 'nominal',
    });
    expect(measured.every((s) => s.contextSize <= 4096)).toBe(true);
    for (const t of result.trials.filter((t) => t.settings.contextSize > 4096)) expect(t).toMatchObject({ tps: 0, skipped: expect.stringMatching(/budget/) });
  });

  it('discards a trial measured under serious pressure and does not count it', async () => {
    let calls = 0;
    const levels: PressureLevel[] = ['nominal', 'nominal', 'serious', 'serious'];
    let reads = 0;
    const result = await tune({
      space,
      defaults,
      budget: 4,
      measure: async (s) => {
        calls++;
        return { tps: speed(s) };
      },
      memoryNeeded: () => 1,
      memoryBudget: 2,
      // Trial 2 starts and ends hot.
      pressure: () => levels[reads++] ?? 'nominal',
    });
    expect(result.trials).toHaveLength(4);
    expect(result.discarded).toBe(1);
    expect(calls).toBe(5);
  });

  it('discards a trial the measurer saw start hot, though the level read around it is nominal', async () => {
    const discards: string[] = [];
    let calls = 0;
    const result = await tune({
      space,
      defaults,
      budget: 3,
      measure: async (s) => ({ tps: speed(s), pressure: calls++ === 1 ? 'critical' : 'nominal' }),
      memoryNeeded: () => 1,
      memoryBudget: 2,
      pressure: () => 'nominal',
      onDiscard: (d) => discards.push(d.reason),
    });
    expect(result.trials).toHaveLength(3);
    expect(result.discarded).toBe(1);
    expect(discards).toEqual(['measured under critical pressure']);
  });

  it('never spends a trial on a quantized KV cache without flash attention, which llama.cpp refuses', async () => {
    const measured: TunedSettings[] = [];
    // Were it allowed, a quantized cache with flash attention off would look fastest here.
    const lure = (s: TunedSettings) => 10 + (s.kvCacheType !== 'f16' ? 20 : 0) + (s.flashAttention === 'off' ? 5 : 0) + s.threads;
    await tune({
      space,
      defaults,
      budget: 24,
      measure: async (s) => {
        measured.push(s);
        return { tps: lure(s) };
      },
      memoryNeeded: () => 1,
      memoryBudget: 2,
      pressure: () => 'nominal',
    });
    expect(measured).toHaveLength(24);
    expect(measured.some((s) => s.kvCacheType !== 'f16')).toBe(true);
    expect(measured.filter((s) => s.kvCacheType !== 'f16' && s.flashAttention === 'off')).toEqual([]);
  });
});
