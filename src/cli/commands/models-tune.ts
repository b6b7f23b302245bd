import { Command } from 'commander';
import { AppFailure } from '../../shared/errors';
import { openDatabase } from '../../main/core/db/open';
import { systemClock } from '../../main/core/journal/journal';
import { measureThroughput, trialMemory } from '../../main/core/models/tuner/measure';
import { searchSpace, type TunedSettings } from '../../main/core/models/tuner/space';
import { machineId, ModelSettingsStore } from '../../main/core/models/tuner/store';
import { tune } from '../../main/core/models/tuner/tune';
import { LlamaRuntime } from '../../main/core/models/providers/llama-runtime';
import { resolveRuntimeSettings } from '../../main/core/models/runtime-settings';
import { silentLogger } from '../../main/core/observability/logger';
import { dataFiles } from '../../main/core/paths';
import { action, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';

type TuneOptions = CommonOptions & { budget?: string; threads?: string };

/** `agent-agency models tune <model> [--budget N] [--json]`. */
export function tuneCommand(): Command {
  return withCommonOptions(new Command('tune'))
    .description('search the inference settings (batch, threads, context, GPU layers, flash attention, KV cache) for the fastest on this machine, and use the best on the next load')
    .argument('<model>', 'registry name of a local GGUF model')
    .option('--budget <n>', 'trials to measure, the default setting included (2 to 100)', '12')
    .action(action(tuneModel));
}

async function tuneModel(ctx: CommandContext, name: string): Promise<ExitCode> {
  const opts = ctx.options as TuneOptions;
  const budget = Number(opts.budget ?? 12);
  if (!Number.isInteger(budget) || budget < 2 || budget > 100) {
    return ctx.fail(new AppFailure('invalid_input', `--budget: must be a whole number from 2 to 100, got ${JSON.stringify(opts.budget)}`).toError(), { budget: '--budget' });
  }
  return withClient(ctx, async (client) => {
    const snapshot = await client.call('modelsSnapshot', {});
    if (!snapshot.ok) return ctx.fail(snapshot.error);
    const view = snapshot.value.models.find((m) => m.entry.name === name);
    if (!view) return ctx.fail(new AppFailure('not_found', `model: no model named ${name}; see "agent-agency models list"`).toError());
    const entry = view.entry;
    if (entry.kind !== 'gguf') return ctx.fail(new AppFailure('invalid_input', `model: ${name} is a remote endpoint; only local models are tuned`).toError());
    const runtime = new LlamaRuntime({ logger: silentLogger() });
    const db = openDatabase({ file: dataFiles(ctx.dataDir).database, logger: silentLogger() });
    try {
      const backend = await runtime.gpuName();
      const cores = await runtime.mathCores();
      const onGpu = backend !== 'cpu';
      const resolved = resolveRuntimeSettings({
        facts: entry.facts,
        backend,
        defaultThreads: cores,
        maxContextSize: 8192,
        defaultSequences: 1,
      });
      const defaults: TunedSettings = {
        batchSize: resolved.batchSize,
        threads: resolved.threads,
        contextSize: resolved.contextSize,
        gpuLayers: resolved.gpuLayers,
        flashAttention: resolved.flashAttention === true ? 'on' : 'off',
        kvCacheType: resolved.kvCacheType,
      };
      const space = searchSpace({ cores, layers: entry.facts.layers, gpu: onGpu, minContext: 512, maxContext: entry.facts.contextLength ?? 4096 });
      const level = async () => {
        if (!client.has('getSchedulerState')) return 'nominal' as const;
        const s = await client.call('getSchedulerState', {});
        return s.ok ? s.value.level : ('nominal' as const);
      };
      let current = await level();
      const result = await tune({
        space,
        defaults,
        budget,
        memoryNeeded: (s) => trialMemory(entry.sizeBytes, entry.facts, s),
        memoryBudget: snapshot.value.machine.budgetBytes,
        pressure: () => current,
        confirmRounds: 2,
        measure: async (s) => {
          current = await level();
          const m = await measureThroughput({ runtime, clock: systemClock, path: entry.path, layers: entry.facts.layers, settings: s });
          current = await level();
          return m;
        },
        onTrial: (t) => {
          if (!ctx.json) ctx.io.err(`trial ${String(t.index + 1).padStart(2)}  ${t.tps.toFixed(1).padStart(8)} tok/s  best ${t.bestSoFar.toFixed(1).padStart(8)}  ${describe(t.settings)}${t.skipped ? `  (${t.skipped})` : ''}\n`);
        },
      });
      new ModelSettingsStore(db, () => Date.now()).saveTuned(name, machineId(backend), result);
      ctx.print({ model: name, backend, ...result }, () =>
        [
          `Tuned ${name} on ${backend} over ${result.trials.length} trials (${result.discarded} discarded for heat).`,
          `default ${result.default_tps.toFixed(1)} tok/s -> best ${result.best_tps.toFixed(1)} tok/s (${result.gain.toFixed(2)}x)`,
          `best: ${describe(result.best)}`,
          'The next load of this model uses it.',
        ].join('\n'),
      );
      return EXIT.ok;
    } finally {
      db.close();
      await runtime.dispose();
    }
  });
}

function describe(s: TunedSettings): string {
  return `batch ${s.batchSize}, threads ${s.threads}, context ${s.contextSize}, gpu layers ${s.gpuLayers}, flash attention ${s.flashAttention}, kv ${s.kvCacheType}`;
}
