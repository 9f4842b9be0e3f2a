// The live charts' pure helpers: which points are drawn, and how an axis is scaled and
// labelled. No DOM: unit tests read them directly.
/** One reading in time: `t` (ms) and a value per series (null: not measured). */
export type Point = { t: number } & Record<string, number | null>;

/**
 * At most `max` points for drawing: each bucket of consecutive points keeps, per
 * series, its highest value (a load chart must not smooth a peak away). A 10-minute
 * window at 1 Hz is 600 points for a chart some 700 px wide.
 */
export function decimate(data: Point[], keys: string[], max: number): Point[] {
  if (data.length <= max) return data;
  const size = data.length / max;
  const out: Point[] = [];
  for (let b = 0; b < max; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(data.length, Math.floor((b + 1) * size));
    const p: Point = { t: data[to - 1]!.t };
    for (const k of keys) {
      let v: number | null = null;
      for (let i = from; i < to; i++) {
        const x = data[i]![k];
        if (x != null && (v === null || x > v)) v = x;
      }
      p[k] = v;
    }
    out.push(p);
  }
  return out;
}

/** An axis label: whole figures from 10 up, two significant digits below (never 1e-11). */
export function axisTick(v: number): string {
  if (v === 0 || !Number.isFinite(v) || Math.abs(v) >= 10) return String(Math.round(v));
  // Fixed notation with two significant digits (String() would write 1e-11), trailing zeros dropped.
  const decimals = Math.min(20, 1 - Math.floor(Math.log10(Math.abs(v))));
  return v
    .toFixed(decimals)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

/** A round upper bound for an auto-scaled axis: 1, 2, 2.5 or 5 × 10^k. */
/** The power of ten at or below `v` (v > 0): niceMax and yTicks read a top as m × this. */
const decade = (v: number): number => 10 ** Math.floor(Math.log10(v));

export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = decade(v);
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/**
 * The y axis' gridline values from 0 to `top`, at a round step: a top of 2.5 or 5 × 10^k
 * has five intervals (0, 5, 10 … 25), any other four (0, 25, 50, 75, 100; 0, 0.5 … 2).
 * Quarters of every top wrote 6.3, 13, 19 on a 25 axis and 13, 38 on a 50 one.
 */
export function yTicks(top: number): number[] {
  if (!(top > 0) || !Number.isFinite(top)) return [0];
  const mantissa = top / decade(top);
  const n = Math.abs(mantissa - 2.5) < 1e-9 || Math.abs(mantissa - 5) < 1e-9 ? 5 : 4;
  // Each value from its own fraction (k·top/n), so no sum of steps drifts off the round figure.
  return Array.from({ length: n + 1 }, (_, k) => (k * top) / n);
}

/**
 * A sparkline's polylines in a `w` × `h` px box, as SVG `points` lists in tenths of a pixel
 * (the sparkline's viewBox is ten times its size): the values spread evenly across the width,
 * the y axis from 0 to `max` (or the highest value, if higher), 2 px kept free at top and
 * bottom; a null breaks the line, so each run of values is a polyline of its own. Whole
 * tenths keep the figures small integers that join without making a string per point (made
 * point by point, these strings were most of the console's garbage per update: 16
 * sparklines × 60 points; bench/ui.bench.ts, heap sampled).
 */
export function sparkRuns(values: readonly (number | null)[], max: number, w: number, h: number): string[] {
  let top = max;
  for (const v of values) if (v !== null && v > top) top = v;
  const runs: string[] = [];
  const run: number[] = [];
  for (let k = 0; k <= values.length; k++) {
    const v = values[k] ?? null;
    if (v === null) {
      if (run.length > 0) runs.push(run.join(' '));
      run.length = 0;
      continue;
    }
    const x = values.length > 1 ? (k / (values.length - 1)) * w : 0;
    const y = h - 2 - (v / (top || 1)) * (h - 4);
    run.push(Math.round(x * 10), Math.round(y * 10));
  }
  return runs;
}
