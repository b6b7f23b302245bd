import { Command } from 'commander';
import type { TuneRunView, TuneTrialView } from '../../shared/domain/model-tune';
import { TUNE_BUDGET } from '../../shared/domain/model-tune';
import { AppFailure } from '../../shared/errors';
import { describeSettings } from '../../main/core/models/tuner/job';
import { action, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import type { AgencyClient } from '../client/types';

type TuneOptions = CommonOptions & { budget?: string };

/** How often the run is read while it goes (a trial takes seconds). */
const POLL_MS = 250;

/** `agent-agency models tune <model> [--budget N] [--json]`. */
export function tuneCommand(): Command {
  return withCommonOptions(new Command('tune'))
    .description('search the inference settings (batch, threads, context, GPU layers, flash attention, KV cache) for the fastest on this machine, and use the best on the next load')
    .argument('<model>', 'registry name of a local GGUF model')
    .option('--budget <n>', `trials to measure, the default setting included (${TUNE_BUDGET.min} to ${TUNE_BUDGET.max})`, String(TUNE_BUDGET.default))
    .action(action(tuneModel));
}

/**
 * Runs the app's own tuner (the one the Models page's Tune starts): in a running instance when one
 * answers, so its rule of one run at a time, its memory accounting (trials fit beside the models it
 * has loaded) and its scheduler apply; otherwise in a core opened in this process. Prints each trial
 * as it finishes; Ctrl-C cancels the run (nothing is stored).
 */
async function tuneModel(ctx: CommandContext, name: string): Promise<ExitCode> {
  const opts = ctx.options as TuneOptions;
  const budget = Number(opts.budget ?? TUNE_BUDGET.default);
  if (!Number.isInteger(budget) || budget < TUNE_BUDGET.min || budget > TUNE_BUDGET.max) {
    return ctx.fail(new AppFailure('invalid_input', `--budget: must be a whole number from ${TUNE_BUDGET.min} to ${TUNE_BUDGET.max}, got ${JSON.stringify(opts.budget)}`).toError(), { budget: '--budget' });
  }
  return withClient(ctx, async (client) => {
    const started = await client.call('startModelTune', { name, budget });
    if (!started.ok) return ctx.fail(started.error);
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
      void client.call('cancelModelTune', { name });
    };
    process.once('SIGINT', onSigint);
    try {
      const run = await follow(client, name, started.value, (t) => {
        if (!ctx.json) ctx.io.err(`${describeTrial(t)}\n`);
      });
      if (!run.ok) return ctx.fail(run.error);
      const r = run.value;
      if (r.state !== 'completed') {
        const why = interrupted || r.state === 'cancelled' ? 'the run was cancelled; nothing was stored' : `tuning failed: ${r.error ?? 'no reason given'}`;
        return ctx.fail(new AppFailure(r.state === 'cancelled' ? 'cancelled' : 'unavailable', `${name}: ${why}`).toError());
      }
      const result = resultOf(r);
      ctx.print(result, () =>
        [
          `Tuned ${name} on ${r.backend ?? 'an unknown backend'} over ${result.trials.length} trials (${result.discarded} discarded for heat).`,
          `default ${result.default_tps.toFixed(1)} tok/s -> best ${result.best_tps.toFixed(1)} tok/s (${result.gain.toFixed(2)}x)`,
          `best: ${result.best ? describeSettings(result.best) : '(none)'}`,
          'The next load of this model uses it.',
        ].join('\n'),
      );
      return EXIT.ok;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  });
}

/** Reads the run until it ends, handing each new trial to `onTrial` once. */
async function follow(client: AgencyClient, name: string, first: TuneRunView, onTrial: (t: TuneTrialView) => void) {
  let shown = 0;
  let run = first;
  for (;;) {
    for (const t of run.trials.slice(shown)) onTrial(t);
    shown = run.trials.length;
    if (run.state !== 'running') return { ok: true as const, value: run };
    await new Promise((r) => setTimeout(r, POLL_MS));
    const next = await client.call('getModelTune', { name });
    if (!next.ok) return next;
    if (!next.value) return { ok: false as const, error: new AppFailure('unavailable', `${name}: the tuning run disappeared`).toError() };
    // Another run of the same model started meanwhile (someone else's): ours has ended.
    if (next.value.startedAt !== first.startedAt) return { ok: true as const, value: { ...run, state: 'failed' as const, error: 'another tuning run of this model replaced it' } };
    run = next.value;
  }
}

/** The command's JSON: the figures the issue names (`default_tps`, `best_tps`, `gain`, `best`, `trials`). */
function resultOf(r: TuneRunView) {
  return {
    model: r.model,
    backend: r.backend,
    default_tps: r.defaultTps ?? 0,
    best_tps: r.bestTps ?? 0,
    gain: r.gain ?? 0,
    best: r.best,
    trials: r.trials.filter((t) => t.status !== 'discarded'),
    discarded: r.trials.filter((t) => t.status === 'discarded').length,
  };
}

function describeTrial(t: TuneTrialView): string {
  const note = t.reason ? `  (${t.status === 'discarded' ? 'discarded: ' : ''}${t.reason})` : '';
  return `trial ${String(t.n).padStart(2)}  ${t.tps.toFixed(1).padStart(8)} tok/s  best ${t.bestSoFar.toFixed(1).padStart(8)}  ${describeSettings(t.settings)}${note}`;
}
