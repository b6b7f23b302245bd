import type { FitReport, FitVerdict, GgufFacts } from '../../../shared/domain/model';
import { KV_CACHE_SCALE, type KvCacheType } from './runtime-settings';

/** What the machine has, as the fit check sees it. */
export type MachineSnapshot = {
  totalBytes: number;
  /** Memory the OS could hand out now (free plus reclaimable caches). */
  availableBytes: number;
  /** Compute backend: "metal", "cpu", ... */
  gpu: string;
};

export type FitPolicy = {
  /** Share of total memory models may use together; the rest is for the OS, the app and builds. */
  budgetShare: number;
  /** Always left to the rest of the machine, however large it is. */
  reserveBytes: number;
  /** Above this share of the budget a model gets the "tight" badge. */
  tightShare: number;
};

export const DEFAULT_FIT_POLICY: FitPolicy = { budgetShare: 0.75, reserveBytes: 2 * 1024 ** 3, tightShare: 0.85 };

export type MemoryEstimate = {
  weightsBytes: number;
  contextBytes: number;
  overheadBytes: number;
  neededBytes: number;
};

const MIB = 1024 ** 2;

/**
 * Memory to hold a model at a context size: the weights (the file's tensor data, mapped in full), the
 * KV cache (f16 keys and values for every layer and context token of every sequence) and compute
 * buffers, which llama.cpp sizes with the batch and vocabulary — approximated here as a floor plus a
 * share of the rest, which errs on the large side for small models.
 */
export function estimateMemory(input: { sizeBytes: number; facts: GgufFacts; contextSize: number; sequences?: number; kvCacheType?: KvCacheType }): MemoryEstimate {
  const weightsBytes = input.sizeBytes;
  const kvScale = KV_CACHE_SCALE[input.kvCacheType ?? 'f16'];
  const contextBytes = Math.round(input.facts.kvBytesPerToken * kvScale * input.contextSize * (input.sequences ?? 1));
  const logitsBytes = input.facts.vocabularySize * 4 * 512;
  const overheadBytes = Math.round(64 * MIB + logitsBytes + 0.05 * (weightsBytes + contextBytes));
  return { weightsBytes, contextBytes, overheadBytes, neededBytes: weightsBytes + contextBytes + overheadBytes };
}

/** What the model service allows itself on this machine. */
export function memoryBudget(machine: MachineSnapshot, policy: FitPolicy = DEFAULT_FIT_POLICY): number {
  return Math.max(0, Math.min(machine.totalBytes * policy.budgetShare, machine.totalBytes - policy.reserveBytes));
}

export function verdictFor(neededBytes: number, budgetBytes: number, policy: FitPolicy = DEFAULT_FIT_POLICY): FitVerdict {
  if (neededBytes > budgetBytes) return 'too_large';
  if (neededBytes > budgetBytes * policy.tightShare) return 'tight';
  return 'fits';
}

export type Alternative = { name: string; neededBytes: number };

/**
 * Compares a model's estimate with the budget and explains the result in words a user can act on:
 * why it does not fit, the longest context that would, and smaller models that would.
 */
export function checkFit(input: {
  name: string;
  sizeBytes: number;
  facts: GgufFacts;
  contextSize: number;
  sequences?: number;
  kvCacheType?: KvCacheType;
  /** GPU layers the load will use (default: all of them and the output layer on a GPU backend). */
  gpuLayers?: number;
  machine: MachineSnapshot;
  policy?: FitPolicy;
  /** Other models the user could pick instead (installed or in the catalogue). */
  alternatives?: readonly Alternative[];
}): FitReport {
  const policy = input.policy ?? DEFAULT_FIT_POLICY;
  const estimate = estimateMemory(input);
  const budgetBytes = memoryBudget(input.machine, policy);
  const verdict = verdictFor(estimate.neededBytes, budgetBytes, policy);
  // The same count the load passes: every layer plus the output layer (node-llama-cpp counts it).
  const gpuLayers = input.gpuLayers ?? (input.machine.gpu === 'cpu' ? 0 : input.facts.layers + 1);
  const breakdown = `weights ${gb(estimate.weightsBytes)} + context ${gb(estimate.contextBytes)} at ${input.contextSize} tokens + overhead ${gb(estimate.overheadBytes)}`;
  let message: string;
  if (verdict === 'too_large') {
    const suggestions: string[] = [];
    const maxContext = longestContextThatFits(input.sizeBytes, input.facts, budgetBytes, input.sequences ?? 1);
    if (maxContext >= 512) suggestions.push(`a context of ${maxContext} tokens instead of ${input.contextSize}`);
    const smaller = (input.alternatives ?? [])
      .filter((a) => a.name !== input.name && a.neededBytes <= budgetBytes)
      .sort((a, b) => b.neededBytes - a.neededBytes)
      .slice(0, 3)
      .map((a) => `${a.name} (${gb(a.neededBytes)})`);
    if (smaller.length > 0) suggestions.push(`a smaller model: ${smaller.join(', ')}`);
    message =
      `${input.name} needs about ${gb(estimate.neededBytes)} (${breakdown}) but this machine allows ` +
      `${gb(budgetBytes)} for models (${gb(input.machine.totalBytes)} total). ` +
      (suggestions.length > 0 ? `What would fit: ${suggestions.join('; or ')}.` : 'Nothing smaller is installed or in the catalogue.');
  } else {
    message = `${input.name} needs about ${gb(estimate.neededBytes)} (${breakdown}) of the ${gb(budgetBytes)} allowed for models${verdict === 'tight' ? '; little room is left for anything else' : ''}.`;
  }
  return { verdict, ...estimate, budgetBytes, contextSize: input.contextSize, gpuLayers, message };
}

/** The longest context (a multiple of 256) whose estimate stays within the budget; 0 when none does. */
export function longestContextThatFits(sizeBytes: number, facts: GgufFacts, budgetBytes: number, sequences = 1): number {
  if (facts.kvBytesPerToken <= 0) return 0;
  let lo = 0;
  let hi = Math.floor((facts.contextLength ?? 131_072) / 256);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const { neededBytes } = estimateMemory({ sizeBytes, facts, contextSize: mid * 256, sequences });
    if (neededBytes <= budgetBytes) lo = mid;
    else hi = mid - 1;
  }
  return lo * 256;
}

export function gb(bytes: number): string {
  if (bytes < 1024 ** 3) return `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}
