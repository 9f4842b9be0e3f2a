// The live charts' pure helpers: which points are drawn, and how an axis is scaled and labelled.
import { describe, expect, it } from 'vitest';
import { axisTick, decimate, niceMax, type Point } from '../../renderer/src/ui/chart-scale';

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
