import type { TuneRunView, TuneTrialView } from '../../../../../shared/domain/model-tune';

/* The tuning panel's state as pure functions (the page applies events with them; tested without a browser). */

/**
 * A `model.tune_trial` event applied to the cached run, so the chart moves without a round trip.
 * A trial already there (the run was read after it) is not added twice; a run not known to be
 * running is left alone (the started event refetches it).
 */
export function applyTuneTrial(run: TuneRunView | null | undefined, trial: TuneTrialView): TuneRunView | null | undefined {
  if (!run || run.state !== 'running' || run.trials.some((t) => t.n === trial.n)) return run;
  const next: TuneRunView = { ...run, trials: [...run.trials, trial].sort((a, b) => a.n - b.n) };
  if (trial.status !== 'discarded') {
    const defaultTps = run.defaultTps ?? trial.tps;
    next.defaultTps = defaultTps;
    next.bestTps = trial.bestSoFar;
    next.gain = defaultTps > 0 ? trial.bestSoFar / defaultTps : null;
  }
  return next;
}

/** Counted trials (the budget's), as the progress line counts them. */
export const countedTrials = (run: TuneRunView): number => run.trials.filter((t) => t.status !== 'discarded').length;

const round = (v: number) => Math.round(v * 10) / 10;

/**
 * Chart series: the best so far at each counted trial (a line), the measured throughput of each
 * counted trial and of each trial discarded for heat (points). A skipped trial (over the memory
 * budget, or refused by the backend) was never measured, so it has no point.
 */
export function toTuneSeries(trials: readonly TuneTrialView[]) {
  return {
    best: trials.filter((t) => t.status !== 'discarded').map((t) => ({ n: t.n, best: round(t.bestSoFar) })),
    measured: trials.filter((t) => t.status === 'counted').map((t) => ({ n: t.n, tps: round(t.tps) })),
    discarded: trials.filter((t) => t.status === 'discarded').map((t) => ({ n: t.n, tps: round(t.tps) })),
  };
}
