// The live charts' pure helpers: which points are drawn, how an axis is scaled and labelled, and a sparkline's lines.
import { describe, expect, it } from 'vitest';
import { axisTick, decimate, niceMax, sparkRuns, yTicks, type Point } from '../../renderer/src/ui/chart-scale';

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
    expect(yTicks(2.5).map(axisTick)).toEqual(['0', '0.5', '1', '1.5', '2', '2.5']);
    expect(yTicks(50).map(axisTick)).toEqual(['0', '10', '20', '30', '40', '50']);
    for (const v of [1e-11, 3e-7, 0.000123]) expect(axisTick(v)).not.toMatch(/e/);
  });
});

describe('yTicks', () => {
  it('every nice top gets round steps: five intervals for 2.5 and 5 × 10^k, four for 1 and 2', () => {
    expect(yTicks(25)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(yTicks(5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(yTicks(100)).toEqual([0, 25, 50, 75, 100]);
    expect(yTicks(2000)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(yTicks(0.25).map(axisTick)).toEqual(['0', '0.05', '0.1', '0.15', '0.2', '0.25']);
    expect(yTicks(0)).toEqual([0]);
  });

  it('for every top niceMax gives, each label is exact (no 6.3 or 13 on a 25 axis)', () => {
    for (let e = -3; e <= 4; e++)
      for (const m of [1, 2, 2.5, 5]) {
        const top = niceMax(m * 10 ** e);
        const ticks = yTicks(top);
        expect(ticks.at(-1)).toBe(top);
        const step = ticks[1]!;
        // The step is 1, 2, 2.5 or 5 × a power of ten, and every label is a whole number of steps, written exactly.
        expect([1, 2, 2.5, 5].some((k) => Math.abs(step / 10 ** Math.floor(Math.log10(step)) - k) < 1e-9)).toBe(true);
        for (const t of ticks) expect(Number(axisTick(t))).toBeCloseTo(t, 12);
      }
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
