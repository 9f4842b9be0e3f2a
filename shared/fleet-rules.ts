// The fleet's pure rules: a member's state from when it was last heard, its stress
// (highest load ÷ its threshold, as Jitsi's videobridge reports it: 1 = full), its free
// places from its own admission snapshot, and where the front door's line goes —
// first come, first served, each person to the least stressed server with a place
// they can take, never a draining or offline one.
import type { AdmissionSnapshot, Want } from './admission-rules';
import type { Snapshot } from './contract';
import { DEFAULT_THRESHOLDS } from './probe';
import type { MemberState } from './wire/fleet';

/** Not heard for this long: stale (figures shown as old). */
export const STALE_AFTER_MS = 2000;
/** Not heard for this long: offline (figures dropped; its people go back to the front of the line). Shown within 5 s. */
export const OFFLINE_AFTER_MS = 4000;

/** refused: nothing listens at its address now (connection refused): offline at once, not after the wait. */
export function memberState(lastHeardAt: number | null, now: number, refused = false): MemberState {
  if (lastHeardAt === null || refused) return 'offline';
  const age = now - lastHeardAt;
  return age <= STALE_AFTER_MS ? 'online' : age <= OFFLINE_AFTER_MS ? 'stale' : 'offline';
}

export interface Loads {
  cpu: number | null;
  memory: number | null;
  gpu: number | null;
  gpuMemory: number | null;
  encoder: number | null;
}

/** The probe's default thresholds as ratios 0–1 (the same figures /metrics exports). */
export const LOAD_THRESHOLDS: Record<keyof Loads, number> = {
  cpu: DEFAULT_THRESHOLDS.cpu / 100,
  memory: DEFAULT_THRESHOLDS.memory / 100,
  gpu: DEFAULT_THRESHOLDS.gpu / 100,
  gpuMemory: DEFAULT_THRESHOLDS.gpuMemory / 100,
  encoder: DEFAULT_THRESHOLDS.encoder / 100,
};

const busiest = (xs: (number | null)[]): number | null => {
  const ok = xs.filter((x): x is number => x != null && Number.isFinite(x));
  return ok.length ? Math.max(...ok) : null;
};

/** A sample's loads 0–1: the machine's CPU and memory, the busiest GPU's engine, memory and encoder. */
export function loadsOf(s: Snapshot): Loads {
  const g = s.gpus.ok ? s.gpus.value : [];
  return {
    cpu: s.system.cpu / 100,
    memory: s.system.memory.percent / 100,
    gpu: busiest(g.map((d) => (d.utilization == null ? null : d.utilization / 100))),
    gpuMemory: busiest(g.map((d) => (d.memoryUsedMB != null && d.memoryTotalMB ? d.memoryUsedMB / d.memoryTotalMB : null))),
    encoder: busiest(g.map((d) => (d.encoderUtilization == null ? null : d.encoderUtilization / 100))),
  };
}

/** Highest load ÷ its threshold over the measured loads; null when none is measured. */
export function stressOf(loads: Loads, thresholds: Record<keyof Loads, number> = LOAD_THRESHOLDS): number | null {
  let worst: number | null = null;
  for (const k of Object.keys(thresholds) as (keyof Loads)[]) {
    const v = loads[k];
    if (v == null || !Number.isFinite(v)) continue;
    const s = v / thresholds[k];
    if (worst === null || s > worst) worst = s;
  }
  return worst;
}

/** What a member can take now, by its own admission rules. */
export interface Places {
  /** Operator seats nobody holds, less the people in its own line who want one. */
  seats: number;
  /** Spectator places beside an operator, less its own line's watchers. */
  spectators: number;
  /** Streams the uplink has left (capped policy); Infinity when open. */
  streams: number;
}

/** Free places of a member from its admission snapshot; none while it is paused or draining. */
export function placesOf(a: Pick<AdmissionSnapshot, 'config' | 'seats' | 'queueWants' | 'bandwidth'>): Places {
  if (a.config.paused || a.config.draining) return { seats: 0, spectators: 0, streams: 0 };
  // The whole line's wants (the snapshot's queue is only its first page).
  const seatWanted = a.queueWants.seats;
  const watchWanted = a.queueWants.spectators;
  const freeSeats = a.seats.filter((s) => s.operator === null).length;
  const spectatorRoom = a.seats.reduce((n, s) => n + (s.operator ? Math.max(0, a.config.spectatorsPerInstance - s.spectators.length) : 0), 0);
  const streams = a.config.policy === 'capped' ? Math.max(0, a.bandwidth.capStreams - a.bandwidth.streams) : Infinity;
  return { seats: Math.max(0, freeSeats - seatWanted), spectators: Math.max(0, spectatorRoom - watchWanted), streams };
}

export interface Candidate {
  name: string;
  /** Online and not draining. */
  eligible: boolean;
  stress: number | null;
  places: Places;
}

export type PlaceKind = 'seat' | 'spectator';
export interface Placement {
  id: string;
  server: string;
  kind: PlaceKind;
}

/** The kinds of place a want takes, in the order it prefers them. */
export function kindsFor(want: Want): PlaceKind[] {
  return want === 'operate' ? ['seat'] : want === 'watch' ? ['spectator'] : ['seat', 'spectator'];
}

const hasRoom = (p: Places, k: PlaceKind) => p.streams >= 1 && (k === 'seat' ? p.seats : p.spectators) >= 1;

/**
 * Where the line goes, in order: each person, first come first, to the least stressed
 * eligible server with a place of a kind they take (ties: the most free places, then
 * the name). A person no server has room for waits, and nobody behind them takes a
 * place of a kind they would have taken. Pure: the candidates are not changed.
 */
export function placeLine(line: readonly { id: string; want: Want }[], candidates: readonly Candidate[]): Placement[] {
  const pool = candidates.filter((c) => c.eligible).map((c) => ({ name: c.name, stress: c.stress ?? 0, places: { ...c.places } }));
  const out: Placement[] = [];
  if (pool.length === 0) return out;
  const blocked = new Set<PlaceKind>(); // kinds nobody has left: everyone behind who takes only these waits too
  for (const p of line) {
    const kinds = kindsFor(p.want);
    if (kinds.every((k) => blocked.has(k))) continue;
    let placed = false;
    for (const kind of kinds) {
      if (blocked.has(kind)) continue;
      let best: (typeof pool)[number] | null = null;
      for (const c of pool) {
        if (!hasRoom(c.places, kind)) continue;
        if (
          !best ||
          c.stress < best.stress ||
          (c.stress === best.stress && (free(c.places, kind) > free(best.places, kind) || (free(c.places, kind) === free(best.places, kind) && c.name < best.name)))
        )
          best = c;
      }
      if (!best) {
        blocked.add(kind);
        continue;
      }
      if (kind === 'seat') best.places.seats--;
      else best.places.spectators--;
      best.places.streams--;
      out.push({ id: p.id, server: best.name, kind });
      placed = true;
      break;
    }
    if (!placed) for (const k of kinds) blocked.add(k);
  }
  return out;
}

function free(p: Places, k: PlaceKind): number {
  return Math.min(p.streams, k === 'seat' ? p.seats : p.spectators);
}

/** p-th percentile (0–100) of a list, nearest rank; null when empty. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
