export type Interval = { start: number; end: number };

/** Whether two closed intervals share at least one point. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.start <= b.end && b.start <= a.end;
}
