import { z } from 'zod';
import type { GgufFacts } from '../../../shared/domain/model';

/**
 * How a local model is loaded and run: what the fit check estimates and what the load passes to
 * node-llama-cpp are the same numbers, derived here once.
 */
export const KV_CACHE_TYPES = ['f16', 'q8_0', 'q4_0'] as const;
export const KvCacheType = z.enum(KV_CACHE_TYPES);
export type KvCacheType = z.infer<typeof KvCacheType>;

/** Bytes per KV element relative to f16 (q8_0 stores 34 bytes per 32 values, q4_0 18). */
export const KV_CACHE_SCALE: Record<KvCacheType, number> = { f16: 1, q8_0: 34 / 64, q4_0: 18 / 64 };

/** Values per quantization block of each KV type (ggml's QK8_0 and QK4_0); f16 is not blocked. */
const KV_BLOCK: Record<KvCacheType, number> = { f16: 1, q8_0: 32, q4_0: 32 };

/**
 * Whether llama.cpp can create a KV cache of `type` for a model whose heads are `headDims` wide: a
 * quantized cache needs widths divisible by its block (tiny models with 8-wide heads cannot have
 * one). Unknown widths (facts recorded before they were read) are not held against a type.
 */
export function kvTypeFits(type: KvCacheType, headDims: GgufFacts['headDims']): boolean {
  if (!headDims) return true;
  return headDims.k % KV_BLOCK[type] === 0 && headDims.v % KV_BLOCK[type] === 0;
}

/** What a user (Settings) or the tuner may choose per model; anything left out is derived. */
export const ModelRuntimeSettings = z.strictObject({
  contextSize: z.number().int().min(256, 'must be at least 256').max(1_048_576, 'must be at most 1048576').optional(),
  kvCacheType: KvCacheType.optional(),
  flashAttention: z.enum(['auto', 'on', 'off']).optional(),
  /** Layers on the GPU: 'max' is every layer and the output layer (llama.cpp counts layers + 1). */
  gpuLayers: z.union([z.literal('max'), z.number().int().min(0).max(1000)]).optional(),
  batchSize: z.number().int().min(16, 'must be at least 16').max(8192, 'must be at most 8192').optional(),
  threads: z.number().int().min(1, 'must be at least 1').max(256, 'must be at most 256').optional(),
  sequences: z.number().int().min(1, 'must be at least 1').max(16, 'must be at most 16').optional(),
});
export type ModelRuntimeSettings = z.infer<typeof ModelRuntimeSettings>;

/** Settings with every value decided. */
export type ResolvedRuntimeSettings = {
  contextSize: number;
  sequences: number;
  /** Count passed to node-llama-cpp (layers + 1 is full offload, output layer included). */
  gpuLayers: number;
  /** What node-llama-cpp is asked for: 'auto' lets it use flash attention where model and backend support it. */
  flashAttention: 'auto' | boolean;
  kvCacheType: KvCacheType;
  batchSize: number;
  threads: number;
  /** Why a requested value was changed, for the user. */
  notes: string[];
};

export type SettingsInput = {
  facts: Pick<GgufFacts, 'layers' | 'contextLength' | 'headDims'>;
  /** Compute backend in use: "metal", "cuda", "vulkan" or "cpu". */
  backend: string;
  /** Threads when nothing says otherwise (performance cores). */
  defaultThreads: number;
  /** Longest context the app allocates unless the user asks for more. */
  maxContextSize: number;
  /** Sequences when nothing says otherwise (the resource manager's choice). */
  defaultSequences: number;
  /** The tuner's best setting for this model on this machine, if any. */
  tuned?: ModelRuntimeSettings | undefined;
  /** The user's per-model choices; they win over the tuner's. */
  user?: ModelRuntimeSettings | undefined;
};

/**
 * Derives the settings a model loads with. On a GPU backend every layer and the output layer are
 * offloaded ('max' = layers + 1: passing the model's layer count would leave the output layer on the
 * CPU); on the CPU none. Flash attention is left to node-llama-cpp's 'auto' unless set; a quantized
 * KV cache needs flash attention, so choosing one turns it on (or, if flash attention was turned
 * off, falls back to f16 with a note), and one the model's head width cannot hold falls back to f16.
 */
export function resolveRuntimeSettings(input: SettingsInput): ResolvedRuntimeSettings {
  const pick = <K extends keyof ModelRuntimeSettings>(key: K): ModelRuntimeSettings[K] => input.user?.[key] ?? input.tuned?.[key];
  const notes: string[] = [];
  const trained = input.facts.contextLength ?? 4096;
  const defaultContext = Math.min(trained, input.maxContextSize);
  // The tuner may not shorten the context the app counts on to gain speed; only the user may.
  let contextSize = input.user?.contextSize ?? Math.max(input.tuned?.contextSize ?? 0, defaultContext);
  if (contextSize > trained) {
    notes.push(`context ${contextSize} is beyond what the model was trained on; using ${trained}`);
    contextSize = trained;
  }
  const fullOffload = input.facts.layers + 1;
  const onGpu = input.backend !== 'cpu';
  const wantedLayers = pick('gpuLayers') ?? 'max';
  const gpuLayers = !onGpu ? 0 : wantedLayers === 'max' ? fullOffload : Math.min(wantedLayers, fullOffload);
  const fa = pick('flashAttention') ?? 'auto';
  let kvCacheType = pick('kvCacheType') ?? 'f16';
  let flashAttention: 'auto' | boolean = fa === 'auto' ? 'auto' : fa === 'on';
  if (kvCacheType !== 'f16' && !kvTypeFits(kvCacheType, input.facts.headDims)) {
    notes.push(`a ${kvCacheType} KV cache needs attention heads a multiple of 32 wide (this model's are ${input.facts.headDims?.k ?? '?'}); using f16`);
    kvCacheType = 'f16';
  }
  if (kvCacheType !== 'f16') {
    if (flashAttention === false) {
      notes.push(`a ${kvCacheType} KV cache needs flash attention, which is off; using f16`);
      kvCacheType = 'f16';
    } else flashAttention = true;
  }
  const batchSize = Math.min(pick('batchSize') ?? 512, contextSize);
  const threads = Math.max(1, pick('threads') ?? input.defaultThreads);
  const sequences = Math.max(1, pick('sequences') ?? input.defaultSequences);
  return { contextSize, sequences, gpuLayers, flashAttention, kvCacheType, batchSize, threads, notes };
}

/** node-llama-cpp's gpuLayers option for a resolved count: 'max' for full offload, else the count. */
export function gpuLayersOption(resolved: Pick<ResolvedRuntimeSettings, 'gpuLayers'>, layers: number): number | 'max' {
  return resolved.gpuLayers >= layers + 1 ? 'max' : resolved.gpuLayers;
}
