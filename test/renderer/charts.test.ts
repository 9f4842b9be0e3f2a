// The live charts' pure helpers: which points are drawn, how an axis is scaled and labelled, and a sparkline's lines.
import { describe, expect, it } from 'vitest';
import { axisTick, decimate, niceMax, sparkRuns, type Point } from '../../renderer/src/ui/chart-scale';

describe('decimate', () => {
  const series = (n: number): Point[] => Array.from({ length: n }, (_, i) => ({ t: i * 1000, cpu: i % 10 === 7 ? 99 : 10, mem: i === 3 ? null : 5 }));

  it('leaves a short series as it is', () => {
    const d = series(50);
    expect(decimate(d, ['cpu'], 100)).toBe(d);
  });

  it('keeps at most max points, each bucket ending at its last time, and never smooths a peak away', () => {
    const out = decimate(series(600), ['cpu', 'mem'], 150);
    expect(out).toHaveLength(150);
    expect(out.at(-1)!.t).toBe(599_000);
    // Every bucket of 4 holds an index ≡ 7 (mod 10) only sometimes; every peak in the input is in the output.
    const peaks = series(600).filter((p) => p.cpu === 99).length;
    expect(out.filter((p) => p.cpu === 99).length).toBe(peaks);
    expect(out[0]!.mem).toBe(5); // a gap in one point of a bucket is filled by the others
  });

  it('a bucket with no value for a series stays a gap', () => {
    const d: Point[] = Array.from({ length: 10 }, (_, i) => ({ t: i, v: i < 5 ? null : 1 }));
    expect(decimate(d, ['v'], 2).map((p) => p.v)).toEqual([null, 1]);
  });
});

describe('niceMax and axisTick', () => {
  it('rounds up to 1, 2, 2.5 or 5 × 10^k', () => {
    expect([0.7, 1, 1.2, 2.2, 3, 7, 12, 26, 80, 101].map(niceMax)).toEqual([1, 1, 2, 2.5, 5, 10, 20, 50, 100, 200]);
    expect(niceMax(0)).toBe(1);
    expect(niceMax(Number.NaN)).toBe(1);
  });

  it('labels are plain figures, whatever the scale', () => {
    expect([0, 0.25, 0.5, 0.75, 1].map((f) => axisTick(f * 2.5))).toEqual(['0', '0.63', '1.3', '1.9', '2.5']);
    expect([0, 0.25, 0.5, 0.75, 1].map((f) => axisTick(f * 50))).toEqual(['0', '13', '25', '38', '50']);
    for (const v of [1e-11, 3e-7, 0.000123]) expect(axisTick(v)).not.toMatch(/e/);
  });
});

describe('sparkRuns', () => {
  // A 120 × 28 box, in tenths of a pixel: y runs from 260 (0) to 20 (the top of the scale).
  it('spreads the values over the width, 0 at the bottom and max at the top', () => {
    expect(sparkRuns([0, 50, 100], 100, 120, 28)).toEqual(['0 260 600 140 1200 20']);
  });

  it('scales to the highest value when it is over max', () => {
    expect(sparkRuns([0, 200], 100, 120, 28)).toEqual(['0 260 1200 20']);
  });

  it('a null breaks the line into runs; nulls at the start draw nothing', () => {
    expect(sparkRuns([null, null, 10, 20, null, 30, 40], 100, 60, 28)).toEqual(['200 236 300 212', '500 188 600 164']);
    expect(sparkRuns([null, null], 100, 120, 28)).toEqual([]);
    expect(sparkRuns([], 100, 120, 28)).toEqual([]);
  });

  it('a single value sits at the left edge; figures are whole tenths of a pixel', () => {
    expect(sparkRuns([33], 100, 120, 28)).toEqual(['0 181']);
    expect(sparkRuns([1, 2, 3], 3, 100, 28)[0]).toBe('0 180 500 100 1000 20');
    expect(sparkRuns([1 / 3, 1], 1, 30, 28)[0]).toBe('0 180 300 20');
  });
});
