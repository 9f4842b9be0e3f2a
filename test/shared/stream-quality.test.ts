// Stream quality, the pure parts: the W3C freeze rule, how an instance's viewers sum
// up, a probe window's stream figures, the quality verdict and the ramp's answer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeStreams, planNext, streamWindow, type PlanInput, type Reading } from '../../shared/probe';
import { combineViewers, FreezeDetector, type ViewerStats } from '../../shared/stream-quality';

describe('the W3C freeze rule', () => {
  it('a gap of at least max(3 × mean, mean + 150 ms) is a freeze, with its duration', () => {
    const f = new FreezeDetector();
    let t = 0;
    for (let k = 0; k < 40; k++) f.frame((t += 40)); // 25 fps
    expect(f.freezes).toBe(0);
    // mean 40 ms → a freeze needs ≥ max(120, 190) = 190 ms.
    expect(f.frame((t += 180))).toBe(false);
    expect(f.frame((t += 40))).toBe(false);
    expect(f.frame((t += 200))).toBe(true);
    expect(f.freezes).toBe(1);
    expect(f.freezeMs).toBe(200);
  });

  it('at 5 fps the 3 × mean term decides (600 ms), and a stream that stopped is frozen now', () => {
    const f = new FreezeDetector();
    let t = 0;
    for (let k = 0; k < 10; k++) f.frame((t += 200));
    expect(f.frame((t += 500))).toBe(false); // under 600
    expect(f.openFreezeMs(t + 400)).toBe(0);
    expect(f.openFreezeMs(t + 700)).toBe(700);
  });

  it('steady frames never freeze, whatever the rate (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 120 }), fc.integer({ min: 10, max: 200 }), (fps, n) => {
        const f = new FreezeDetector();
        for (let k = 0; k < n; k++) f.frame((k * 1000) / fps);
        return f.freezes === 0;
      }),
    );
  });
});

const v = (over: Partial<ViewerStats>): ViewerStats => ({
  fps: 25,
  mbps: 2,
  width: 640,
  height: 360,
  freezes: 0,
  freezeSec: 0,
  packetsLost: 0,
  jitterMs: 2,
  rttMs: 1,
  decodeMs: null,
  qp: null,
  codec: 'H264',
  framesReceived: 100,
  bytesReceived: 1000,
  at: 0,
  ...over,
});

describe('an instance over its viewers', () => {
  it('the slowest viewer sets the frame rate, bitrate is the mean, freezes and losses add up', () => {
    const s = combineViewers([v({ fps: 25, mbps: 2, freezes: 1, packetsLost: 3 }), v({ fps: 19.96, mbps: 3, freezes: 2, packetsLost: 1, rttMs: 9 })])!;
    expect(s).toMatchObject({ viewers: 2, fps: 20, mbps: 2.5, freezes: 3, packetsLost: 4, rttMs: 9 });
    expect(combineViewers([])).toBeNull();
  });
});

const reading = (t: number, streams: Reading['streams'], viewerCpu: number | null = 5): Reading => ({
  t,
  cpu: 50,
  appCpu: null,
  memory: 20,
  gpu: null,
  gpuMemory: null,
  encoder: null,
  encoderSessions: null,
  encoderSessionLimit: null,
  streams,
  viewerCpu,
});

describe("a probe window's streams", () => {
  const win = (fps2: number, freezes2: [number, number]) =>
    streamWindow(
      Array.from({ length: 11 }, (_, k) =>
        reading(k * 1000, [
          { n: 1, fps: 25, mbps: 2, freezes: 0, reason: null },
          { n: 2, fps: fps2, mbps: 1.5, freezes: k === 10 ? freezes2[1] : freezes2[0], reason: null },
        ]),
      ),
    )!;

  it('names the slowest stream, the mean bitrate, freezes per minute and what the viewers cost', () => {
    const w = win(20, [0, 1]);
    expect(w).toMatchObject({ slowestFps: 20, slowestN: 2, meanMbps: 1.75, freezesN: 2, viewerCpu: 5, streams: 2, unmeasured: [] });
    expect(w.freezesPerMin).toBeCloseTo(6, 5); // one freeze in 10 s
  });

  it('a stream without figures for most of the window is unmeasured, with its reason', () => {
    const w = streamWindow([0, 1, 2, 3].map((k) => reading(k * 1000, [{ n: 1, fps: k === 0 ? 25 : null, mbps: null, freezes: null, reason: 'stream stalled' }])))!;
    expect(w.unmeasured).toEqual([{ n: 1, reason: 'stream stalled' }]);
    expect(judgeStreams(w, 25, { minFpsRatio: 0.9, maxFreezesPerMin: 1 })).toMatchObject({ ok: false, figure: 'notMeasured', n: 1 });
  });

  it('the verdict: fps under the ratio of the 1-instance rate, or too many freezes, fails; no streams passes', () => {
    const q = { minFpsRatio: 0.9, maxFreezesPerMin: 1 };
    expect(judgeStreams(win(23, [0, 0]), 25, q)).toMatchObject({ ok: true });
    expect(judgeStreams(win(22, [0, 0]), 25, q)).toMatchObject({ ok: false, figure: 'fps', n: 2, value: 22, limit: 22.5 });
    expect(judgeStreams(win(25, [0, 1]), 25, q)).toMatchObject({ ok: false, figure: 'freezes', n: 2 });
    expect(judgeStreams(win(22, [0, 0]), null, q)).toMatchObject({ ok: true }); // the first step sets the reference
    expect(judgeStreams(null, 25, q).ok).toBe(true);
  });
});

describe('the ramp with stream quality', () => {
  it('a step failing on quality alone ends with limitedBy streamQuality', () => {
    const input: PlanInput = {
      strategy: 'linear',
      maxInstances: 8,
      baseline: { means: { cpu: 5 }, breached: [], saturated: false },
      steps: [
        { count: 1, verdict: 'pass', breached: [], exited: false, means: { cpu: 20 } },
        { count: 2, verdict: 'pass', breached: [], exited: false, means: { cpu: 35 } },
        { count: 3, verdict: 'fail', breached: [], exited: false, quality: true, means: { cpu: 50 } },
      ],
      limits: { cpu: 85 },
    };
    expect(planNext(input)).toEqual({ kind: 'done', capacity: 2, limitedBy: 'streamQuality', limitAt: 3 });
    // A resource over its threshold at the same count is named first.
    input.steps[2]!.breached.push('cpu');
    expect(planNext(input)).toMatchObject({ limitedBy: 'cpu' });
  });

  it('after a jump fails on quality alone, the ramp halves the interval instead of stepping down one at a time', () => {
    // CPU grows slowly (predicts no limit up to 8), the frame rate holds up to 4 instances, then falls.
    const steps: PlanInput['steps'][number][] = [];
    const counts: number[] = [];
    for (let guard = 0; guard < 20; guard++) {
      const d = planNext({ strategy: 'smart', maxInstances: 8, baseline: { means: { cpu: 2 }, breached: [], saturated: false }, steps, limits: { cpu: 85 } });
      if (d.kind === 'done') {
        expect(d).toEqual({ kind: 'done', capacity: 4, limitedBy: 'streamQuality', limitAt: 5 });
        break;
      }
      counts.push(d.count);
      const ok = d.count <= 4;
      steps.push({ count: d.count, verdict: ok ? 'pass' : 'fail', breached: [], exited: false, quality: !ok, means: { cpu: 2 + 5 * d.count } });
    }
    // Before: 1, 2, 8, 7, 6, 5, 4.
    expect(counts).toEqual([1, 2, 8, 5, 3, 4]);
  });
});
