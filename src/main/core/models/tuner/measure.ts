import type { GgufFacts } from '../../../../shared/domain/model';
import type { Clock } from '../../journal/journal';
import { estimateMemory } from '../fit';
import { LlamaLoadedModel } from '../providers/llama-model';
import type { LlamaRuntime } from '../providers/llama-runtime';
import { KV_CACHE_SCALE } from '../runtime-settings';
import type { TunedSettings } from './space';

/** The fixed workload every trial runs: a prompt to evaluate and tokens to generate. */
export const WORKLOAD = {
  prompt: 'Once upon a time, in a small town by the sea, there lived a girl who loved to build things. '.repeat(4),
  generate: 96,
} as const;

/**
 * Loads the model with `settings`, runs the fixed workload once to warm it and once to measure,
 * and reports tokens per second over prompt evaluation and generation together. The model is
 * unloaded after each trial, so every trial pays its own load and none inherits another's cache.
 */
export async function measureThroughput(input: {
  runtime: LlamaRuntime;
  clock: Clock;
  path: string;
  layers: number;
  settings: TunedSettings;
  signal?: AbortSignal;
}): Promise<{ tps: number; promptTokens: number; generated: number }> {
  const s = input.settings;
  const model = await LlamaLoadedModel.load({
    runtime: input.runtime,
    clock: input.clock,
    name: 'tuning',
    path: input.path,
    contextSize: s.contextSize,
    sequences: 1,
    gpuLayers: s.gpuLayers >= input.layers + 1 ? 'max' : s.gpuLayers,
    flashAttention: s.flashAttention === 'on',
    kvCacheType: s.kvCacheType,
    batchSize: s.batchSize,
    threads: s.threads,
    memoryBytes: 0,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  try {
    const opts = { maxTokens: WORKLOAD.generate, temperature: 0, ...(input.signal ? { signal: input.signal } : {}) };
    await model.complete(`${WORKLOAD.prompt} (warm)`, { ...opts, maxTokens: 4 });
    // A different first character: nothing of the warm-up prompt's cache is reused.
    const started = performance.now();
    const g = await model.complete(`~${WORKLOAD.prompt}`, opts);
    const seconds = (performance.now() - started) / 1000;
    const promptTokens = g.promptTokens ?? 0;
    return { tps: (promptTokens + g.tokens) / Math.max(seconds, 1e-6), promptTokens, generated: g.tokens };
  } finally {
    await model.dispose();
  }
}

/** The fit check's estimate for a trial's settings (KV cache scaled by its type). */
export function trialMemory(sizeBytes: number, facts: GgufFacts, s: TunedSettings): number {
  return estimateMemory({ sizeBytes, facts: { ...facts, kvBytesPerToken: facts.kvBytesPerToken * KV_CACHE_SCALE[s.kvCacheType] }, contextSize: s.contextSize }).neededBytes;
}
