/**
 * The runtime tuner on a GGUF file, without the registry: the same search `agent-agency models tune`
 * runs (defaults first, then Gaussian-process expected improvement over batch, threads, context,
 * GPU layers, flash attention and KV-cache type), printing the tuned/default throughput ratio.
 * Usage: npm run bench:tune [-- --json] [-- --model <path.gguf>] [-- --budget N] [-- --gpu off|auto|metal|cuda|vulkan]
 */
import { statSync } from 'node:fs';
import { readModelFacts } from '../src/main/core/models/gguf/read-model-file';
import { systemClock } from '../src/main/core/journal/journal';
import { LlamaRuntime } from '../src/main/core/models/providers/llama-runtime';
import { resolveRuntimeSettings } from '../src/main/core/models/runtime-settings';
import { ensureTestModel } from '../src/main/core/models/testing/test-model';
import { measureThroughput, trialMemory } from '../src/main/core/models/tuner/measure';
import { searchSpace, type TunedSettings } from '../src/main/core/models/tuner/space';
import { tune } from '../src/main/core/models/tuner/tune';
import { silentLogger } from '../src/main/core/observability/logger';
import { gpuArg } from './gpu-arg';

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export default async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const path = arg(args, '--model') ?? (await ensureTestModel());
  const budget = Number(arg(args, '--budget') ?? 10);
  const facts = await readModelFacts(path);
  const gpu = gpuArg(args);
  const runtime = new LlamaRuntime({ logger: silentLogger(), gpu: gpu.gpu });
  try {
    const backend = await runtime.gpuName();
    const cores = await runtime.mathCores();
    const r = resolveRuntimeSettings({ facts, backend, defaultThreads: cores, maxContextSize: 8192, defaultSequences: 1 });
    const defaults: TunedSettings = {
      batchSize: r.batchSize,
      threads: r.threads,
      contextSize: r.contextSize,
      gpuLayers: r.gpuLayers,
      flashAttention: r.flashAttention === true ? 'on' : 'off',
      kvCacheType: r.kvCacheType,
    };
    const result = await tune({
      space: searchSpace({ cores, layers: facts.layers, gpu: backend !== 'cpu', minContext: 512, maxContext: facts.contextLength ?? 4096, headDims: facts.headDims }),
      defaults,
      budget,
      memoryNeeded: (s) => trialMemory(statSync(path).size, facts, s),
      memoryBudget: 4 * 1024 ** 3,
      pressure: () => 'nominal',
      measure: (s) => measureThroughput({ runtime, clock: systemClock, path, layers: facts.layers, settings: s }),
      confirmRounds: Number(arg(args, '--confirm') ?? 2),
      onTrial: (t) => {
        if (!json) console.log(`trial ${String(t.index + 1).padStart(2)} ${t.tps.toFixed(0).padStart(7)} tok/s  best ${t.bestSoFar.toFixed(0).padStart(7)}  ${JSON.stringify(t.settings)}${t.skipped ? ` (${t.skipped})` : ''}`);
      },
    });
    if (json) process.stdout.write(`${JSON.stringify({ model: path, backend, default_tps: result.default_tps, best_tps: result.best_tps, gain: result.gain, best: result.best, trials: result.trials.length, discarded: result.discarded })}\n`);
    else console.log(`\n${path} on ${backend}: default ${result.default_tps.toFixed(0)} tok/s, best ${result.best_tps.toFixed(0)} tok/s, tuned/default ${result.gain.toFixed(2)}x over ${result.trials.length} trials (default and best re-measured alternately; medians)`);
  } finally {
    await runtime.dispose();
  }
}
