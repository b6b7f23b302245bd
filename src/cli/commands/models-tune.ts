import { Command } from 'commander';
import { AppFailure } from '../../shared/errors';
import { openDatabase } from '../../main/core/db/open';
import { systemClock } from '../../main/core/journal/journal';
import { describeSettings, runTuneJob } from '../../main/core/models/tuner/job';
import { ModelSettingsStore } from '../../main/core/models/tuner/store';
import { LlamaRuntime } from '../../main/core/models/providers/llama-runtime';
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
      // The same run the Models page's Tune starts (tuner/job.ts), measured in this process.
      const result = await runTuneJob({
        entry,
        runtime,
        clock: systemClock,
        budget,
        memoryBudget: snapshot.value.machine.budgetBytes,
        pressure: async () => {
          if (!client.has('getSchedulerState')) return 'nominal';
          const s = await client.call('getSchedulerState', {});
          return s.ok ? s.value.level : 'nominal';
        },
        store: new ModelSettingsStore(db, () => Date.now()),
        onTrial: (t) => {
          if (!ctx.json) ctx.io.err(`trial ${String(t.n).padStart(2)}  ${t.tps.toFixed(1).padStart(8)} tok/s  best ${t.bestSoFar.toFixed(1).padStart(8)}  ${describeSettings(t.settings)}${t.reason ? `  (${t.status === 'discarded' ? 'discarded: ' : ''}${t.reason})` : ''}\n`);
        },
      });
      const { backend } = result;
      ctx.print({ model: name, ...result }, () =>
        [
          `Tuned ${name} on ${backend} over ${result.trials.length} trials (${result.discarded} discarded for heat).`,
          `default ${result.default_tps.toFixed(1)} tok/s -> best ${result.best_tps.toFixed(1)} tok/s (${result.gain.toFixed(2)}x)`,
          `best: ${describeSettings(result.best)}`,
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
