/**
 * A small Gaussian-process optimiser for the runtime tuner (see docs/adr on the tuner): points live
 * in the unit cube [0,1]^d, the kernel is a squared exponential with one length scale, observations
 * are standardised, and the next point is the candidate (random, plus perturbations of the best so
 * far) with the largest expected improvement. A few dozen trials at most, so the O(n^3) Cholesky
 * solve is nothing beside one trial (loading a model and generating).
 */

export type Random = () => number;

export type GpOptions = {
  /** Kernel length scale in the unit cube. Default 0.2. */
  lengthScale?: number;
  /** Observation noise variance relative to the signal (throughput measurements are noisy). Default 0.05. */
  noise?: number;
  /** Candidates scored per suggestion. Default 512. */
  candidates?: number;
};

export class GaussianProcess {
  private readonly xs: number[][] = [];
  private readonly ys: number[] = [];
  private readonly lengthScale: number;
  private readonly noise: number;
  private mean = 0;
  private scale = 1;
  private chol: number[][] = [];
  private alpha: number[] = [];

  constructor(options: GpOptions = {}) {
    this.lengthScale = options.lengthScale ?? 0.2;
    this.noise = options.noise ?? 0.05;
  }

  get size(): number {
    return this.ys.length;
  }

  add(x: number[], y: number): void {
    this.xs.push(x);
    this.ys.push(y);
    this.fit();
  }

  /** Posterior mean and standard deviation at x, in the observations' units. */
  predict(x: number[]): { mean: number; sd: number } {
    if (this.ys.length === 0) return { mean: 0, sd: 1 };
    const k = this.xs.map((xi) => this.kernel(xi, x));
    const mu = k.reduce((s, ki, i) => s + ki * this.alpha[i]!, 0);
    const v = forwardSolve(this.chol, k);
    const variance = Math.max(1e-12, 1 + this.noise - v.reduce((s, vi) => s + vi * vi, 0));
    return { mean: this.mean + this.scale * mu, sd: this.scale * Math.sqrt(variance) };
  }

  /** Expected improvement over `best` (maximisation). */
  expectedImprovement(x: number[], best: number): number {
    const { mean, sd } = this.predict(x);
    if (sd <= 1e-12) return Math.max(0, mean - best);
    const z = (mean - best) / sd;
    return (mean - best) * normalCdf(z) + sd * normalPdf(z);
  }

  private kernel(a: number[], b: number[]): number {
    let d2 = 0;
    for (let i = 0; i < a.length; i++) d2 += (a[i]! - b[i]!) ** 2;
    return Math.exp(-d2 / (2 * this.lengthScale ** 2));
  }

  private fit(): void {
    const n = this.ys.length;
    this.mean = this.ys.reduce((s, y) => s + y, 0) / n;
    const sd = Math.sqrt(this.ys.reduce((s, y) => s + (y - this.mean) ** 2, 0) / n);
    this.scale = sd > 1e-12 ? sd : 1;
    const z = this.ys.map((y) => (y - this.mean) / this.scale);
    const K = this.xs.map((a, i) => this.xs.map((b, j) => this.kernel(a, b) + (i === j ? this.noise : 0)));
    this.chol = cholesky(K);
    this.alpha = backSolve(this.chol, forwardSolve(this.chol, z));
  }
}

/**
 * Suggests the next point to try: the candidate with the largest expected improvement. Candidates
 * are uniform random points and Gaussian perturbations of the best point so far.
 */
export function suggestNext(
  gp: GaussianProcess,
  dims: number,
  best: { x: number[]; y: number } | undefined,
  random: Random,
  candidates = 512,
  /** Candidates to skip (for a discrete space: settings already measured). */
  accept: (x: number[]) => boolean = () => true,
): number[] {
  if (!best || gp.size === 0) return Array.from({ length: dims }, () => random());
  let top: number[] = [];
  let topScore = -Infinity;
  for (let c = 0; c < candidates; c++) {
    const x =
      c % 2 === 0
        ? Array.from({ length: dims }, () => random())
        : best.x.map((v) => clamp01(v + 0.15 * gaussian(random)));
    if (!accept(x)) continue;
    const score = gp.expectedImprovement(x, best.y);
    if (score > topScore) {
      top = x;
      topScore = score;
    }
  }
  return top.length > 0 ? top : Array.from({ length: dims }, () => random());
}

/** A seeded generator (mulberry32), so searches and their tests are reproducible. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cholesky(a: number[][]): number[][] {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j]![j]!;
    }
  }
  return l;
}

/** Solves L y = b for lower-triangular L. */
function forwardSolve(l: number[][], b: number[]): number[] {
  const y: number[] = [];
  for (let i = 0; i < b.length; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i]![k]! * y[k]!;
    y.push(sum / l[i]![i]!);
  }
  return y;
}

/** Solves L^T x = y. */
function backSolve(l: number[][], y: number[]): number[] {
  const n = y.length;
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k]![i]! * x[k]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}

function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Abramowitz–Stegun 7.1.26 via erf; accurate to ~1e-7, plenty for ranking candidates. */
function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function gaussian(random: Random): number {
  const u = Math.max(1e-12, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
