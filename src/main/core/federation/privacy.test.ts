import { describe, expect, it } from 'vitest';
import { clipL2, epsilonOfRho, l2Norm, noiseMultiplierFor, privatise, PrivacyAccountant, rhoForEpsilon } from './privacy';

describe('differential privacy', () => {
  it('clips to the bound and leaves shorter vectors alone', () => {
    expect(l2Norm(clipL2([3, 4], 1))).toBeCloseTo(1, 12);
    expect(clipL2([0.3, 0.4], 1)).toEqual([0.3, 0.4]);
  });

  it('converts between ρ and ε both ways', () => {
    for (const eps of [0.1, 1, 4]) expect(epsilonOfRho(rhoForEpsilon(eps, 1e-5), 1e-5)).toBeCloseTo(eps, 9);
  });

  it('adds noise of the stated size', () => {
    const sigma = noiseMultiplierFor(1, 1e-5);
    const draws = Array.from({ length: 4000 }, () => privatise([0], 1, sigma)[0]!);
    const sd = Math.sqrt(draws.reduce((s, x) => s + x * x, 0) / draws.length);
    expect(sd).toBeGreaterThan(sigma * 0.9);
    expect(sd).toBeLessThan(sigma * 1.1);
  });

  it('the accountant stops a member at its budget and starts again next period', () => {
    const acc = new PrivacyAccountant({ periodStart: 0, rhoSpent: 0, rounds: 0 }, { maxEpsilon: 1.3, delta: 1e-5, periodMs: 1000 });
    const sigma = noiseMultiplierFor(1, 1e-5);
    acc.spend(sigma, 10);
    // zCDP composes sublinearly: two rounds of ε=1 come to ε≈1.42 at this δ, over the 1.3 allowed.
    expect(acc.canSpend(sigma, 20)).toBe(false);
    expect(() => acc.spend(sigma, 20)).toThrow(/privacy budget spent/);
    expect(acc.snapshot(20).rounds).toBe(1);
    expect(acc.canSpend(sigma, 1001)).toBe(true);
  });
});
