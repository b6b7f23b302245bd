import { describe, expect, it } from 'vitest';
import { GaussianProcess, seededRandom, suggestNext } from './gp';

/** A bumpy function with its maximum 1.0 at (0.7, 0.2). */
const f = ([a, b]: number[]) => Math.exp(-((a! - 0.7) ** 2 + (b! - 0.2) ** 2) / 0.02) + 0.3 * Math.exp(-((a! - 0.2) ** 2 + (b! - 0.8) ** 2) / 0.05);

function search(useGp: boolean, seed: number, budget: number): number {
  const random = seededRandom(seed);
  const gp = new GaussianProcess();
  let best: { x: number[]; y: number } | undefined;
  for (let i = 0; i < budget; i++) {
    const x = useGp && i >= 4 ? suggestNext(gp, 2, best, random) : [random(), random()];
    const y = f(x);
    gp.add(x, y);
    if (!best || y > best.y) best = { x, y };
  }
  return best!.y;
}

describe('Gaussian-process optimiser', () => {
  it('interpolates what it has seen and is unsure far from it', () => {
    const gp = new GaussianProcess({ noise: 1e-6 });
    gp.add([0.2], 1);
    gp.add([0.8], 3);
    expect(gp.predict([0.2]).mean).toBeCloseTo(1, 2);
    expect(gp.predict([0.8]).mean).toBeCloseTo(3, 2);
    expect(gp.predict([0.2]).sd).toBeLessThan(gp.predict([0.5]).sd);
  });

  it('expected improvement prefers promising and uncertain points over known poor ones', () => {
    const gp = new GaussianProcess({ noise: 1e-6 });
    gp.add([0.1], 0);
    gp.add([0.5], 1);
    expect(gp.expectedImprovement([0.1], 1)).toBeLessThan(gp.expectedImprovement([0.9], 1));
  });

  it('finds a better optimum than random search with the same budget, on most seeds', () => {
    let wins = 0;
    let gpTotal = 0;
    let randomTotal = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const withGp = search(true, seed, 20);
      const random = search(false, seed, 20);
      gpTotal += withGp;
      randomTotal += random;
      if (withGp >= random) wins++;
    }
    // The narrow global peak is missed now and then (a local one holds it); on average it wins clearly.
    expect(wins).toBeGreaterThanOrEqual(5);
    expect(gpTotal / 8).toBeGreaterThan(randomTotal / 8 + 0.1);
  });

  it('is reproducible from its seed', () => {
    expect(search(true, 3, 12)).toBe(search(true, 3, 12));
  });
});
