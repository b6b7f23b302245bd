import type { GgufFacts } from '../../../../shared/domain/model';
import { KV_CACHE_TYPES, kvTypeFits, type KvCacheType, type ModelRuntimeSettings } from '../runtime-settings';

/** One inference setting the tuner searches, as a list of values a unit-cube coordinate picks from. */
export type Dimension<K extends keyof TunedSettings = keyof TunedSettings> = { key: K; values: readonly TunedSettings[K][] };

export type TunedSettings = {
  batchSize: number;
  threads: number;
  contextSize: number;
  gpuLayers: number;
  flashAttention: 'on' | 'off';
  kvCacheType: KvCacheType;
};

export type SpaceInput = {
  /** Performance cores: threads are searched from 1 to here. */
  cores: number;
  layers: number;
  /** Whether a GPU backend is in use (otherwise GPU layers stay 0). */
  gpu: boolean;
  /** Contexts at least this long are searched (the workload must fit). */
  minContext: number;
  maxContext: number;
  /** The model's attention head widths: KV types they cannot hold are left out of the search. */
  headDims?: GgufFacts['headDims'];
};

/**
 * The settings that matter for speed and their candidate values. node-llama-cpp 3.22 exposes no
 * micro-batch (n_ubatch) option, so only the batch size is searched. KV types the model's head
 * width cannot hold are not searched (each would be a trial spent on a context that fails to create),
 * and `feasible` rules out the combinations llama.cpp refuses.
 */
export function searchSpace(input: SpaceInput): Dimension[] {
  const contexts = [512, 1024, 2048, 4096, 8192].filter((c) => c >= input.minContext && c <= input.maxContext);
  const threads = Array.from({ length: Math.max(1, input.cores) }, (_, i) => i + 1);
  const layers = input.gpu ? [...new Set([0, Math.round((input.layers + 1) / 2), input.layers + 1])] : [0];
  return [
    { key: 'batchSize', values: [64, 128, 256, 512, 1024] },
    { key: 'threads', values: threads },
    { key: 'contextSize', values: contexts.length > 0 ? contexts : [input.minContext] },
    { key: 'gpuLayers', values: layers },
    { key: 'flashAttention', values: ['off', 'on'] },
    { key: 'kvCacheType', values: KV_CACHE_TYPES.filter((t) => kvTypeFits(t, input.headDims)) },
  ] as Dimension[];
}

/** Whether llama.cpp can run a setting at all: a quantized KV cache (its V half) needs flash attention. */
export function feasible(s: TunedSettings): boolean {
  return s.kvCacheType === 'f16' || s.flashAttention === 'on';
}

/** The setting a point of the unit cube stands for (each coordinate picks one value of its dimension). */
export function decode(space: readonly Dimension[], x: readonly number[]): TunedSettings {
  const out: Record<string, unknown> = {};
  space.forEach((d, i) => {
    const at = Math.min(d.values.length - 1, Math.floor((x[i] ?? 0) * d.values.length));
    out[d.key] = d.values[at];
  });
  return out as TunedSettings;
}

/** The centre of each value's cell: where a known setting sits in the cube. */
export function encode(space: readonly Dimension[], settings: TunedSettings): number[] {
  return space.map((d) => {
    const i = Math.max(0, (d.values as readonly unknown[]).indexOf(settings[d.key]));
    return (i + 0.5) / d.values.length;
  });
}

/** As Settings and the loader take them. */
export function toRuntimeSettings(s: TunedSettings): ModelRuntimeSettings {
  return { batchSize: s.batchSize, threads: s.threads, contextSize: s.contextSize, gpuLayers: s.gpuLayers, flashAttention: s.flashAttention, kvCacheType: s.kvCacheType };
}
