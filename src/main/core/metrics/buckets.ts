const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Bucket sizes a chart reads easily; the smallest that keeps a window under MAX_BUCKETS wins. */
const SIZES = [5 * MINUTE, 15 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR, 48 * HOUR];
const MAX_BUCKETS = 60;

export type Buckets = { start: number; size: number; count: number };

/** Buckets covering [now - windowMs, now], aligned to their size so charts do not jitter. */
export function bucketsFor(now: number, windowMs: number): Buckets {
  const size = SIZES.find((s) => windowMs / s <= MAX_BUCKETS) ?? SIZES[SIZES.length - 1]!;
  const start = Math.floor((now - windowMs) / size) * size;
  const count = Math.max(1, Math.ceil((now - start + 1) / size));
  return { start, size, count };
}

export const bucketIndex = (b: Buckets, ts: number): number => Math.min(b.count - 1, Math.max(0, Math.floor((ts - b.start) / b.size)));

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
