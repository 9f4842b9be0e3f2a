// The probe's decisions, table-driven and property-based, on synthetic load curves:
// statistics, the verdict on a window (noise extends it), the least-squares
// prediction, and the ramp — the smart ramp must agree with the plain one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/contract';
import {
  ciHalfWidth,
  composeResult,
  DEFAULT_THRESHOLDS,
  fitLine,
  judgeWindow,
  planNext,
  predictCapacity,
  readingOf,
  resolveSettings,
  ProbeSettingsSchema,
  RESOURCES,
  resourceMap,
  stats,
  windowStats,
  type LimitReason,
  type PlanInput,
  type PlanStep,
  type ProbeSettings,
  type ProbeStep,
  type ProbeWindow,
  type Reading,
  type Resource,
  type Stat,
  type Strategy,
} from '../../shared/probe';
import { cpuWindow } from './probe-fixtures';

const stat = (mean: number, stddev = 0, n = 10): Stat => ({ mean, median: mean, p95: mean, stddev, min: mean, max: mean, n });
const limitsAll = (over: Partial<Record<Resource, number | null>> = {}) => resourceMap<number | null>((r) => (r in over ? over[r]! : r === 'encoderSessions' ? null : DEFAULT_THRESHOLDS[r]));
const window = (s: Partial<Record<Resource, Stat>>, limits: Partial<Record<Resource, number | null>> = {}) => ({
  stats: resourceMap((r) => s[r] ?? null),
  limits: resourceMap((r) => (s[r] ? limitsAll(limits)[r] : null)),
});

describe('statistics', () => {
  it.each([
    [[1, 2, 3, 4, 5], 3, 3, 4.8, Math.sqrt(2.5)],
    [[7], 7, 7, 7, 0],
    [[10, 10, 10, 10], 10, 10, 10, 0],
    [[0, 100], 50, 50, 95, Math.sqrt(5000)],
    [[5, Number.NaN, 15], 10, 10, 14.5, Math.sqrt(50)],
    [[1, 1, 1, 1, 96], 20, 1, 77, Math.sqrt(1805)],
  ])('stats(%j): mean %d, median %d, p95 %d, stddev %d', (xs, mean, median, p95, sd) => {
    const s = stats(xs)!;
    expect(s.mean).toBeCloseTo(mean, 9);
    expect(s.median).toBeCloseTo(median, 9);
    expect(s.p95).toBeCloseTo(p95, 9);
    expect(s.stddev).toBeCloseTo(sd, 9);
  });

  it('no values: null', () => expect(stats([])).toBeNull());

  it.each([
    [10, 1, 2.262 / Math.sqrt(10)],
    [2, 1, 12.706 / Math.sqrt(2)],
    [31, 2, (2.042 * 2) / Math.sqrt(31)],
    [1, 0, Infinity],
  ])('95-percent interval of the mean: n=%i sd=%f → ±%f', (n, sd, h) => expect(ciHalfWidth(stat(50, sd, n))).toBeCloseTo(h, 6));
});

describe('readings from a snapshot', () => {
  const snap = (gpus: Snapshot['gpus']): Snapshot => ({
    t: 1,
    seq: 1,
    intervalMs: 1000,
    system: { cpu: 40, cores: [40, 40], memory: { usedMB: 1, totalMB: 2, percent: 50 }, net: { ok: false, reason: 'x' }, disk: { ok: false, reason: 'x' } },
    gpus,
    instances: [
      { id: 'a', n: 1, pid: 1, state: 'running', cpu: 30, memoryMB: 1, processes: 1, gpu: { ok: false, reason: 'x' } },
      { id: 'b', n: 2, pid: 2, state: 'running', cpu: 50, memoryMB: 1, processes: 1, gpu: { ok: false, reason: 'x' } },
      { id: 'other', n: 1, pid: 3, state: 'running', cpu: 90, memoryMB: 1, processes: 1, gpu: { ok: false, reason: 'x' } },
    ],
    loopDelayP99Ms: null,
  });
  const gpu = (index: number, over: object) => ({
    index,
    name: 'NVIDIA GeForce RTX 3070 Ti',
    utilization: 10,
    memoryUsedMB: 1000,
    memoryTotalMB: 8000,
    encoderUtilization: 5,
    encoderSessions: 1,
    temperatureC: 50,
    powerW: 100,
    cardClass: 'geforce' as const,
    encoderSessionLimit: 8,
    ...over,
  });

  it('no GPU: GPU resources null; the app share is the probe trees over the cores', () => {
    const r = readingOf(snap({ ok: false, reason: 'no NVIDIA GPU' }), new Set(['a', 'b']), 2);
    expect(r).toMatchObject({ cpu: 40, appCpu: 40, memory: 50, gpu: null, gpuMemory: null, encoder: null, encoderSessions: null, encoderSessionLimit: null });
  });

  it('the busiest GPU counts; GeForce sessions add up against the shared cap', () => {
    const r = readingOf(snap({ ok: true, value: [gpu(0, { utilization: 30, encoderSessions: 3 }), gpu(1, { utilization: 70, memoryUsedMB: 6000, encoderSessions: 4 })] }), new Set(), 2);
    expect(r).toMatchObject({ gpu: 70, gpuMemory: 75, encoder: 5, encoderSessions: 7, encoderSessionLimit: 8, appCpu: 0 });
  });

  it('uncapped cards: sessions counted, no limit; stale GPU data is not a reading', () => {
    const r = readingOf(snap({ ok: true, value: [gpu(0, { cardClass: 'datacentre', encoderSessionLimit: null, encoderSessions: 12 })] }), new Set(), 2);
    expect(r).toMatchObject({ encoderSessions: 12, encoderSessionLimit: null });
    const stale = readingOf(snap({ ok: true, value: [gpu(0, {})], stale: true }), new Set(), 2);
    expect(stale.gpu).toBeNull();
  });
});

describe('the verdict on a settle window', () => {
  it.each<[string, Partial<Record<Resource, Stat>>, Partial<Record<Resource, number | null>>, boolean, Partial<ReturnType<typeof judgeWindow>>]>([
    ['steady and under', { cpu: stat(50, 1) }, {}, true, { decision: 'pass', breached: [], uncertain: [], noisy: false }],
    ['steady and over', { cpu: stat(90, 1) }, {}, true, { decision: 'fail', breached: ['cpu'], uncertain: [] }],
    ['exactly at the threshold is a breach', { cpu: stat(85, 0) }, {}, true, { decision: 'fail', breached: ['cpu'] }],
    ['noisy just under: extend', { cpu: stat(84, 5) }, {}, true, { decision: 'extend', uncertain: ['cpu'] }],
    ['noisy just over: extend', { cpu: stat(86, 5) }, {}, true, { decision: 'extend', breached: ['cpu'], uncertain: ['cpu'] }],
    ['noisy under at the cap: pass, said noisy', { cpu: stat(84, 5) }, {}, false, { decision: 'pass', noisy: true }],
    ['noisy over at the cap: fail, said noisy', { cpu: stat(86, 5) }, {}, false, { decision: 'fail', breached: ['cpu'], noisy: true }],
    ['noisy but far from the threshold: no extension', { cpu: stat(40, 10) }, {}, true, { decision: 'pass', uncertain: [] }],
    ['a certain breach wins over another uncertain resource', { cpu: stat(95, 1), memory: stat(89, 5) }, {}, true, { decision: 'fail', breached: ['cpu'], uncertain: ['memory'] }],
    ['most exceeded first', { cpu: stat(90, 0), gpu: stat(99, 0), memory: stat(95, 0) }, {}, true, { decision: 'fail', breached: ['gpu', 'cpu', 'memory'] }],
    ['GPU not measured never breaches', { cpu: stat(10, 0) }, { gpu: 1 }, true, { decision: 'pass' }],
    ['sessions at the card limit: saturated', { cpu: stat(10), encoderSessions: stat(8) }, { encoderSessions: 8 }, true, { decision: 'pass', saturated: true }],
    ['sessions over the limit: breach', { cpu: stat(10), encoderSessions: stat(9) }, { encoderSessions: 8 }, true, { decision: 'fail', breached: ['encoderSessions'] }],
    ['sessions with no known limit: not checked', { cpu: stat(10), encoderSessions: stat(30) }, { encoderSessions: null }, true, { decision: 'pass', saturated: false }],
    ['GPU memory at 91 of 90', { gpuMemory: stat(91, 0.1) }, {}, true, { decision: 'fail', breached: ['gpuMemory'] }],
  ])('%s', (_name, s, limits, canExtend, expected) => {
    expect(judgeWindow(window(s, limits), canExtend)).toMatchObject(expected);
  });

  it('noise near the threshold triggers extension; the same mean, steady, decides at once (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 4, max: 15, noNaN: true }), fc.integer({ min: 5, max: 30 }), (offset, sd, n) => {
        const limit = 85;
        const noisy = judgeWindow(window({ cpu: stat(limit + offset, sd, n) }), true);
        // |offset| ≤ 3 < t·sd/√n (≥ 2.04·4/√30 ≈ 1.5 … ) only when the interval is wide enough:
        const h = ciHalfWidth(stat(0, sd, n));
        if (Math.abs(offset) < h && offset !== 0) expect(noisy.decision).toBe('extend');
        const steady = judgeWindow(window({ cpu: stat(limit + offset, 0, n) }), true);
        expect(steady.decision).toBe(limit + offset >= limit ? 'fail' : 'pass');
      }),
    );
  });

  it('noisy samples from a synthetic workload: extended, then decided on the mean', () => {
    // A load that wobbles ±12 points around 83 % (a shared machine), 10 samples per window.
    const wobble = (k: number) => 83 + 12 * Math.sin(k * 1.7);
    const readings = (from: number, n: number): Reading[] =>
      Array.from({ length: n }, (_, k) => ({ t: k, cpu: wobble(from + k), appCpu: null, memory: 30, gpu: null, gpuMemory: null, encoder: null, encoderSessions: null, encoderSessionLimit: null }));
    const first = windowStats(readings(0, 10), DEFAULT_THRESHOLDS, 'machine', null);
    expect(judgeWindow(first, true).decision).toBe('extend');
    const all = windowStats(readings(0, 30), DEFAULT_THRESHOLDS, 'machine', null);
    const v = judgeWindow(all, false);
    expect(v.decision).toBe(all.stats.cpu!.mean >= 85 ? 'fail' : 'pass');
    expect(all.stats.memory!.mean).toBe(30);
    expect(all.stats.gpu).toBeNull();
    expect(all.limits.gpu).toBeNull();
  });

  it('app basis: CPU = the idle baseline (as given) + the probe trees', () => {
    const r = (appCpu: number): Reading => ({ t: 0, cpu: 99, appCpu, memory: 10, gpu: null, gpuMemory: null, encoder: null, encoderSessions: null, encoderSessionLimit: null });
    const w = windowStats([r(10), r(20)], DEFAULT_THRESHOLDS, 'app', 5);
    expect(w.stats.cpu!.mean).toBe(20);
    expect(w.machineCpu!.mean).toBe(99);
    expect(w.appCpu!.mean).toBe(15);
    // The idle baseline itself, on the app basis: its level is the median (a blip is not idle load).
    const idle = (cpu: number): Reading => ({ ...r(0), cpu, appCpu: 0 });
    const b = windowStats([idle(2), idle(3), idle(2), idle(60), idle(3)], DEFAULT_THRESHOLDS, 'app', null);
    expect(b.stats.cpu!.mean).toBe(3);
    expect(b.machineCpu!.mean).toBe(14);
    expect(windowStats([idle(2), idle(3), idle(2), idle(60), idle(3)], DEFAULT_THRESHOLDS, 'machine', null).stats.cpu!.mean).toBe(14);
  });
});

describe('least squares and prediction', () => {
  it('fits an exact line and predicts the last count under the threshold', () => {
    const line = fitLine([0, 1, 2].map((x) => ({ x, y: 5 + 10 * x })))!;
    expect(line.intercept).toBeCloseTo(5, 9);
    expect(line.slope).toBeCloseTo(10, 9);
    expect(predictCapacity(line, 85)).toBe(7); // 8 instances reach 85: a breach
    expect(predictCapacity(line, 86)).toBe(8);
    expect(predictCapacity(line, 85, 2.5)).toBe(7);
    expect(predictCapacity(line, 85, 10)).toBe(6);
    expect(predictCapacity({ intercept: 5, slope: 0 }, 85)).toBe(Infinity);
    expect(predictCapacity({ intercept: 95, slope: 3 }, 85)).toBe(0);
  });

  it('fits noisy points by least squares', () => {
    const line = fitLine([
      { x: 0, y: 1 },
      { x: 1, y: 3 },
      { x: 2, y: 2 },
      { x: 3, y: 5 },
    ])!;
    expect(line.slope).toBeCloseTo(1.1, 9);
    expect(line.intercept).toBeCloseTo(1.1, 9);
    expect(fitLine([{ x: 1, y: 1 }])).toBeNull();
    expect(
      fitLine([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toBeNull();
  });
});

// ---- The ramp on synthetic servers ----------------------------------------------------

type Load = (n: number) => Partial<Record<Resource, number>>;

interface Sim {
  capacity: number;
  limitedBy: LimitReason;
  limitAt: number | null;
  counts: number[];
  /** Instance-launches + windows: what the ramp costs in time (warm-up per step, window per step). */
  cost: number;
}

/** Runs the planner against a deterministic server: load(n) per resource, instances ≥ dieAt exit. */
function simulate(load: Load, opts: { strategy: Strategy; max: number; limits?: Partial<Record<Resource, number | null>>; dieAt?: number }): Sim {
  const limits = limitsAll(opts.limits);
  const judge = (n: number) => {
    const l = load(n);
    const w = window(Object.fromEntries(Object.entries(l).map(([r, v]) => [r, stat(v!, 0)])), limits);
    const means: Partial<Record<Resource, number>> = {};
    for (const r of RESOURCES) if (w.stats[r] && w.limits[r] !== null) means[r] = w.stats[r]!.mean;
    return { v: judgeWindow(w, false), means, limits: w.limits };
  };
  const b = judge(0);
  const steps: PlanStep[] = [];
  const counts: number[] = [];
  let current = 0;
  let cost = 0;
  for (let guard = 0; guard < 200; guard++) {
    const input: PlanInput = {
      strategy: opts.strategy,
      maxInstances: opts.max,
      baseline: { means: b.means, breached: b.v.decision === 'fail' ? b.v.breached : [], saturated: b.v.saturated },
      steps,
      limits: b.limits,
    };
    const d = planNext(input);
    if (d.kind === 'done') return { capacity: d.capacity, limitedBy: d.limitedBy, limitAt: d.limitAt, counts, cost };
    expect(counts).not.toContain(d.count);
    expect(d.count).toBeGreaterThanOrEqual(1);
    expect(d.count).toBeLessThanOrEqual(opts.max);
    counts.push(d.count);
    cost += (d.count > current ? 1 : 0) + 1;
    current = d.count;
    if (opts.dieAt !== undefined && d.count >= opts.dieAt) {
      steps.push({ count: d.count, verdict: 'fail', breached: [], exited: true, means: {} });
      continue;
    }
    const j = judge(d.count);
    steps.push({ count: d.count, verdict: j.v.decision === 'fail' ? 'fail' : j.v.saturated ? 'saturated' : 'pass', breached: j.v.breached, exited: false, means: j.means });
  }
  throw new Error('the ramp did not end');
}

/** The answer by definition: the largest n ≤ max with load(0..n) under every limit. */
function truth(load: Load, max: number, limits = limitsAll()): number {
  for (let n = 0; n <= max; n++) {
    const l = load(n);
    const over = RESOURCES.some((r) => l[r] !== undefined && limits[r] !== null && (r === 'encoderSessions' ? l[r]! > limits[r]! : l[r]! >= limits[r]!));
    if (over) return Math.max(0, n - 1);
  }
  return max;
}

describe('the ramp', () => {
  const linear =
    (a: number, b: number): Load =>
    (n) => ({ cpu: a + b * n, memory: 20 + n });

  it.each<[string, Load, Strategy, number, Partial<Sim>]>([
    ['plain ramp, CPU 5 + 10/instance', linear(5, 10), 'linear', 16, { capacity: 7, limitedBy: 'cpu', limitAt: 8, counts: [1, 2, 3, 4, 5, 6, 7, 8] }],
    ['smart ramp, same load: 1, 2, jump to 8 (the first count predicted over), back to 7', linear(5, 10), 'smart', 16, { capacity: 7, limitedBy: 'cpu', limitAt: 8, counts: [1, 2, 8, 7] }],
    ['smart ramp, no limit before the maximum', linear(5, 1), 'smart', 10, { capacity: 10, limitedBy: 'maxInstances', limitAt: null, counts: [1, 2, 10] }],
    ['plain ramp, no limit before the maximum', linear(5, 1), 'linear', 4, { capacity: 4, limitedBy: 'maxInstances', counts: [1, 2, 3, 4] }],
    ['the first instance already breaches', linear(50, 40), 'smart', 16, { capacity: 0, limitedBy: 'cpu', limitAt: 1, counts: [1] }],
    ['the idle server already breaches', linear(90, 1), 'smart', 16, { capacity: 0, limitedBy: 'cpu', limitAt: 0, counts: [] }],
    ['memory limits before CPU', (n) => ({ cpu: 5 + 2 * n, memory: 30 + 7 * n }), 'smart', 32, { capacity: 8, limitedBy: 'memory', limitAt: 9 }],
    ['GPU limits (85 %)', (n) => ({ cpu: 5 + 2 * n, memory: 20, gpu: 3 + 9 * n }), 'smart', 32, { capacity: 9, limitedBy: 'gpu', limitAt: 10 }],
    [
      'concave load 5 + 12·n^0.8 (contention): the first jump lands low, the local slope takes it past the capacity, the secant back',
      (n) => ({ cpu: 5 + 12 * n ** 0.8, memory: 20 }),
      'smart',
      32,
      { capacity: 10, limitedBy: 'cpu', counts: [1, 2, 8, 11, 10] },
    ],
    ['nothing grows: doubling to the maximum', () => ({ cpu: 5, memory: 20 }), 'smart', 12, { capacity: 12, limitedBy: 'maxInstances', counts: [1, 2, 4, 8, 12] }],
    [
      'strongly convex load 5 + 3n + 0.6n²: the line from 1 and 2 overshoots to 20; interpolating between 2 and 20 backs off to 6, then 8',
      (n) => ({ cpu: 5 + 3 * n + 0.6 * n * n, memory: 20 }),
      'smart',
      32,
      { capacity: 9, limitedBy: 'cpu', counts: [1, 2, 20, 6, 8, 9, 10] },
    ],
  ])('%s', (_name, load, strategy, max, expected) => {
    const sim = simulate(load, { strategy, max });
    expect(sim).toMatchObject(expected);
    expect(sim.capacity).toBe(truth(load, max));
  });

  it('GeForce sessions: capacity is the count that reaches 8 sessions, by both ramps', () => {
    const load: Load = (n) => ({ cpu: 5 + 4 * n, memory: 20, encoderSessions: Math.min(n, 8) });
    for (const strategy of ['linear', 'smart'] as const) {
      const sim = simulate(load, { strategy, max: 32, limits: { encoderSessions: 8 } });
      expect(sim).toMatchObject({ capacity: 8, limitedBy: 'encoderSessions', limitAt: 9 });
    }
    expect(simulate(load, { strategy: 'smart', max: 32, limits: { encoderSessions: 8 } }).counts).toEqual([1, 2, 8, 7]);
  });

  it('sessions already at the cap with no instance: capacity 0', () => {
    const sim = simulate((n) => ({ cpu: 5 + n, encoderSessions: 8 }), { strategy: 'smart', max: 8, limits: { encoderSessions: 8 } });
    expect(sim).toMatchObject({ capacity: 0, limitedBy: 'encoderSessions', counts: [] });
  });

  it.each<[Strategy, number[]]>([
    ['linear', [1, 2, 3, 4]],
    ['smart', [1, 2, 8, 3, 4]],
  ])('a workload that dies at instance 4 (%s): instanceExit, capacity 3', (strategy, counts) => {
    const sim = simulate(linear(5, 10), { strategy, max: 16, dieAt: 4 });
    expect(sim).toMatchObject({ capacity: 3, limitedBy: 'instanceExit', limitAt: 4, counts });
  });

  it('smart and plain ramps agree with the definition on linear and mildly non-linear loads (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          a: fc.double({ min: 0, max: 40, noNaN: true }),
          b: fc.double({ min: 0.3, max: 40, noNaN: true }),
          // load = a + b·n·(1 + c·n): c < 0 concave, c > 0 convex, both mild.
          c: fc.double({ min: -0.02, max: 0.06, noNaN: true }),
          memA: fc.double({ min: 5, max: 60, noNaN: true }),
          memB: fc.double({ min: 0, max: 8, noNaN: true }),
          thr: fc.integer({ min: 20, max: 95 }),
          max: fc.integer({ min: 1, max: 64 }),
        }),
        ({ a, b, c, memA, memB, thr, max }) => {
          const load: Load = (n) => ({ cpu: a + b * n * (1 + c * n), memory: memA + memB * n });
          // Keep the curve rising over the range probed (a mild non-linearity, not a collapse).
          fc.pre(1 + 2 * c * max > 0.2);
          const limits = { cpu: thr };
          const lin = simulate(load, { strategy: 'linear', max, limits });
          const smart = simulate(load, { strategy: 'smart', max, limits });
          const expected = truth(load, max, limitsAll(limits));
          expect(lin.capacity).toBe(expected);
          expect(smart.capacity).toBe(expected);
          expect(smart.limitedBy).toBe(lin.limitedBy);
          expect(smart.counts.length).toBeLessThanOrEqual(lin.counts.length + 1);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('on linear loads with capacity ≥ 7 the smart ramp measures at most 4 counts and costs at most half (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 30, noNaN: true }), fc.double({ min: 0.5, max: 12, noNaN: true }), (a, b) => {
        const load: Load = (n) => ({ cpu: a + b * n, memory: 20 });
        const expected = truth(load, 64);
        fc.pre(expected >= 7 && expected < 64);
        const sim = simulate(load, { strategy: 'smart', max: 64 });
        expect(sim.capacity).toBe(expected);
        expect(sim.counts.length).toBeLessThanOrEqual(4);
        const lin = simulate(load, { strategy: 'linear', max: 64 });
        expect(sim.cost / lin.cost).toBeLessThanOrEqual(0.5);
      }),
      { numRuns: 400 },
    );
  });

  it('settings: defaults, and the window cap defaults to three windows', () => {
    const s: ProbeSettings = resolveSettings(ProbeSettingsSchema.parse({ thresholds: { cpu: 80 } }));
    expect(s).toMatchObject({ warmupSec: 20, settleSec: 10, maxSettleSec: 30, maxInstances: 16, strategy: 'smart', leaveRunning: false, cpuBasis: 'machine' });
    expect(s.thresholds).toEqual({ ...DEFAULT_THRESHOLDS, cpu: 80 });
    expect(ProbeSettingsSchema.safeParse({ thresholds: { cpu: 0 } }).success).toBe(false);
    expect(ProbeSettingsSchema.safeParse({ thresholds: { gpu: 101 } }).success).toBe(false);
    expect(ProbeSettingsSchema.safeParse({ warmupSec: -1 }).success).toBe(false);
  });
});

describe('the result', () => {
  const win = (count: number, cpu: number, verdict: ProbeWindow['verdict'], breached: Resource[] = []): ProbeStep => ({
    index: count,
    count,
    added: 1,
    move: 'step',
    startedAt: 0,
    endedAt: 0,
    exit: null,
    ...cpuWindow(stat(cpu, 1), stat(30, 0), limitsAll({ gpu: null, gpuMemory: null, encoder: null }), verdict, breached),
  });

  it('headroom at capacity, marginal load, predictions, what was not measured', () => {
    const baseline = { ...win(0, 5, 'pass') } as ProbeWindow;
    const steps = [win(1, 15, 'pass'), win(2, 25, 'pass'), win(7, 75, 'pass'), win(8, 85, 'fail', ['cpu'])];
    const settings = resolveSettings(ProbeSettingsSchema.parse({}));
    const r = composeResult({ baseline, steps, settings }, { kind: 'done', capacity: 7, limitedBy: 'cpu', limitAt: 8 }, { gpu: 'no NVIDIA GPU' });
    expect(r.capacity).toBe(7);
    expect(r.headroom.cpu).toBeCloseTo(10, 9);
    expect(r.headroom.memory).toBeCloseTo(60, 9);
    expect(r.headroom.gpu).toBeNull();
    expect(r.perInstance.cpu).toBeCloseTo(10, 9);
    expect(r.predicted.cpu).toBe(7);
    expect(r.predicted.memory).toBeNull(); // flat: no limit predicted
    expect(r.breached).toEqual(['cpu']);
    expect(r.notMeasured.map((n) => n.resource)).toEqual(['gpu', 'gpuMemory', 'encoder', 'encoderSessions']);
    expect(r.notMeasured[0]!.reason).toBe('no NVIDIA GPU');
    expect(r.noisy).toBe(false);
  });
});
