// Capacity probe: the decisions, as pure functions. The runner
// (electron/core/probe-runner.ts) measures and launches; everything it decides —
// is this window steady enough, did this step breach, how many instances next,
// what is the capacity — is decided here, so it can be tested with synthetic load
// curves. No I/O, no DOM, no node:.
//
// The method, the field's manual one automated: open instances one by one (each in
// its heaviest scene) and stop when CPU or GPU reaches ~85 % (one vendor says 80 %).
// Capacity = the largest count whose steady load stayed under every threshold. The
// smart ramp measures 1 and 2 instances, fits load = a + b·n by least squares
// (baseline included), jumps to just below the predicted capacity and confirms the
// boundary step by step; it must agree with the plain ramp.
import { z } from 'zod';
import type { HostInfo, Snapshot } from './contract';

export const RESOURCES = ['cpu', 'gpu', 'gpuMemory', 'memory', 'encoder', 'encoderSessions'] as const;
export type Resource = (typeof RESOURCES)[number];
export type LimitReason = Resource | 'instanceExit' | 'maxInstances' | 'streamQuality';
export type Strategy = 'smart' | 'linear';
/**
 * machine: the whole machine's CPU (the field's method). app: the idle baseline (its
 * median: a blip of other work during it is not the idle load) plus the probe's own
 * process trees — other work that starts later does not count.
 */
export type CpuBasis = 'machine' | 'app';

export interface Thresholds {
  /** % of the machine. */
  cpu: number;
  /** % of the busiest GPU. */
  gpu: number;
  /** % of the fullest GPU's memory. */
  gpuMemory: number;
  /** % of RAM. */
  memory: number;
  /** % encoder (NVENC) utilisation of the busiest GPU. */
  encoder: number;
  /** Most concurrent encoder sessions; null: the card's own limit where the driver reports one. */
  encoderSessions: number | null;
}

export const DEFAULT_THRESHOLDS: Thresholds = { cpu: 85, gpu: 85, gpuMemory: 90, memory: 90, encoder: 85, encoderSessions: null };

const pct = z.number().min(1).max(100);
export const ThresholdsSchema = z
  .object({
    cpu: pct,
    gpu: pct,
    gpuMemory: pct,
    memory: pct,
    encoder: pct,
    encoderSessions: z.number().int().min(1).max(1000).nullable(),
  })
  .strict();

export const ProbeSettingsSchema = z
  .object({
    thresholds: ThresholdsSchema.partial().default({}),
    /** Time for a new instance to reach its heavy scene before its load counts. */
    warmupSec: z.number().min(0).max(3600).default(20),
    /** Steady-load window averaged per step. */
    settleSec: z.number().min(0.5).max(3600).default(10),
    /** The window may grow to this when readings are too unsteady to decide (default 3 × settle). */
    maxSettleSec: z.number().min(0.5).max(10800).optional(),
    maxInstances: z.number().int().min(1).max(64).default(16),
    strategy: z.enum(['smart', 'linear']).default('smart'),
    leaveRunning: z.boolean().default(false),
    cpuBasis: z.enum(['machine', 'app']).default('machine'),
    /** Measuring viewers per instance (default: 1 when the profile has stream settings, else 0): the operator, and more for spectators. */
    viewersPerInstance: z.number().int().min(0).max(8).optional(),
    /** Stream quality a step must keep: the slowest stream's fps ≥ ratio × the fps at 1 instance; freezes per minute per stream at most. */
    minFpsRatio: z.number().min(0.1).max(1).default(0.9),
    maxFreezesPerMin: z.number().min(0).max(600).default(1),
  })
  .strict();
export type ProbeSettingsInput = z.input<typeof ProbeSettingsSchema>;

export interface ProbeSettings {
  thresholds: Thresholds;
  warmupSec: number;
  settleSec: number;
  maxSettleSec: number;
  maxInstances: number;
  strategy: Strategy;
  leaveRunning: boolean;
  cpuBasis: CpuBasis;
  /** null: the profile's own stream settings decide (1 viewer when it has them). */
  viewersPerInstance: number | null;
  minFpsRatio: number;
  maxFreezesPerMin: number;
}

/** Fills defaults: thresholds per resource, the window cap. */
export function resolveSettings(input: z.output<typeof ProbeSettingsSchema>): ProbeSettings {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  return {
    thresholds,
    warmupSec: input.warmupSec,
    settleSec: input.settleSec,
    maxSettleSec: Math.max(input.settleSec, input.maxSettleSec ?? input.settleSec * 3),
    maxInstances: input.maxInstances,
    strategy: input.strategy,
    leaveRunning: input.leaveRunning,
    cpuBasis: input.cpuBasis,
    viewersPerInstance: input.viewersPerInstance ?? null,
    minFpsRatio: input.minFpsRatio,
    maxFreezesPerMin: input.maxFreezesPerMin,
  };
}

// ---- Readings -------------------------------------------------------------------

/** One sample reduced to what the probe decides on. null: not measured in this sample. */
export interface Reading {
  t: number;
  /** % of the machine. */
  cpu: number;
  /** The probe's own instances (their whole process trees), % of the machine. */
  appCpu: number | null;
  memory: number;
  gpu: number | null;
  gpuMemory: number | null;
  encoder: number | null;
  encoderSessions: number | null;
  /** The session cap of the system's capped cards (null: no cap, or not known). */
  encoderSessionLimit: number | null;
  /** The probe's instances that have a stream: its figures this sample (null: not measured). */
  streams?: { n: number; fps: number | null; mbps: number | null; freezes: number | null; reason: string | null }[];
  /** StreamCap's measuring viewers, % of the machine (left out of `cpu`). */
  viewerCpu?: number | null;
}

const maxOf = (xs: (number | null | undefined)[]): number | null => {
  let m: number | null = null;
  for (const x of xs) if (typeof x === 'number' && Number.isFinite(x)) m = m === null ? x : Math.max(m, x);
  return m;
};

/** Reduces a snapshot: the busiest GPU counts (the first to reach its limit caps the server). */
export function readingOf(s: Snapshot, probeIds: ReadonlySet<string>, cores: number): Reading {
  const gpus = s.gpus.ok && !s.gpus.stale ? s.gpus.value : [];
  let appCpu: number | null = null;
  for (const i of s.instances) {
    if (!probeIds.has(i.id) || i.cpu === null) continue;
    appCpu = (appCpu ?? 0) + i.cpu / Math.max(1, cores);
  }
  // A capped card's limit is shared by all capped cards of the system (GeForce: 8 per
  // system), so their sessions add up; cards without a cap only count when none has one.
  let sessions: number | null = null;
  let capped: number | null = null;
  let limit: number | null = null;
  for (const g of gpus) {
    if (g.encoderSessions === null) continue;
    sessions = (sessions ?? 0) + g.encoderSessions;
    const lim = g.encoderSessionLimit;
    if (typeof lim === 'number' && lim > 0) {
      capped = (capped ?? 0) + g.encoderSessions;
      limit = limit === null ? lim : Math.min(limit, lim);
    }
  }
  if (capped !== null) sessions = capped;
  // The viewers are StreamCap's measuring instrument, not the app: their CPU is left out.
  const viewerCpu = s.viewers?.cpu != null ? s.viewers.cpu / Math.max(1, cores) : null;
  const streams = s.instances
    .filter((i) => probeIds.has(i.id) && i.stream)
    .map((i) =>
      i.stream!.ok
        ? { n: i.n, fps: i.stream!.value.fps, mbps: i.stream!.value.mbps, freezes: i.stream!.value.freezes, reason: null }
        : { n: i.n, fps: null, mbps: null, freezes: null, reason: i.stream!.reason },
    );
  return {
    t: s.t,
    cpu: Math.max(0, s.system.cpu - (viewerCpu ?? 0)),
    viewerCpu,
    streams,
    appCpu: probeIds.size === 0 ? 0 : appCpu,
    memory: s.system.memory.percent,
    gpu: maxOf(gpus.map((g) => g.utilization)),
    gpuMemory: maxOf(gpus.map((g) => (g.memoryUsedMB !== null && g.memoryTotalMB ? (g.memoryUsedMB / g.memoryTotalMB) * 100 : null))),
    encoder: maxOf(gpus.map((g) => g.encoderUtilization)),
    encoderSessions: sessions,
    encoderSessionLimit: limit,
  };
}

// ---- Statistics -------------------------------------------------------------------

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

export type ResourceMap<T> = Record<Resource, T>;
export const resourceMap = <T>(f: (r: Resource) => T): ResourceMap<T> => Object.fromEntries(RESOURCES.map((r) => [r, f(r)])) as ResourceMap<T>;

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

// ---- Fitting and prediction -----------------------------------------------------------

export interface Line {
  intercept: number;
  slope: number;
}

/** Least squares y = a + b·x; null with fewer than two distinct x. */
export function fitLine(points: readonly { x: number; y: number }[]): Line | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

/** Below this growth per instance a resource is flat: it predicts no limit. */
const FLAT_SLOPE = 0.05;

/**
 * The largest count n ≥ 0 whose predicted load a + b·n stays below `limit − margin`;
 * Infinity when the load does not grow with instances.
 */
export function predictCapacity(line: Line, limit: number, margin = 0): number {
  if (line.slope <= FLAT_SLOPE) return Infinity;
  const n = Math.ceil((limit - margin - line.intercept) / line.slope) - 1;
  return Math.max(0, n);
}

// ---- The ramp -----------------------------------------------------------------------

export type StepVerdict = 'pass' | 'fail' | 'saturated';
export type Move = 'step' | 'jump' | 'backoff';

/** What the planner needs of a measured step. */
export interface PlanStep {
  count: number;
  verdict: StepVerdict;
  breached: Resource[];
  exited: boolean;
  /** Failed on stream quality (frame rate, freezes, a stream that could not be watched). */
  quality?: boolean;
  /** Window means of the resources with a limit in force (for the fit). */
  means: Partial<Record<Resource, number>>;
}

export interface PlanInput {
  strategy: Strategy;
  maxInstances: number;
  baseline: { means: Partial<Record<Resource, number>>; breached: Resource[]; saturated: boolean };
  steps: readonly PlanStep[];
  /** Limits in force, per resource. */
  limits: Partial<Record<Resource, number | null>>;
}

export type PlanDecision = { kind: 'measure'; count: number; move: Move } | { kind: 'done'; capacity: number; limitedBy: LimitReason; limitAt: number | null };

/** Per resource: the fitted line through the baseline and every step with load data. */
export function fitResources(input: Pick<PlanInput, 'baseline' | 'steps' | 'limits'>): Partial<Record<Resource, Line>> {
  const out: Partial<Record<Resource, Line>> = {};
  for (const r of RESOURCES) {
    const limit = input.limits[r];
    if (limit === null || limit === undefined) continue;
    // Session counts stop at the cap (later instances fall back to software): fit below it.
    const usable = (y: number) => r !== 'encoderSessions' || y < limit - 0.5;
    const pts: { x: number; y: number }[] = [];
    const b = input.baseline.means[r];
    if (b !== undefined && usable(b)) pts.push({ x: 0, y: b });
    for (const s of input.steps) if (!s.exited && s.means[r] !== undefined && usable(s.means[r]!)) pts.push({ x: s.count, y: s.means[r]! });
    const line = fitLine(pts);
    if (line) out[r] = line;
  }
  return out;
}

/** Predicted capacity per resource from the fit (Infinity: the resource does not grow). */
export function predictions(input: Pick<PlanInput, 'baseline' | 'steps' | 'limits'>, marginShare = 0): Partial<Record<Resource, number>> {
  const lines = fitResources(input);
  const out: Partial<Record<Resource, number>> = {};
  for (const [r, line] of Object.entries(lines) as [Resource, Line][]) {
    out[r] = predictCapacity(line, input.limits[r]!, Math.max(0, line.slope) * marginShare);
  }
  return out;
}

/**
 * The largest count between `lo` and `hi` whose load, interpolated linearly between the
 * two measured counts, stays under every limit the load crosses there; null if none does.
 */
export function secantCapacity(
  lo: number,
  loMeans: Partial<Record<Resource, number>>,
  hi: number,
  hiMeans: Partial<Record<Resource, number>>,
  limits: Partial<Record<Resource, number | null>>,
): number | null {
  let best: number | null = null;
  for (const r of RESOURCES) {
    const limit = limits[r];
    const a = loMeans[r];
    const b = hiMeans[r];
    if (limit === null || limit === undefined || a === undefined || b === undefined || r === 'encoderSessions') continue;
    if (!(a < limit && b >= limit && b > a)) continue;
    const crossing = lo + ((limit - a) / (b - a)) * (hi - lo);
    const n = Math.ceil(crossing) - 1;
    best = best === null ? n : Math.min(best, n);
  }
  return best;
}

/**
 * Share of one instance's load kept below the threshold when jumping. 0: jump to the
 * largest count predicted to stay under it. Overshooting by one costs nothing (the
 * refit lands on the count below, which is then the answer); undershooting costs a step.
 */
export const JUMP_MARGIN = 0;

/**
 * The next instance count to measure, or the capacity. Counts measured so far bound
 * the answer: `good` = the largest passing count below `bad`, the smallest failing one.
 * Every move measures a count strictly between them, so the ramp ends.
 */
export function planNext(input: PlanInput): PlanDecision {
  const { baseline, steps, maxInstances } = input;
  if (baseline.breached.length > 0) return { kind: 'done', capacity: 0, limitedBy: baseline.breached[0]!, limitAt: 0 };
  if (baseline.saturated) return { kind: 'done', capacity: 0, limitedBy: 'encoderSessions', limitAt: 1 };

  let bad = Infinity;
  let badStep: PlanStep | null = null;
  for (const s of steps) if (s.verdict === 'fail' && s.count < bad) [bad, badStep] = [s.count, s];
  let good = 0;
  for (const s of steps) if (s.verdict === 'pass' && s.count < bad) good = Math.max(good, s.count);
  // Sessions at the cap one above a passing count: that instance was the last to get an encoder.
  if (steps.some((s) => s.verdict === 'saturated' && s.count === good + 1 && s.count < bad)) {
    return { kind: 'done', capacity: good + 1, limitedBy: 'encoderSessions', limitAt: good + 2 };
  }
  if (bad === good + 1) {
    const limitedBy: LimitReason = badStep!.exited ? 'instanceExit' : (badStep!.breached[0] ?? (badStep!.quality ? 'streamQuality' : 'cpu'));
    return { kind: 'done', capacity: good, limitedBy, limitAt: bad };
  }
  if (good >= maxInstances) return { kind: 'done', capacity: maxInstances, limitedBy: 'maxInstances', limitAt: null };

  // Saturation reached by a jump: some of those instances may have missed an encoder; search below it.
  let upper = Math.min(bad, maxInstances + 1);
  for (const s of steps) if (s.verdict === 'saturated' && s.count > good && s.count < upper) upper = s.count;
  const next = good + 1;
  const measuredUp = steps.filter((s) => s.count > 0 && !s.exited).length;
  if (input.strategy === 'linear' || measuredUp < 2 || upper <= next + 1) return { kind: 'measure', count: next, move: bad < Infinity ? 'backoff' : 'step' };
  // After a failure by exit there is no load to fit: step up from the last good count.
  if (badStep?.exited && bad < Infinity) return { kind: 'measure', count: next, move: 'backoff' };

  // Both ends of the boundary measured: interpolate between them (a secant), which follows a
  // curved load far better than a straight line fitted through every point.
  const goodMeans = good === 0 ? baseline.means : steps.find((s) => s.count === good && s.verdict === 'pass')?.means;
  if (badStep && !badStep.exited && goodMeans) {
    const between = secantCapacity(good, goodMeans, bad, badStep.means, input.limits);
    if (between !== null) return { kind: 'measure', count: Math.min(Math.max(between, next), upper - 1), move: 'backoff' };
  }
  // After a jump passed, the marginal load up there (the secant through the two highest
  // passing counts) predicts better than a line dominated by the first steps: a curved
  // load (the first instance costs more, contention later) is nearly straight locally.
  const passing = steps.filter((s) => s.verdict === 'pass' && s.count < bad).sort((a, b) => b.count - a.count);
  const [top, below] = passing;
  let predicted: number[];
  if (top && below && top.count - below.count >= 2) {
    predicted = [];
    for (const r of RESOURCES) {
      const limit = input.limits[r];
      const y1 = below.means[r];
      const y2 = top.means[r];
      if (limit === null || limit === undefined || y1 === undefined || y2 === undefined || r === 'encoderSessions') continue;
      const slope = (y2 - y1) / (top.count - below.count);
      predicted.push(predictCapacity({ intercept: y2 - slope * top.count, slope }, limit, Math.max(0, slope) * JUMP_MARGIN));
    }
    // Sessions keep their own fit below the cap.
    const sessions = predictions(input, JUMP_MARGIN).encoderSessions;
    if (sessions !== undefined) predicted.push(sessions);
  } else {
    predicted = Object.values(predictions(input, JUMP_MARGIN));
  }
  let target: number;
  if (predicted.length === 0 || predicted.every((p) => p === Infinity)) {
    // Nothing grows with instances: double up until something does or the maximum is reached.
    target = Math.max(next, good * 2);
  } else {
    target = Math.min(...predicted);
  }
  target = Math.min(Math.max(target, next), upper - 1);
  const move: Move = bad < Infinity ? 'backoff' : target > next ? 'jump' : 'step';
  return { kind: 'measure', count: target, move };
}

// ---- Records -------------------------------------------------------------------------

export interface InstanceExit {
  n: number;
  exitCode: number | null;
  signal: string | null;
  reason: string;
  lastLines: string[];
}

export interface ProbeWindow extends WindowStats {
  windowSec: number;
  /** How many times the window was extended (by half a settle window) because the readings were unsteady. */
  extended: number;
  verdict: StepVerdict;
  breached: Resource[];
  uncertain: Resource[];
  noisy: boolean;
  /** The streams against the quality thresholds (absent in runs without streams). */
  quality?: StreamVerdict;
}

export interface ProbeStep extends ProbeWindow {
  index: number;
  count: number;
  /** Instances added (negative: stopped) to reach this count. */
  added: number;
  move: Move;
  startedAt: number;
  endedAt: number;
  exit: InstanceExit | null;
}

export interface NotMeasured {
  resource: Resource;
  reason: string;
}

export interface ProbeResult {
  capacity: number;
  limitedBy: LimitReason;
  /** The instance count at which the limit was hit; null when the probe stopped at its maximum. */
  limitAt: number | null;
  /** Over their limit at limitAt, most exceeded first. */
  breached: Resource[];
  exit: InstanceExit | null;
  /** At limitAt, when stream quality limited: which figure of which stream. */
  quality?: StreamVerdict | null;
  /** The slowest stream's fps at capacity, and the viewers' mean cost there (% of the machine). */
  fpsAtCapacity?: number | null;
  viewerCpuAtCapacity?: number | null;
  /** Window mean at capacity (the baseline for capacity 0). */
  atCapacity: ResourceMap<number | null>;
  /** Limit − mean at capacity: percentage points (sessions for encoderSessions). */
  headroom: ResourceMap<number | null>;
  /** Marginal load of one more instance, from the least-squares fit. */
  perInstance: Partial<Record<Resource, number>>;
  /** Capacity each resource alone predicts (null: does not grow with instances). */
  predicted: Partial<Record<Resource, number | null>>;
  notMeasured: NotMeasured[];
  /** A deciding window stayed too unsteady to be sure, even extended. */
  noisy: boolean;
}

export type ProbeState = 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';

export interface ProbeApp {
  profileId: string;
  name: string;
  exe: string;
  args: string[];
  cwd: string;
}

export type ProbeHost = Omit<HostInfo, 'dataDir' | 'locale' | 'sampleIntervalMs'> & { gpuMemoryMB: (number | null)[] };

export const PROBE_FORMAT = 'streamcap.probe/1';

export interface ProbeRun {
  format: typeof PROBE_FORMAT;
  id: string;
  state: ProbeState;
  error: string | null;
  startedAt: number;
  endedAt: number | null;
  durationSec: number | null;
  host: ProbeHost;
  app: ProbeApp;
  settings: ProbeSettings;
  /** Instances of other profiles running when the probe started (their load is in the baseline). */
  otherInstances: number;
  sampleIntervalMs: number;
  baseline: ProbeWindow | null;
  steps: ProbeStep[];
  result: ProbeResult | null;
}

export interface ProbeSummary {
  id: string;
  state: ProbeState;
  startedAt: number;
  durationSec: number | null;
  appName: string;
  hostname: string;
  capacity: number | null;
  limitedBy: LimitReason | null;
  steps: number;
}

export function summarize(run: ProbeRun): ProbeSummary {
  return {
    id: run.id,
    state: run.state,
    startedAt: run.startedAt,
    durationSec: run.durationSec,
    appName: run.app.name,
    hostname: run.host.hostname,
    capacity: run.result?.capacity ?? null,
    limitedBy: run.result?.limitedBy ?? null,
    steps: run.steps.length,
  };
}

export type ProbePhase = 'baseline' | 'launching' | 'warmup' | 'settle' | 'scaling' | 'stopping' | 'done' | 'cancelled' | 'failed';

/** What the UI shows live: the run so far, the phase, and the latest reading. */
export interface ProbeLive {
  run: ProbeRun;
  phase: ProbePhase;
  /** Probe instances running now. */
  count: number;
  /** The count being measured. */
  target: number | null;
  move: Move | null;
  phaseEndsAt: number | null;
  timeLeftSec: number | null;
  /** Latest reading (with the count it was taken at), for the live chart. */
  reading: (Reading & { count: number; decisionCpu: number }) | null;
}

// ---- Helpers for the runner and the reports -----------------------------------------------

export function planStepOf(s: Pick<ProbeStep, 'count' | 'verdict' | 'breached' | 'exit' | 'stats' | 'limits' | 'quality'>): PlanStep {
  return { count: s.count, verdict: s.verdict, breached: s.breached, exited: s.exit !== null, quality: s.quality ? !s.quality.ok : false, means: meansOf(s) };
}

export function meansOf(w: Pick<WindowStats, 'stats' | 'limits'>): Partial<Record<Resource, number>> {
  const out: Partial<Record<Resource, number>> = {};
  for (const r of RESOURCES) if (w.stats[r] && w.limits[r] !== null) out[r] = w.stats[r]!.mean;
  return out;
}

/** The limits in force over the run: a resource counts once any window had a limit for it. */
export function limitsOf(run: Pick<ProbeRun, 'baseline' | 'steps'>): Partial<Record<Resource, number | null>> {
  const out: Partial<Record<Resource, number | null>> = {};
  for (const w of [run.baseline, ...run.steps]) {
    if (!w) continue;
    for (const r of RESOURCES) if (w.limits[r] !== null) out[r] = w.limits[r];
  }
  return out;
}

export function planInputOf(run: Pick<ProbeRun, 'baseline' | 'steps' | 'settings'>): PlanInput {
  const b = run.baseline;
  return {
    strategy: run.settings.strategy,
    maxInstances: run.settings.maxInstances,
    baseline: {
      means: b ? meansOf(b) : {},
      breached: b && b.verdict === 'fail' ? b.breached : [],
      saturated: b?.verdict === 'saturated',
    },
    steps: run.steps.map(planStepOf),
    limits: limitsOf(run),
  };
}

/** Why resources were not measured, from the windows seen (a resource measured in any window counts as measured). */
export function notMeasuredOf(run: Pick<ProbeRun, 'baseline' | 'steps'>, reasons: Partial<Record<Resource, string>>): NotMeasured[] {
  const windows = [run.baseline, ...run.steps].filter((w): w is ProbeWindow => w !== null);
  const out: NotMeasured[] = [];
  for (const r of RESOURCES) {
    const measured = windows.some((w) => w.stats[r] !== null);
    const checked = windows.some((w) => w.limits[r] !== null);
    if (!measured) out.push({ resource: r, reason: reasons[r] ?? 'no readings' });
    else if (!checked && r === 'encoderSessions') out.push({ resource: r, reason: 'the card reports no session limit and none was set' });
  }
  return out;
}

/** The result from the planner's decision and the measured windows. */
export function composeResult(run: Pick<ProbeRun, 'baseline' | 'steps' | 'settings'>, done: Extract<PlanDecision, { kind: 'done' }>, reasons: Partial<Record<Resource, string>> = {}): ProbeResult {
  const atStep = done.capacity === 0 ? run.baseline : ([...run.steps].reverse().find((s) => s.count === done.capacity && s.verdict !== 'fail') ?? null);
  const limitStep = done.limitAt === null ? null : (run.steps.find((s) => s.count === done.limitAt && s.verdict === 'fail') ?? null);
  const atCapacity = resourceMap((r) => atStep?.stats[r]?.mean ?? null);
  const headroom = resourceMap((r) => {
    const mean = atStep?.stats[r]?.mean;
    const limit = atStep?.limits[r];
    return mean === undefined || limit === null || limit === undefined ? null : limit - mean;
  });
  const input = planInputOf(run);
  const lines = fitResources(input);
  const perInstance: Partial<Record<Resource, number>> = {};
  const predicted: Partial<Record<Resource, number | null>> = {};
  for (const [r, line] of Object.entries(lines) as [Resource, Line][]) {
    perInstance[r] = line.slope;
    // Sessions may reach the cap (the instance that reaches it still got an encoder).
    const p = predictCapacity(line, input.limits[r]!) + (r === 'encoderSessions' ? 1 : 0);
    predicted[r] = p === Infinity ? null : p;
  }
  const deciding = [atStep, limitStep].filter((w): w is ProbeWindow => w !== null);
  return {
    capacity: done.capacity,
    limitedBy: done.limitedBy,
    limitAt: done.limitAt,
    breached: limitStep?.breached ?? (done.capacity === 0 && run.baseline?.verdict === 'fail' ? run.baseline.breached : []),
    exit: limitStep?.exit ?? null,
    quality: limitStep?.quality && !limitStep.quality.ok ? limitStep.quality : null,
    fpsAtCapacity: atStep?.stream?.slowestFps ?? null,
    viewerCpuAtCapacity: atStep?.stream?.viewerCpu ?? null,
    atCapacity,
    headroom,
    perInstance,
    predicted,
    notMeasured: notMeasuredOf(run, reasons),
    noisy: deciding.some((w) => w.noisy),
  };
}

/** Seconds one step costs: launches staggered, then warm-up, then the window. */
export function stepSeconds(settings: Pick<ProbeSettings, 'warmupSec' | 'settleSec'>, added: number, staggerSec: number): number {
  return Math.max(0, added - 1) * staggerSec + (added > 0 ? settings.warmupSec : 0) + settings.settleSec;
}

/**
 * Rough time left after the current step: the steps the ramp still expects (from the
 * fit once there is one), each costing warm-up + window. null until it can be guessed.
 */
export function estimateSecondsLeft(run: Pick<ProbeRun, 'baseline' | 'steps' | 'settings'>, staggerSec: number): number | null {
  const input = planInputOf(run);
  const decision = planNext(input);
  if (decision.kind === 'done') return 0;
  const preds = Object.values(predictions(input)).filter((p) => p !== Infinity);
  const good = Math.max(0, ...run.steps.filter((s) => s.verdict === 'pass').map((s) => s.count));
  const expected = preds.length ? Math.min(run.settings.maxInstances, Math.min(...preds)) : null;
  const per = stepSeconds(run.settings, 1, staggerSec);
  if (expected === null) {
    // Before a fit: the smart ramp needs its two first steps, a jump and a confirmation.
    return run.settings.strategy === 'smart' && run.steps.length < 2 ? (4 - run.steps.length) * per : null;
  }
  const linearLeft = Math.max(1, expected + 1 - good);
  if (run.settings.strategy === 'linear') return linearLeft * per;
  const jump = Math.max(0, decision.count - good);
  const jumpCost = stepSeconds(run.settings, jump, staggerSec);
  return Math.min(linearLeft * per, jumpCost + 2 * per);
}
