// One sample reduced to what the probe decides on.
import type { Snapshot } from '../wire/samples';

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

export const maxOf = (xs: (number | null | undefined)[]): number | null => {
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
