// Statistics of a window's readings.

export interface Stat {
  mean: number;
  median: number;
  p95: number;
  stddev: number;
  min: number;
  max: number;
  n: number;
}

/** Mean, median and p95 (linear interpolation), sample standard deviation; null for no values. */
export function stats(values: readonly number[]): Stat | null {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sorted = [...xs].sort((a, b) => a - b);
  const quantile = (q: number) => {
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    return sorted[lo]! + (sorted[Math.min(lo + 1, n - 1)]! - sorted[lo]!) * (pos - lo);
  };
  const variance = n > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, median: quantile(0.5), p95: quantile(0.95), stddev: Math.sqrt(variance), min: sorted[0]!, max: sorted[n - 1]!, n };
}

// Student's t, two-sided 95 %, by degrees of freedom 1..30.
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045,
  2.042,
];

/** Half-width of the 95 % confidence interval of the mean (Infinity below 2 values). */
export function ciHalfWidth(s: Stat): number {
  if (s.n < 2) return Infinity;
  const t = s.n - 1 <= 30 ? T95[s.n - 2]! : 1.96 + 2.4 / (s.n - 1);
  return (t * s.stddev) / Math.sqrt(s.n);
}
