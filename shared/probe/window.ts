// One window's figures and the verdict on it (load and stream quality).
import { maxOf, type Reading } from './readings';
import { RESOURCES, type Resource, type ResourceMap, resourceMap } from './resources';
import type { CpuBasis, ProbeSettings, Thresholds } from './settings';
import { type Stat, ciHalfWidth, stats } from './stats';

export interface WindowStats {
  /** What the decision uses, per resource (cpu on the chosen basis). null: not measured. */
  stats: ResourceMap<Stat | null>;
  machineCpu: Stat | null;
  appCpu: Stat | null;
  /** The limit in force per resource; null: not checked (no threshold, or the card's session limit is unknown). */
  limits: ResourceMap<number | null>;
  samples: number;
  /** What the viewers received over the window; null when no probe instance has a stream. */
  stream?: StepStream | null;
}

/** Stream figures of one window: the slowest stream, the mean bitrate, the most freezing stream. */
export interface StepStream {
  /** Mean fps of the slowest stream over the window, and which instance it was. */
  slowestFps: number | null;
  slowestN: number | null;
  meanMbps: number | null;
  /** Freezes per minute of the most freezing stream, and which instance. */
  freezesPerMin: number | null;
  freezesN: number | null;
  /** Instances whose stream had no figures for most of the window, with the reason. */
  unmeasured: { n: number; reason: string }[];
  /** StreamCap's viewers, mean % of the machine (left out of the CPU figure). */
  viewerCpu: number | null;
  streams: number;
}

/** Quality of a step's streams against the probe's thresholds. */
export interface StreamVerdict {
  ok: boolean;
  figure: 'fps' | 'freezes' | 'notMeasured' | null;
  n: number | null;
  value: number | null;
  limit: number | null;
}

export function streamWindow(readings: readonly Reading[]): StepStream | null {
  const per = new Map<number, { fps: number[]; mbps: number[]; freezes: number[]; missing: number; reason: string | null; seen: number }>();
  for (const r of readings) {
    for (const x of r.streams ?? []) {
      const e = per.get(x.n) ?? { fps: [], mbps: [], freezes: [], missing: 0, reason: null, seen: 0 };
      e.seen++;
      if (x.fps === null) {
        e.missing++;
        e.reason = x.reason;
      } else {
        e.fps.push(x.fps);
        e.mbps.push(x.mbps ?? 0);
        e.freezes.push(x.freezes ?? 0);
      }
      per.set(x.n, e);
    }
  }
  if (per.size === 0) return null;
  const windowMin = readings.length >= 2 ? (readings.at(-1)!.t - readings[0]!.t) / 60000 : 0;
  let slowestFps: number | null = null;
  let slowestN: number | null = null;
  let worstFreeze: number | null = null;
  let freezesN: number | null = null;
  const mbps: number[] = [];
  const unmeasured: { n: number; reason: string }[] = [];
  for (const [n, e] of [...per].sort((a, b) => a[0] - b[0])) {
    if (e.fps.length === 0 || e.missing > e.seen / 2) {
      unmeasured.push({ n, reason: e.reason ?? 'no figures' });
      continue;
    }
    const fps = e.fps.reduce((a, b) => a + b, 0) / e.fps.length;
    if (slowestFps === null || fps < slowestFps) [slowestFps, slowestN] = [fps, n];
    mbps.push(e.mbps.reduce((a, b) => a + b, 0) / e.mbps.length);
    const perMin = windowMin > 0 ? Math.max(0, e.freezes.at(-1)! - e.freezes[0]!) / windowMin : 0;
    if (worstFreeze === null || perMin > worstFreeze) [worstFreeze, freezesN] = [perMin, n];
  }
  const vc = readings.map((r) => r.viewerCpu).filter((v): v is number => typeof v === 'number');
  return {
    slowestFps,
    slowestN,
    meanMbps: mbps.length ? mbps.reduce((a, b) => a + b, 0) / mbps.length : null,
    freezesPerMin: worstFreeze,
    freezesN,
    unmeasured,
    viewerCpu: vc.length ? vc.reduce((a, b) => a + b, 0) / vc.length : null,
    streams: per.size,
  };
}

/**
 * A step's streams against the thresholds: the slowest stream at least `minFpsRatio` of
 * the reference (the slowest stream at 1 instance), no stream freezing more than
 * `maxFreezesPerMin`, and every stream measured (a stream that cannot be watched has degraded).
 */
export function judgeStreams(w: StepStream | null | undefined, referenceFps: number | null, settings: Pick<ProbeSettings, 'minFpsRatio' | 'maxFreezesPerMin'>): StreamVerdict {
  const ok: StreamVerdict = { ok: true, figure: null, n: null, value: null, limit: null };
  if (!w) return ok;
  if (w.unmeasured.length > 0) return { ok: false, figure: 'notMeasured', n: w.unmeasured[0]!.n, value: null, limit: null };
  if (referenceFps !== null && w.slowestFps !== null && w.slowestFps < settings.minFpsRatio * referenceFps) {
    return { ok: false, figure: 'fps', n: w.slowestN, value: w.slowestFps, limit: settings.minFpsRatio * referenceFps };
  }
  if (w.freezesPerMin !== null && w.freezesPerMin > settings.maxFreezesPerMin) return { ok: false, figure: 'freezes', n: w.freezesN, value: w.freezesPerMin, limit: settings.maxFreezesPerMin };
  return ok;
}

/**
 * Statistics of one window (`baselineCpu` null: the idle baseline itself). With the app
 * basis, CPU = the baseline's median + the probe's trees, and the baseline's CPU "mean"
 * is its median; `machineCpu` always holds the whole machine's own statistics.
 */
export function windowStats(readings: readonly Reading[], thresholds: Thresholds, basis: CpuBasis, baselineCpu: number | null): WindowStats {
  const col = (k: keyof Reading) => readings.map((r) => r[k]).filter((v): v is number => typeof v === 'number');
  const machineCpu = stats(col('cpu'));
  const appCpu = stats(col('appCpu'));
  // App basis: steps add the probe's trees to the idle level; the baseline window itself
  // decides on its median (the idle level: a blip of other work is not idle load).
  const cpu = basis !== 'app' ? machineCpu : baselineCpu !== null ? stats(col('appCpu').map((v) => baselineCpu + v)) : machineCpu && { ...machineCpu, mean: machineCpu.median };
  const cardLimit = maxOf(readings.map((r) => r.encoderSessionLimit));
  const s: ResourceMap<Stat | null> = {
    cpu,
    memory: stats(col('memory')),
    gpu: stats(col('gpu')),
    gpuMemory: stats(col('gpuMemory')),
    encoder: stats(col('encoder')),
    encoderSessions: stats(col('encoderSessions')),
  };
  const limits = resourceMap<number | null>((r) => {
    if (!s[r]) return null;
    if (r === 'encoderSessions') return thresholds.encoderSessions ?? cardLimit;
    return thresholds[r];
  });
  return { stats: s, machineCpu, appCpu, limits, samples: readings.length, stream: streamWindow(readings) };
}

// ---- The verdict on one window ------------------------------------------------------

export interface WindowVerdict {
  decision: 'pass' | 'fail' | 'extend';
  /** Resources whose window mean reached the limit, most exceeded first. */
  breached: Resource[];
  /** Resources whose 95 % interval of the mean straddles the limit. */
  uncertain: Resource[];
  /** Encoder sessions reached the card's limit: the next instance gets no hardware encoder. */
  saturated: boolean;
  /** Decided at the window's cap although readings were too unsteady to be sure. */
  noisy: boolean;
}

/**
 * Decides on the window MEAN. Where a resource's 95 % interval straddles its limit the
 * readings are too unsteady to decide: extend the window while `canExtend`, then decide
 * on the mean and say it was noisy.
 */
export function judgeWindow(w: Pick<WindowStats, 'stats' | 'limits'>, canExtend: boolean): WindowVerdict {
  const over: { r: Resource; ratio: number }[] = [];
  const uncertain: Resource[] = [];
  let saturated = false;
  let certainBreach = false;
  for (const r of RESOURCES) {
    const s = w.stats[r];
    const limit = w.limits[r];
    if (!s || limit === null) continue;
    if (r === 'encoderSessions') {
      // Sessions are counts: over the limit is a breach, at the limit is saturation.
      if (s.mean > limit + 0.25) {
        over.push({ r, ratio: s.mean / limit });
        certainBreach = true;
      } else if (s.mean >= limit - 0.5) saturated = true;
      continue;
    }
    const h = ciHalfWidth(s);
    const breached = s.mean >= limit;
    if (breached) over.push({ r, ratio: s.mean / limit });
    if (s.mean - h < limit && limit <= s.mean + h) uncertain.push(r);
    else if (breached) certainBreach = true;
  }
  const breached = over.sort((a, b) => b.ratio - a.ratio).map((o) => o.r);
  if (certainBreach) return { decision: 'fail', breached, uncertain, saturated, noisy: false };
  if (uncertain.length > 0 && canExtend) return { decision: 'extend', breached, uncertain, saturated, noisy: false };
  return { decision: breached.length > 0 ? 'fail' : 'pass', breached, uncertain, saturated, noisy: uncertain.length > 0 };
}
