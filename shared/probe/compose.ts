// Helpers for the runner and the reports: plan input, limits, result, time left.
import { type Line, predictCapacity } from './fit';
import { type PlanDecision, type PlanInput, type PlanStep, fitResources, planNext, predictions } from './plan';
import type { NotMeasured, ProbeResult, ProbeRun, ProbeStep, ProbeWindow } from './records';
import { RESOURCES, type Resource, resourceMap } from './resources';
import type { ProbeSettings } from './settings';
import type { WindowStats } from './window';

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
