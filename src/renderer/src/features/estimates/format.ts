import type { EstimateRange } from '../../../../shared/domain/estimate';

/** A duration a person reads at a glance: seconds under a minute, minutes under two hours, else hours. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function tokens(n: number): string {
  if (n < 1000) return `${Math.round(n)}`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function bytes(n: number): string {
  if (n < 1024 ** 3) return `${Math.round(n / 1024 ** 2)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

/** "about 12 min (8–20 min)": the median, and the 10th to 90th percentile. */
export function rangeText(r: EstimateRange, unit: (n: number) => string): string {
  return r.p10 === r.p90 ? `about ${unit(r.p50)}` : `about ${unit(r.p50)} (${unit(r.p10)}–${unit(r.p90)})`;
}
