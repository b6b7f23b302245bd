import type { ModelEntry } from '../../../../shared/domain/model';
import type { TuneTrialView } from '../../../../shared/domain/model-tune';
import type { PressureLevel } from '../../../../shared/domain/scheduler';
import type { Clock } from '../../journal/journal';
import type { LlamaRuntime } from '../providers/llama-runtime';
import { resolveRuntimeSettings } from '../runtime-settings';
import { measureThroughput, trialMemory } from './measure';
import { searchSpace, type TunedSettings } from './space';
import { machineId, type ModelSettingsStore } from './store';
import { tune, type TuneResult } from './tune';

export type GgufEntry = Extract<ModelEntry, { kind: 'gguf' }>;

export type TuneJobInput = {
  entry: GgufEntry;
  runtime: LlamaRuntime;
  clock: Clock;
  /** Trials that count, the defaults included. */
  budget: number;
  /**
   * Bytes a trial may load (the fit check's budget less what loaded models hold), or a reading of it
   * taken before each trial: no trial is loaded over it.
   */
  memoryBudget: number | (() => number | Promise<number>);
  /** The scheduler's pressure level now (the command line asks a running app, the app its own scheduler). */
  pressure: () => Promise<PressureLevel> | PressureLevel;
  store: ModelSettingsStore;
  /**
   * The backend the best is stored under (the host looks tuned settings up by the backend its memory
   * probe reports); the runtime's own backend unless said.
   */
  storeBackend?: string;
  /**
   * Held around each measurement: the app takes a background inference slot from the scheduler, so a
   * trial waits while the machine is busy or hot instead of measuring the contention. None in the CLI.
   */
  slot?: (signal: AbortSignal | undefined) => Promise<{ release(): void }>;
  /** Alternating re-measurements of the defaults and the best after the search (default 2). */
  confirmRounds?: number;
  signal?: AbortSignal;
  /** Once the runtime has answered, before the first trial. */
  onStart?: (info: { backend: string; defaults: TunedSettings }) => void;
  /** Each trial as it finishes, and each measurement discarded for heat. */
  onTrial?: (trial: TuneTrialView) => void;
};

export type TuneJobResult = TuneResult & { backend: string };

/**
 * One tuning run of a local GGUF model, shared by `agent-agency models tune` and the Models page:
 * the defaults this machine would load the model with, the search space its cores and GPU allow,
 * the search (tune.ts) measuring each setting with the fixed workload, and the best stored for this
 * model and machine, so the next load uses it. Nothing is stored when the run fails or is cancelled.
 */
export async function runTuneJob(input: TuneJobInput): Promise<TuneJobResult> {
  const { entry, runtime } = input;
  const backend = await runtime.gpuName();
  // The runtime's thread cap (Settings' threads in the app) bounds the threads searched.
  const cores = Math.max(1, Math.min(await runtime.mathCores(), runtime.threads));
  const resolved = resolveRuntimeSettings({ facts: entry.facts, backend, defaultThreads: cores, maxContextSize: 8192, defaultSequences: 1 });
  const defaults: TunedSettings = {
    batchSize: resolved.batchSize,
    threads: Math.min(resolved.threads, cores),
    contextSize: resolved.contextSize,
    gpuLayers: resolved.gpuLayers,
    flashAttention: resolved.flashAttention === true ? 'on' : 'off',
    kvCacheType: resolved.kvCacheType,
  };
  const space = searchSpace({ cores, layers: entry.facts.layers, gpu: backend !== 'cpu', minContext: 512, maxContext: entry.facts.contextLength ?? 4096, headDims: entry.facts.headDims });
  input.onStart?.({ backend, defaults });
  // tune() reads the level synchronously before and after each measurement; it is refreshed around it.
  let current = await input.pressure();
  let n = 0;
  let best = 0;
  const result = await tune({
    space,
    defaults,
    budget: input.budget,
    memoryNeeded: (s) => trialMemory(entry.sizeBytes, entry.facts, s),
    memoryBudget: input.memoryBudget,
    pressure: () => current,
    confirmRounds: input.confirmRounds ?? 2,
    ...(input.signal ? { signal: input.signal } : {}),
    measure: async (s, signal) => {
      const slot = await input.slot?.(signal);
      try {
        const startedAt = await input.pressure();
        const m = await measureThroughput({ runtime, clock: input.clock, path: entry.path, layers: entry.facts.layers, settings: s, ...(signal ? { signal } : {}) });
        current = await input.pressure();
        // A measurement that began hot is discarded too (tune() reads the level only around the call).
        return { tps: m.tps, pressure: hotter(startedAt, current) };
      } finally {
        slot?.release();
      }
    },
    onTrial: (t) => {
      best = t.bestSoFar;
      input.onTrial?.({ n: ++n, settings: t.settings, tps: t.tps, bestSoFar: t.bestSoFar, status: t.skipped ? 'skipped' : 'counted', reason: t.skipped ?? null });
    },
    onDiscard: (d) => input.onTrial?.({ n: ++n, settings: d.settings, tps: d.tps, bestSoFar: best, status: 'discarded', reason: d.reason }),
  });
  input.store.saveTuned(entry.name, machineId(input.storeBackend ?? backend), result);
  return { ...result, backend };
}

const ORDER: readonly PressureLevel[] = ['nominal', 'fair', 'serious', 'critical'];
const hotter = (a: PressureLevel, b: PressureLevel): PressureLevel => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

/** A setting in words, for the command line. */
export function describeSettings(s: TunedSettings): string {
  return `batch ${s.batchSize}, threads ${s.threads}, context ${s.contextSize}, gpu layers ${s.gpuLayers}, flash attention ${s.flashAttention}, kv ${s.kvCacheType}`;
}

