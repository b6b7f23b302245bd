import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../journal/journal';
import { silentLogger } from '../../observability/logger';
import { readModelFile } from '../gguf/read-model-file';
import { LlamaRuntime } from '../providers/llama-runtime';
import { kvTypeFits } from '../runtime-settings';
import { ensureTestModel } from '../testing/test-model';
import { measureThroughput } from './measure';
import { feasible, searchSpace, type TunedSettings } from './space';

const runtime = new LlamaRuntime({ logger: silentLogger(), gpu: false, threads: 1 });
afterAll(() => runtime.dispose());

/** The search leaves out what llama.cpp refuses; checked against the real llama.cpp on the tiny model. */
describe('tuner feasibility', () => {
  it('reads the head widths and leaves out KV types they cannot hold, which llama.cpp really refuses', async () => {
    const path = await ensureTestModel();
    const { facts } = await readModelFile(path);
    expect(facts.headDims).toBeTruthy();
    expect(facts.headDims!.k % 32).not.toBe(0);
    const kv = searchSpace({ cores: 2, layers: facts.layers, gpu: false, minContext: 512, maxContext: 1024, headDims: facts.headDims }).find((d) => d.key === 'kvCacheType')!;
    expect(kv.values).toEqual(['f16']);

    const f16: TunedSettings = { batchSize: 128, threads: 1, contextSize: 512, gpuLayers: 0, flashAttention: 'on', kvCacheType: 'f16' };
    const run = (s: TunedSettings) => measureThroughput({ runtime, clock: systemClock, path, layers: facts.layers, settings: s });
    expect((await run(f16)).tps).toBeGreaterThan(0);
    // What the rule keeps out of the search does fail when loaded: the rule mirrors llama.cpp.
    expect(kvTypeFits('q8_0', facts.headDims)).toBe(false);
    await expect(run({ ...f16, kvCacheType: 'q8_0' })).rejects.toThrow(/context/);
  });

  it('keeps every KV type for heads a multiple of 32 wide, and a quantized one only with flash attention', () => {
    const kv = searchSpace({ cores: 8, layers: 32, gpu: true, minContext: 512, maxContext: 8192, headDims: { k: 128, v: 128 } }).find((d) => d.key === 'kvCacheType')!;
    expect(kv.values).toEqual(['f16', 'q8_0', 'q4_0']);
    const s: TunedSettings = { batchSize: 512, threads: 4, contextSize: 4096, gpuLayers: 33, flashAttention: 'off', kvCacheType: 'q4_0' };
    expect(feasible(s)).toBe(false);
    expect(feasible({ ...s, flashAttention: 'on' })).toBe(true);
    expect(feasible({ ...s, kvCacheType: 'f16' })).toBe(true);
  });

});
