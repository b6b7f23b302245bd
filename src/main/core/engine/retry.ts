export type RetryPolicy = {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
};

/**
 * Delay before attempt `failedAttempts + 1`: exponential, capped, with "equal jitter" (half fixed,
 * half random) so that tasks that failed together do not retry in lockstep, yet never retry at once.
 */
export function backoffDelay(policy: RetryPolicy, failedAttempts: number, random: () => number, atLeastMs = 0): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 30));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.max(atLeastMs, jittered));
}
