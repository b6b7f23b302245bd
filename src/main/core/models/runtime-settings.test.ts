import { describe, expect, it } from 'vitest';
import { gpuLayersOption, KV_CACHE_SCALE, ModelRuntimeSettings, resolveRuntimeSettings, type SettingsInput } from './runtime-settings';
import { physicalCoresFromCpuinfo } from './cpu-cores';

const base: SettingsInput = {
  facts: { layers: 32, contextLength: 8192 },
  backend: 'metal',
  defaultThreads: 8,
  maxContextSize: 4096,
  defaultSequences: 4,
};

describe('runtime settings derivation', () => {
  it('offloads every layer and the output layer on a GPU backend (layers + 1), none on the CPU', () => {
    const metal = resolveRuntimeSettings(base);
    expect(metal.gpuLayers).toBe(33);
    expect(gpuLayersOption(metal, 32)).toBe('max');
    for (const backend of ['cuda', 'vulkan']) expect(resolveRuntimeSettings({ ...base, backend }).gpuLayers).toBe(33);
    const cpu = resolveRuntimeSettings({ ...base, backend: 'cpu' });
    expect(cpu.gpuLayers).toBe(0);
    expect(gpuLayersOption(cpu, 32)).toBe(0);
    expect(resolveRuntimeSettings({ ...base, user: { gpuLayers: 20 } }).gpuLayers).toBe(20);
    expect(resolveRuntimeSettings({ ...base, user: { gpuLayers: 99 } }).gpuLayers).toBe(33);
  });

  it('leaves flash attention to node-llama-cpp (auto) unless set; a quantized KV cache turns it on', () => {
    expect(resolveRuntimeSettings(base).flashAttention).toBe('auto');
    expect(resolveRuntimeSettings({ ...base, user: { flashAttention: 'off' } }).flashAttention).toBe(false);
    const q8 = resolveRuntimeSettings({ ...base, user: { kvCacheType: 'q8_0' } });
    expect(q8).toMatchObject({ kvCacheType: 'q8_0', flashAttention: true });
    const conflict = resolveRuntimeSettings({ ...base, user: { kvCacheType: 'q4_0', flashAttention: 'off' } });
    expect(conflict).toMatchObject({ kvCacheType: 'f16', flashAttention: false });
    expect(conflict.notes[0]).toMatch(/needs flash attention/);
    expect(KV_CACHE_SCALE.q8_0).toBeLessThan(0.6);
  });

  it('falls back to f16 with a note when the heads are too narrow for a quantized KV cache', () => {
    const narrow = resolveRuntimeSettings({ ...base, facts: { ...base.facts, headDims: { k: 8, v: 8 } }, user: { kvCacheType: 'q8_0' } });
    expect(narrow.kvCacheType).toBe('f16');
    expect(narrow.notes[0]).toMatch(/multiple of 32 wide.*8/);
    const wide = resolveRuntimeSettings({ ...base, facts: { ...base.facts, headDims: { k: 128, v: 128 } }, user: { kvCacheType: 'q4_0' } });
    expect(wide.kvCacheType).toBe('q4_0');
  });

  it('takes context size, threads and sequences from the user over the tuner over the defaults', () => {
    expect(resolveRuntimeSettings(base)).toMatchObject({ contextSize: 4096, threads: 8, sequences: 4, batchSize: 512 });
    const tuned = resolveRuntimeSettings({ ...base, tuned: { contextSize: 2048, threads: 6, batchSize: 256 } });
    // The tuner cannot shorten the context below the default; it may lengthen it.
    expect(tuned).toMatchObject({ contextSize: 4096, threads: 6, batchSize: 256 });
    expect(resolveRuntimeSettings({ ...base, tuned: { contextSize: 8192 } }).contextSize).toBe(8192);
    const user = resolveRuntimeSettings({ ...base, tuned: { contextSize: 2048, threads: 6 }, user: { contextSize: 8192, threads: 4 } });
    expect(user).toMatchObject({ contextSize: 8192, threads: 4 });
    const beyond = resolveRuntimeSettings({ ...base, user: { contextSize: 65536 } });
    expect(beyond.contextSize).toBe(8192);
    expect(beyond.notes[0]).toMatch(/trained/);
    expect(resolveRuntimeSettings({ ...base, user: { contextSize: 256, batchSize: 1024 } }).batchSize).toBe(256);
  });

  it('refuses bad settings, naming the field', () => {
    const bad = ModelRuntimeSettings.safeParse({ contextSize: 100, kvCacheType: 'q2' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path[0]).sort()).toEqual(['contextSize', 'kvCacheType']);
    expect(ModelRuntimeSettings.safeParse({ threads: 4, extra: 1 }).success).toBe(false);
  });

  it('counts physical cores from /proc/cpuinfo, not hyper-threads', () => {
    const cpu = (p: number, c: number) => `processor\t: 0\nphysical id\t: ${p}\ncore id\t\t: ${c}\n`;
    expect(physicalCoresFromCpuinfo([cpu(0, 0), cpu(0, 0), cpu(0, 1), cpu(0, 1)].join('\n'))).toBe(2);
    expect(physicalCoresFromCpuinfo([cpu(0, 0), cpu(1, 0)].join('\n'))).toBe(2);
    expect(physicalCoresFromCpuinfo('processor\t: 0\n')).toBe(0);
  });
});
