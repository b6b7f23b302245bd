import { describe, expect, it } from 'vitest';
import type { TuneRunView, TuneTrialView } from '../../../../../shared/domain/model-tune';
import { applyTuneTrial, countedTrials, toTuneSeries } from './tune-state';

const settings = { batchSize: 512, threads: 1, contextSize: 1024, gpuLayers: 0, flashAttention: 'off', kvCacheType: 'f16' } as const;
const trial = (n: number, tps: number, bestSoFar: number, status: TuneTrialView['status'] = 'counted'): TuneTrialView => ({ n, settings, tps, bestSoFar, status, reason: status === 'counted' ? null : 'why' });
const running: TuneRunView = { model: 'tiny', state: 'running', budget: 4, backend: 'cpu', startedAt: 1, finishedAt: null, error: null, trials: [], defaultTps: null, bestTps: null, gain: null, best: null };

describe('tuning panel state', () => {
  it('applies trial events once each, in order, with the best and the gain over the first', () => {
    let run = applyTuneTrial(running, trial(1, 10, 10));
    run = applyTuneTrial(run, trial(3, 15, 15));
    run = applyTuneTrial(run, trial(2, 30, 10, 'discarded'));
    run = applyTuneTrial(run, trial(3, 15, 15));
    expect(run!.trials.map((t) => t.n)).toEqual([1, 2, 3]);
    expect(run).toMatchObject({ defaultTps: 10, bestTps: 15, gain: 1.5 });
    expect(countedTrials(run!)).toBe(2);
    // A finished (or unknown) run is left for the refetch the finished event causes.
    expect(applyTuneTrial({ ...running, state: 'completed' }, trial(1, 10, 10))!.trials).toEqual([]);
    expect(applyTuneTrial(null, trial(1, 10, 10))).toBeNull();
  });

  it('plots measured trials as points, heat-discarded ones apart, skipped ones not at all', () => {
    const s = toTuneSeries([trial(1, 10.04, 10.04), trial(2, 0, 10.04, 'skipped'), trial(3, 30, 10.04, 'discarded'), trial(4, 12, 12)]);
    expect(s.measured).toEqual([{ n: 1, tps: 10 }, { n: 4, tps: 12 }]);
    expect(s.discarded).toEqual([{ n: 3, tps: 30 }]);
    expect(s.best).toEqual([{ n: 1, best: 10 }, { n: 2, best: 10 }, { n: 4, best: 12 }]);
  });
});
