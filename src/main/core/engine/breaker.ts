import type { Clock } from '../journal/journal';
import { StepFailure } from './errors';

export type BreakerState = 'closed' | 'open' | 'half_open';

export type BreakerSettings = {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker refuses calls before letting one trial through. */
  cooldownMs: number;
};

export type BreakerChange = { dependency: string; from: BreakerState; to: BreakerState; reason: string };

/**
 * One dependency's circuit breaker: after repeated failures it stops calls for a cool-down, so a
 * dead model provider or gate runner is not hammered by every task's retries; then one trial call
 * decides whether it closes again.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(
    readonly dependency: string,
    private readonly settings: BreakerSettings,
    private readonly clock: Clock,
  ) {}

  get current(): BreakerState {
    return this.state;
  }

  /**
   * Runs `fn` unless the breaker is open; `onChange` hears every state change with its reason.
   * Only failures that say the dependency is unwell count (see `countsAsFailure`).
   */
  async call<T>(fn: () => Promise<T>, countsAsFailure: (e: unknown) => boolean, onChange: (change: BreakerChange) => void): Promise<T> {
    if (this.state === 'open') {
      const waited = this.clock.now() - this.openedAt;
      if (waited < this.settings.cooldownMs) throw this.refusal(this.settings.cooldownMs - waited);
      this.move('half_open', `cool-down of ${this.settings.cooldownMs} ms over; trying one call`, onChange);
    }
    if (this.state === 'half_open') {
      if (this.trialInFlight) throw this.refusal(Math.max(100, Math.round(this.settings.cooldownMs / 4)));
      this.trialInFlight = true;
    }
    const trial = this.state === 'half_open';
    try {
      const value = await fn();
      this.failures = 0;
      if (this.state !== 'closed') this.move('closed', 'a call succeeded', onChange);
      return value;
    } catch (e) {
      // An aborted or refused call says nothing about the dependency; a half-open breaker then
      // lets the next caller make the trial.
      if (countsAsFailure(e)) this.recordFailure(e, onChange);
      throw e;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private recordFailure(e: unknown, onChange: (change: BreakerChange) => void): void {
    const why = e instanceof Error ? e.message : String(e);
    if (this.state === 'half_open') {
      this.move('open', `trial call failed: ${why}`, onChange);
      return;
    }
    this.failures++;
    if (this.state === 'closed' && this.failures >= this.settings.failureThreshold) {
      this.move('open', `${this.failures} failures in a row, last: ${why}`, onChange);
    }
  }

  private move(to: BreakerState, reason: string, onChange: (change: BreakerChange) => void): void {
    const from = this.state;
    this.state = to;
    if (to === 'open') this.openedAt = this.clock.now();
    if (to === 'closed') this.failures = 0;
    onChange({ dependency: this.dependency, from, to, reason });
  }

  private refusal(retryAfterMs: number): StepFailure {
    return new StepFailure('unavailable', `${this.dependency} is unavailable (circuit open); retrying in ${Math.ceil(retryAfterMs)} ms`, {
      retryable: true,
      retryAfterMs,
    });
  }
}

/** One breaker per dependency name, created on first use. */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();
  constructor(
    private readonly settings: BreakerSettings,
    private readonly clock: Clock,
  ) {}

  get(dependency: string): CircuitBreaker {
    let breaker = this.breakers.get(dependency);
    if (!breaker) {
      breaker = new CircuitBreaker(dependency, this.settings, this.clock);
      this.breakers.set(dependency, breaker);
    }
    return breaker;
  }

  states(): Record<string, BreakerState> {
    return Object.fromEntries([...this.breakers].map(([name, b]) => [name, b.current]));
  }
}
