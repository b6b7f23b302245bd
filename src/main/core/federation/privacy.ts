import { randomBytes } from 'node:crypto';

/**
 * Differential privacy for one member's update: L2 clipping and the Gaussian mechanism, accounted
 * in zero-concentrated DP (Bun & Steinke 2016). A Gaussian mechanism with L2 sensitivity Δ and noise
 * standard deviation σ·Δ is ρ-zCDP with ρ = 1 / (2σ²); ρ adds up over rounds; and ρ-zCDP implies
 * (ε, δ)-DP with ε = ρ + 2·sqrt(ρ·ln(1/δ)). The unit protected is a member's whole contribution to a
 * round (member-level DP), with Δ = the clip norm.
 */

export function l2Norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

/** Scales the vector down to at most `bound` in L2 norm; shorter vectors pass unchanged. */
export function clipL2(v: readonly number[], bound: number): number[] {
  const n = l2Norm(v);
  return n <= bound || n === 0 ? [...v] : v.map((x) => (x * bound) / n);
}

/** A standard normal draw from the OS's CSPRNG (Box–Muller), so noise cannot be predicted. */
export function gaussian(random: () => number = cryptoUniform): number {
  let u = 0;
  while (u === 0) u = random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function cryptoUniform(): number {
  return randomBytes(6).readUIntBE(0, 6) / 2 ** 48;
}

export function epsilonOfRho(rho: number, delta: number): number {
  if (rho <= 0) return 0;
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}

/** The ρ whose (ε, δ) conversion is exactly ε (inverse of epsilonOfRho). */
export function rhoForEpsilon(epsilon: number, delta: number): number {
  const l = Math.log(1 / delta);
  const s = -Math.sqrt(l) + Math.sqrt(l + epsilon);
  return s * s;
}

/** Noise multiplier σ (in units of the clip norm) that spends ε of an (ε, δ) budget in one round. */
export function noiseMultiplierFor(epsilonPerRound: number, delta: number): number {
  const rho = rhoForEpsilon(epsilonPerRound, delta);
  return 1 / Math.sqrt(2 * rho);
}

export function privatise(update: readonly number[], clip: number, sigma: number, random?: () => number): number[] {
  return clipL2(update, clip).map((x) => x + sigma * clip * gaussian(random));
}

export type AccountantState = { periodStart: number; rhoSpent: number; rounds: number };

/**
 * Per-member privacy accountant over a period: it refuses a round that would take ε over the
 * period's maximum, and a new period starts the count again.
 */
export class PrivacyAccountant {
  constructor(
    private state: AccountantState,
    private readonly limits: { maxEpsilon: number; delta: number; periodMs: number },
  ) {}

  snapshot(now: number): AccountantState & { epsilonSpent: number; maxEpsilon: number; delta: number; periodEnds: number } {
    this.roll(now);
    return {
      ...this.state,
      epsilonSpent: epsilonOfRho(this.state.rhoSpent, this.limits.delta),
      maxEpsilon: this.limits.maxEpsilon,
      delta: this.limits.delta,
      periodEnds: this.state.periodStart + this.limits.periodMs,
    };
  }

  /** ε the next round would bring the period to, with this noise multiplier. */
  epsilonAfter(sigma: number, now: number): number {
    this.roll(now);
    return epsilonOfRho(this.state.rhoSpent + 1 / (2 * sigma * sigma), this.limits.delta);
  }

  canSpend(sigma: number, now: number): boolean {
    return this.epsilonAfter(sigma, now) <= this.limits.maxEpsilon + 1e-12;
  }

  /** Charges one round; throws when the budget would be overspent (the caller must not send). */
  spend(sigma: number, now: number): AccountantState {
    if (!this.canSpend(sigma, now)) {
      throw new Error(`privacy budget spent: this round would take ε to ${this.epsilonAfter(sigma, now).toFixed(3)} of ${this.limits.maxEpsilon} for the period`);
    }
    this.state = { ...this.state, rhoSpent: this.state.rhoSpent + 1 / (2 * sigma * sigma), rounds: this.state.rounds + 1 };
    return this.state;
  }

  private roll(now: number): void {
    if (now >= this.state.periodStart + this.limits.periodMs) this.state = { periodStart: now, rhoSpent: 0, rounds: 0 };
  }
}
