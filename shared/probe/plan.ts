// The ramp: which count to measure next, or the capacity.
import { type Line, fitLine, predictCapacity } from './fit';
import { type LimitReason, RESOURCES, type Resource } from './resources';
import type { Strategy } from './settings';

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
 * Share of one instance's load kept below the threshold when jumping. A jump that lands
 * on the capacity K or one above it ends the ramp in one more step (K passes, then K + 1
 * fails; or K + 1 fails and the secant lands on K); one below K costs a step more. The
 * prediction from the first steps runs low where each added instance costs slightly
 * less than the one before (contention on a loaded machine: measured on the 2-core VM,
 * bench:probe landed on 9 of 10 with 0), so the jump aims one instance's load above
 * the threshold: at the first count predicted to be over it.
 */
export const JUMP_MARGIN = -1;

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
    // Failed on stream quality alone: no load crosses a limit to interpolate on, and the
    // frame rate holds until the machine runs out, then falls off a cliff, so it does not
    // extrapolate either. Halve the interval (a step down at a time cost 4 steps from 8 to
    // 4 in the test with viewers; halving costs 3, and log₂ in general).
    if (badStep.quality && badStep.breached.length === 0) return { kind: 'measure', count: Math.min(Math.max(Math.floor((good + bad) / 2), next), upper - 1), move: 'backoff' };
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
