/** Arithmetic mean; NaN for no values. */
export function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The median of the values. */
export function median(values: number[]): number {
  throw new Error('not implemented');
}
