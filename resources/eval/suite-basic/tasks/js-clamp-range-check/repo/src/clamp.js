/** value limited to the range [min, max]. */
export function clamp(value, min, max) {
  return Math.min(Math.max(value, min), max);
}
