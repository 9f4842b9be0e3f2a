// The records of a run: steps, result, the run itself, its summary, the live view.
import type { HostInfo } from '../wire/samples';
import type { Move, StepVerdict } from './plan';
import type { Reading } from './readings';
import type { LimitReason, Resource, ResourceMap } from './resources';
import type { ProbeSettings } from './settings';
import type { StreamVerdict, WindowStats } from './window';

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
