/**
 * The line's statistics helpers: the last HOLD_SAMPLES hold and wait times (seconds)
 * and their means, which the estimates and the admin panel show.
 */

/** Samples kept per list (oldest dropped first). */
export const HOLD_SAMPLES = 200;

export const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Adds a sample, dropping the oldest beyond HOLD_SAMPLES. */
export function recordSample(list: number[], x: number): void {
  list.push(x);
  if (list.length > HOLD_SAMPLES) list.shift();
}
