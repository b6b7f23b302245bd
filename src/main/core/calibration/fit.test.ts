import { describe, expect, it } from 'vitest';
import { JUDGE_IDS } from '../../../shared/domain/governance';
import { reviewWithCalibration } from './apply';
import { accuracy, defaultParams, effectOn, fitCalibration } from './fit';
import { syntheticOutcomes } from './synthetic';

describe('calibration', () => {
  it('learns that an unreliable judge deserves less weight and beats the default weights', () => {
    const reliability = { constitutional: 0.55, technical: 0.9, quality: 0.9, integration: 0.6 };
    const train = syntheticOutcomes({ count: 400, reliability, seed: 1 });
    const test = syntheticOutcomes({ count: 400, reliability, seed: 2 });
    const fitted = fitCalibration(train);
    expect(fitted.weights.technical).toBeGreaterThan(fitted.weights.constitutional);
    expect(accuracy(fitted, test)).toBeGreaterThan(accuracy(defaultParams(), test) + 0.03);
  });

  it('with no outcomes keeps the default', () => {
    expect(fitCalibration([])).toEqual(defaultParams());
  });

  it('reports its effect in counts', () => {
    const reliability = Object.fromEntries(JUDGE_IDS.map((id) => [id, 0.8])) as Record<(typeof JUDGE_IDS)[number], number>;
    const o = syntheticOutcomes({ count: 50, reliability, seed: 3 });
    const e = effectOn(fitCalibration(o), o);
    expect(e.outcomes).toBe(50);
    expect(e.wouldRejectBadAccepts + e.wouldAcceptGoodRejects + e.wouldRejectGoodAccepts).toBeLessThanOrEqual(50);
  });

  it('never overrides a veto or a judge that did not answer, and "suggest" never changes the decision', () => {
    const params = { ...defaultParams(), bias: 50 }; // a calibration that would accept anything
    const votes = JUDGE_IDS.map((id) => ({ judge_id: id, verdict: 'pass', confidence: 1, errored: false }));
    expect(reviewWithCalibration({ mode: 'apply', params, tier: 1, votes, council: 'reject', vetoed: true }).decision).toBe('reject');
    const errored = votes.map((v, i) => (i === 1 ? { ...v, errored: true, verdict: 'fail' } : v));
    expect(reviewWithCalibration({ mode: 'apply', params, tier: 1, votes: errored, council: 'reject', vetoed: false }).decision).toBe('reject');
    expect(reviewWithCalibration({ mode: 'suggest', params, tier: 1, votes, council: 'reject', vetoed: false }).decision).toBe('reject');
    expect(reviewWithCalibration({ mode: 'apply', params, tier: 1, votes, council: 'reject', vetoed: false }).decision).toBe('accept');
  });
});
