// Session admission: who gets a stream. With N operator seats, people beyond N
// spectate or wait; with a bandwidth cap, new people wait once the cap is reached.
//
// Pure rules. Every function takes a state and returns a new one plus the role
// changes it made; the service (electron/core/admission/service.ts) owns time, sockets,
// heartbeats and persistence. The invariants the property tests hold these to:
//   - no seat is given twice, no instance carries more spectators than allowed;
//   - no one is lost: every session has exactly one role, every queued one is in
//     the queue exactly once, and operators never are;
//   - first come, first served: nobody is admitted to a place that someone ahead
//     in the queue would have taken;
//   - under the "capped" policy the streams never exceed uplink / bitrate;
//   - no place stays free while someone who would take it waits (unless paused).
//
// "any" means "let me operate, and let me watch while I wait": such a person may
// be a spectator and still hold a place in the queue for a seat.
import { z } from 'zod';
import { checkTemplate, expandPlaceholders } from './placeholders';
import type { WilburStatus } from './wire/wilbur';

export const WANTS = ['operate', 'watch', 'any'] as const;
export type Want = (typeof WANTS)[number];
export type Role = 'operator' | 'spectator' | 'queued';
export const LEAVE_REASONS = ['left', 'timeout', 'kicked'] as const;
export type LeaveReason = (typeof LEAVE_REASONS)[number];

// ---- Configuration ------------------------------------------------------------

const ConfigShape = {
  /** Where the operator seats come from: one per running instance, the latest probe's capacity, or a number. */
  seatsFrom: z.enum(['instances', 'probe', 'manual']),
  /** Seats when seatsFrom is "manual". */
  seats: z.number().int().min(0).max(1000),
  spectatorsPerInstance: z.number().int().min(0).max(1000),
  bitrateMbps: z.number().positive().max(10_000),
  uplinkMbps: z.number().positive().max(1_000_000),
  /** open: admit everyone (streams stutter past the uplink); capped: queue once the bandwidth is used up. */
  policy: z.enum(['open', 'capped']),
  /** Paused: nobody new is admitted; everyone keeps their place. */
  paused: z.boolean(),
  /** Draining (a fleet takes this server out): nobody new may join; the people on it and in its line stay. */
  draining: z.boolean(),
  /** A client not heard from for this long loses its place. */
  heartbeatTimeoutSec: z.number().min(2).max(3600),
  /** The stream link shown to an admitted person: placeholders {n} (instance) and {i} (n - 1), e.g. http://render-01:{8080+i}/. */
  linkTemplate: z
    .string()
    .max(2048)
    .superRefine((s, ctx) => {
      const err = checkTemplate(s);
      if (err) ctx.addIssue({ code: 'custom', message: err });
    }),
  /** Epic's signalling server with --rest_api, read for its player counts ("" = off). */
  wilburUrl: z
    .string()
    .max(2048)
    .refine((s) => s === '' || /^https?:\/\/[^\s/]+/.test(s), 'signalling server URL: http://host:port'),
};

export const AdmissionConfigSchema = z.object(ConfigShape).strict();
export const AdmissionPatchSchema = z.object(ConfigShape).partial().strict();
export type AdmissionConfig = z.output<typeof AdmissionConfigSchema>;
export type AdmissionPatch = z.output<typeof AdmissionPatchSchema>;

export const DEFAULT_ADMISSION: AdmissionConfig = {
  seatsFrom: 'instances',
  seats: 4,
  spectatorsPerInstance: 4,
  bitrateMbps: 8,
  uplinkMbps: 1000,
  policy: 'capped',
  paused: false,
  draining: false,
  heartbeatTimeoutSec: 30,
  linkTemplate: '',
  wilburUrl: '',
};

/** What the rules need to know of the world: the seats (instance numbers), the spectator limit, the stream cap. */
export interface Limits {
  /** Instance numbers that carry an operator seat, in seat order. */
  seats: number[];
  spectatorsPerInstance: number;
  /** Most streams at once (operators + spectators); null = no cap (policy "open"). */
  maxStreams: number | null;
  paused: boolean;
}

/** The stream cap of a bandwidth budget: how many streams of `bitrateMbps` fit in `uplinkMbps`. */
export function streamCap(uplinkMbps: number, bitrateMbps: number): number {
  return Math.max(0, Math.floor(uplinkMbps / bitrateMbps + 1e-9));
}

/** Where the seats in force come from: "probe" falls back to the running instances until a probe has a result. */
export function seatsSourceOf(config: AdmissionConfig, probeCapacity: number | null): 'instances' | 'probe' | 'manual' {
  return config.seatsFrom === 'probe' && probeCapacity === null ? 'instances' : config.seatsFrom;
}

export function limitsOf(config: AdmissionConfig, runningInstances: number[], probeCapacity: number | null): Limits {
  const range = (k: number) => Array.from({ length: k }, (_, i) => i + 1);
  const source = seatsSourceOf(config, probeCapacity);
  const seats = source === 'manual' ? range(config.seats) : source === 'probe' ? range(probeCapacity!) : [...new Set(runningInstances)].sort((a, b) => a - b);
  return {
    seats,
    spectatorsPerInstance: config.spectatorsPerInstance,
    maxStreams: config.policy === 'capped' ? streamCap(config.uplinkMbps, config.bitrateMbps) : null,
    paused: config.paused,
  };
}

// ---- State ----------------------------------------------------------------------

export interface Session {
  id: string;
  name: string;
  want: Want;
  role: Role;
  /** The instance operated or watched; null while queued. */
  instance: number | null;
  /** Arrival order: lower came first. */
  seq: number;
  joinedAt: number;
  /** When the current role began. */
  since: number;
  /** When it entered the queue (null when not in it). */
  queuedAt: number | null;
  /** A simulated visitor (no heartbeats). */
  synthetic: boolean;
}

export interface AdmissionState {
  limits: Limits;
  /** By id; a Map because a step copies it (a spread of a large record is ten times slower). */
  sessions: Map<string, Session>;
  /** Ids in queue order (position 1 first). */
  queue: string[];
  nextSeq: number;
}

export interface RoleChange {
  id: string;
  from: Role | null;
  to: Role | null;
  instance: number | null;
  reason?: LeaveReason | 'displaced';
}

export interface Step {
  state: AdmissionState;
  changes: RoleChange[];
}

export function emptyState(limits: Limits): AdmissionState {
  return { limits, sessions: new Map(), queue: [], nextSeq: 1 };
}

/** Counts of what is in use, for the rules and the panel. */
export interface Usage {
  operators: number;
  spectators: number;
  streams: number;
  /** instance -> operator id */
  seatHolder: Map<number, string>;
  /** instance -> spectators watching it */
  watching: Map<number, number>;
}

export function usage(state: AdmissionState): Usage {
  const u: Usage = { operators: 0, spectators: 0, streams: 0, seatHolder: new Map(), watching: new Map() };
  for (const s of state.sessions.values()) {
    if (s.role === 'operator') {
      u.operators++;
      u.seatHolder.set(s.instance!, s.id);
    } else if (s.role === 'spectator') {
      u.spectators++;
      u.watching.set(s.instance!, (u.watching.get(s.instance!) ?? 0) + 1);
    }
  }
  u.streams = u.operators + u.spectators;
  return u;
}

// Working copy: the rules mutate a clone, so callers always see whole states. The
// sessions are copied on write (own()): a step touches a few people, not all of them.
const owned = new WeakMap<AdmissionState, Set<string>>();

function clone(state: AdmissionState): AdmissionState {
  const st = { limits: state.limits, sessions: new Map(state.sessions), queue: [...state.queue], nextSeq: state.nextSeq };
  owned.set(st, new Set());
  return st;
}

/** The working copy's own copy of a session, made before its first change in this step. */
function own(st: AdmissionState, s: Session): Session {
  const mine = owned.get(st)!;
  if (mine.has(s.id)) return s;
  mine.add(s.id);
  const copy = { ...s };
  st.sessions.set(s.id, copy);
  return copy;
}

const wantsSeat = (s: Session) => s.want !== 'watch';
const wantsToWatch = (s: Session) => s.want !== 'operate';

function freeSeat(state: AdmissionState, u: Usage): number | null {
  for (const n of state.limits.seats) if (!u.seatHolder.has(n)) return n;
  return null;
}

/** The instance a new spectator watches: one with an operator first, then the fewest spectators, then seat order. */
function spectatorInstance(state: AdmissionState, u: Usage): number | null {
  let best: number | null = null;
  let bestKey: [number, number] | null = null;
  for (const n of state.limits.seats) {
    const w = u.watching.get(n) ?? 0;
    if (w >= state.limits.spectatorsPerInstance) continue;
    const key: [number, number] = [u.seatHolder.has(n) ? 0 : 1, w];
    if (bestKey === null || key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
      best = n;
      bestKey = key;
    }
  }
  return best;
}

const fits = (state: AdmissionState, u: Usage, extra: number) => state.limits.maxStreams === null || u.streams + extra <= state.limits.maxStreams;

function setRole(s: Session, role: Role, instance: number | null, now: number, changes: RoleChange[], reason?: RoleChange['reason']): void {
  changes.push({ id: s.id, from: s.role, to: role, instance, ...(reason ? { reason } : {}) });
  s.role = role;
  s.instance = instance;
  s.since = now;
}

/** Gives a seat to a session that wants one, if a seat is free and the stream fits. */
function trySeat(st: AdmissionState, u: Usage, orig: Session, now: number, changes: RoleChange[]): boolean {
  if (!wantsSeat(orig) || orig.role === 'operator') return false;
  const seat = freeSeat(st, u);
  // A spectator taking a seat gives back its spectator stream: bandwidth-neutral.
  if (seat === null || !(orig.role === 'spectator' || fits(st, u, 1))) return false;
  const s = own(st, orig);
  if (s.role === 'spectator') {
    u.spectators--;
    u.watching.set(s.instance!, u.watching.get(s.instance!)! - 1);
  } else u.streams++;
  u.operators++;
  u.seatHolder.set(seat, s.id);
  setRole(s, 'operator', seat, now, changes);
  st.queue = st.queue.filter((id) => id !== s.id);
  s.queuedAt = null;
  return true;
}

/** Gives a spectator place to a waiting session that would watch, if one is free and the stream fits. */
function tryWatch(st: AdmissionState, u: Usage, orig: Session, now: number, changes: RoleChange[]): boolean {
  if (orig.role !== 'queued' || !wantsToWatch(orig)) return false;
  const n = spectatorInstance(st, u);
  if (n === null || !fits(st, u, 1)) return false;
  const s = own(st, orig);
  u.spectators++;
  u.streams++;
  u.watching.set(n, (u.watching.get(n) ?? 0) + 1);
  setRole(s, 'spectator', n, now, changes);
  if (s.want === 'watch') {
    st.queue = st.queue.filter((id) => id !== s.id);
    s.queuedAt = null;
  }
  return true;
}

/**
 * Admits everyone who fits, first come first served, seats first: one pass gives
 * the free seats to the first people in line who want one, a second gives the
 * spectator places. Seats first because a seat is what an operator leaving frees,
 * and the first person waiting to operate gets it even when the bandwidth is short
 * (a watcher ahead in line gets the next spectator place). The second pass also
 * sees the spectator places that people moving up to a seat gave back.
 */
function fill(st: AdmissionState, now: number, changes: RoleChange[]): void {
  if (st.limits.paused) return;
  const u = usage(st);
  for (const id of [...st.queue]) {
    if (freeSeat(st, u) === null) break;
    const s = st.sessions.get(id);
    if (s) trySeat(st, u, s, now, changes);
  }
  for (const id of [...st.queue]) {
    if (spectatorInstance(st, u) === null || !fits(st, u, 1)) break;
    const s = st.sessions.get(id);
    if (s) tryWatch(st, u, s, now, changes);
  }
}

/** Takes away places the limits no longer allow: the newest first; they go back to the front of the queue. */
function reconcile(st: AdmissionState, now: number, changes: RoleChange[]): void {
  const seats = new Set(st.limits.seats);
  const placed = [...st.sessions.values()].filter((s) => s.role !== 'queued').sort((a, b) => a.seq - b.seq);
  const out = new Set<Session>();
  for (const s of placed) if (!seats.has(s.instance!)) out.add(s);
  const perInstance = new Map<number, number>();
  for (const s of placed) {
    if (s.role !== 'spectator' || out.has(s)) continue;
    const c = (perInstance.get(s.instance!) ?? 0) + 1;
    perInstance.set(s.instance!, c);
    if (c > st.limits.spectatorsPerInstance) out.add(s);
  }
  if (st.limits.maxStreams !== null) {
    let streams = placed.length - out.size;
    const newestFirst = [...placed].reverse();
    for (const role of ['spectator', 'operator'] as const) {
      for (const s of newestFirst) {
        if (streams <= st.limits.maxStreams) break;
        if (s.role === role && !out.has(s)) {
          out.add(s);
          streams--;
        }
      }
    }
  }
  if (out.size === 0) return;
  const back = [...out].sort((a, b) => a.seq - b.seq);
  const front: string[] = [];
  for (const orig of back) {
    const s = own(st, orig);
    setRole(s, 'queued', null, now, changes, 'displaced');
    if (!st.queue.includes(s.id)) {
      front.push(s.id);
      s.queuedAt = now;
    }
  }
  st.queue = [...front, ...st.queue];
}

// ---- Actions -------------------------------------------------------------------

export function join(state: AdmissionState, p: { id: string; name: string; want: Want; now: number; synthetic?: boolean }): Step {
  if (state.sessions.get(p.id)) throw new Error(`session ${p.id} exists`);
  const st = clone(state);
  const changes: RoleChange[] = [];
  const s: Session = {
    id: p.id,
    name: p.name,
    want: p.want,
    role: 'queued',
    instance: null,
    seq: st.nextSeq++,
    joinedAt: p.now,
    since: p.now,
    queuedAt: p.now,
    synthetic: p.synthetic ?? false,
  };
  st.sessions.set(s.id, s);
  st.queue.push(s.id);
  changes.push({ id: s.id, from: null, to: 'queued', instance: null });
  fill(st, p.now, changes);
  return { state: st, changes };
}

/** Someone leaves (or times out, or is kicked): their place goes to the next in line. */
export function leave(state: AdmissionState, id: string, now: number, reason: LeaveReason = 'left'): Step {
  const s = state.sessions.get(id);
  if (!s) return { state, changes: [] };
  const st = clone(state);
  const changes: RoleChange[] = [{ id, from: s.role, to: null, instance: null, reason }];
  st.sessions.delete(id);
  st.queue = st.queue.filter((q) => q !== id);
  fill(st, now, changes);
  return { state: st, changes };
}

/** New seats, spectator limit, cap or pause: places no longer allowed go back to the queue, free ones are filled. */
export function setLimits(state: AdmissionState, limits: Limits, now: number): Step {
  const st = clone(state);
  st.limits = limits;
  const changes: RoleChange[] = [];
  reconcile(st, now, changes);
  fill(st, now, changes);
  return { state: st, changes };
}

export class AdmissionRuleError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

/** Moves a waiting person to `position` (1 = front), then fills: the move may admit them. */
export function move(state: AdmissionState, id: string, position: number, now: number): Step {
  if (!state.sessions.get(id)) throw new AdmissionRuleError('not_found', `No session ${id}.`);
  if (!state.queue.includes(id)) throw new AdmissionRuleError('conflict', `${state.sessions.get(id)!.name} is not waiting in the queue.`);
  const st = clone(state);
  const rest = st.queue.filter((q) => q !== id);
  const at = Math.max(0, Math.min(rest.length, Math.floor(position) - 1));
  rest.splice(at, 0, id);
  st.queue = rest;
  const changes: RoleChange[] = [];
  fill(st, now, changes);
  return { state: st, changes };
}

/**
 * The admin lets someone in now: to the front of the queue and, if a place is
 * free, straight into it, even while admission is paused. Never past a limit.
 */
export function promote(state: AdmissionState, id: string, now: number): Step {
  const step = move(state, id, 1, now);
  const st = step.state;
  const s = st.sessions.get(id)!;
  if (st.queue.includes(id) && st.limits.paused) {
    const u = usage(st);
    if (!trySeat(st, u, s, now, step.changes)) tryWatch(st, u, s, now, step.changes);
  }
  return step;
}

// ---- Views ------------------------------------------------------------------------

/** What one person is told (POST/GET /api/v1/sessions, and their WebSocket). */
export interface SessionView {
  id: string;
  name: string;
  want: Want;
  role: Role;
  instance: number | null;
  /** Place in the queue, 1 = next; a spectator who wants a seat ("any") also has one. */
  position: number | null;
  waitEstimateSec: number | null;
  /** The stream to open, when the admin set a link template. */
  link: string | null;
  paused: boolean;
  since: number;
}

export interface WaitStats {
  /** Mean time people held a place, seconds (null: not enough finished sessions yet). */
  meanHoldSec: number | null;
}

/**
 * Expected wait for place `position`: with S places held for T seconds on
 * average, one frees every T/S seconds, so position p waits about p·T/S.
 */
export function waitEstimate(position: number, places: number, meanHoldSec: number | null): number | null {
  if (meanHoldSec === null || places <= 0) return null;
  return Math.round((position * meanHoldSec) / places);
}

export function linkFor(template: string, instance: number | null): string | null {
  if (!template || instance === null) return null;
  try {
    return expandPlaceholders(template, { n: instance, i: instance - 1, gpu: 0, count: 1 });
  } catch {
    return null;
  }
}

/** Queue positions by id, for computing many views at once (indexOf per view would be quadratic). */
export function queueIndex(state: AdmissionState): Map<string, number> {
  return new Map(state.queue.map((id, i) => [id, i]));
}

/**
 * The stream link a person gets: the admin's link template when one is set, else the
 * player page of the instance's profile (its stream settings), else none.
 */
export function viewOf(state: AdmissionState, id: string, stats: WaitStats, linkTemplate: string, index?: Map<string, number>, playerPages?: ReadonlyMap<number, string>): SessionView | null {
  const s = state.sessions.get(id);
  if (!s) return null;
  // From the back: the view asked most is the one a join answers with, and a newcomer is last
  // in line (indexOf walked the whole queue for them: the dearest step of a join at 1000 waiting).
  const idx = index ? (index.get(id) ?? -1) : state.queue.lastIndexOf(id);
  const position = idx >= 0 ? idx + 1 : null;
  let wait: number | null = null;
  if (position !== null && !state.limits.paused) {
    const places = wantsSeat(s) ? state.limits.seats.length : state.limits.seats.length * state.limits.spectatorsPerInstance;
    wait = waitEstimate(position, places, stats.meanHoldSec);
  }
  return {
    id: s.id,
    name: s.name,
    want: s.want,
    role: s.role,
    instance: s.instance,
    position,
    waitEstimateSec: wait,
    link: linkTemplate ? linkFor(linkTemplate, s.instance) : s.instance !== null ? (playerPages?.get(s.instance) ?? null) : null,
    paused: state.limits.paused,
    since: s.since,
  };
}

// ---- The admin's picture ----------------------------------------------------------

export interface SeatView {
  instance: number;
  /** Whether the instance runs (false: a seat from the probe or a manual count with no instance yet). */
  running: boolean;
  operator: { id: string; name: string; since: number; synthetic: boolean } | null;
  spectators: { id: string; name: string; since: number; synthetic: boolean }[];
}

export interface QueueEntryView {
  id: string;
  name: string;
  want: Want;
  position: number;
  queuedAt: number;
  /** Set when the person watches while waiting for a seat. */
  watching: number | null;
  synthetic: boolean;
}

export interface SimulationSettings {
  /** Visitors arriving per minute (Poisson). */
  arrivalsPerMin: number;
  /** Mean time a visitor keeps a place, seconds (exponential). */
  meanSessionSec: number;
  /** Share of visitors who want to operate, 0-1; the rest split between watch and any. */
  operateShare: number;
}

export interface SimulationStatus extends SimulationSettings {
  running: boolean;
  /** Simulated visitors present now. */
  visitors: number;
  arrived: number;
  gaveUp: number;
}

export const SimulationSchema = z
  .object({
    running: z.boolean(),
    // Left out: the current value stays (stopping does not reset the settings).
    arrivalsPerMin: z.number().min(0.1).max(6000).optional(),
    meanSessionSec: z.number().min(1).max(86_400).optional(),
    operateShare: z.number().min(0).max(1).optional(),
  })
  .strict();

export interface AdmissionSnapshot {
  config: AdmissionConfig;
  /** Where the seats in force come from (seatsSourceOf). */
  seatsSource: ReturnType<typeof seatsSourceOf>;
  /** The server's clock when the snapshot was taken (durations are shown against it, not the browser's clock). */
  now: number;
  probeCapacity: number | null;
  seats: SeatView[];
  /** The first QUEUE_PAGE people in line only (admission.queue pages further); queueTotal counts them all. */
  queue: QueueEntryView[];
  /** Everyone in line, the first page or not. */
  queueTotal: number;
  /** What the whole line waits for (a seat; a place to watch): the fleet's free places need it, not just the first page. */
  queueWants: QueueWants;
  bandwidth: {
    operators: number;
    spectators: number;
    streams: number;
    usedMbps: number;
    uplinkMbps: number;
    /** Streams the uplink carries (enforced only under "capped"). */
    capStreams: number;
    /** Open policy past the uplink: streams will stutter. */
    overUplink: boolean;
  };
  stats: {
    joined: number;
    left: number;
    timedOut: number;
    kicked: number;
    meanHoldSec: number | null;
    meanWaitSec: number | null;
  };
  simulation: SimulationStatus;
  wilbur: WilburStatus | null;
  /** Sessions with a live WebSocket. */
  connected: number;
  /** Where end users find the waiting room (null: not served, e.g. the desktop app without its listener). */
  waitingRoomUrl: string | null;
}

export function seatViews(state: AdmissionState, running: Set<number>): SeatView[] {
  const byInstance = new Map<number, SeatView>();
  for (const n of state.limits.seats) byInstance.set(n, { instance: n, running: running.has(n), operator: null, spectators: [] });
  const placed = [...state.sessions.values()].filter((s) => s.role !== 'queued').sort((a, b) => a.seq - b.seq);
  for (const s of placed) {
    const seat = byInstance.get(s.instance!);
    if (!seat) continue;
    const who = { id: s.id, name: s.name, since: s.since, synthetic: s.synthetic };
    if (s.role === 'operator') seat.operator = who;
    else seat.spectators.push(who);
  }
  return [...byInstance.values()];
}

/**
 * People in line the snapshot carries. The snapshot goes to every console up to five times a
 * second; with 10,000 waiting the whole line made it megabytes a push. A screenful (and then
 * some) is what an admin reads at a glance; admission.queue serves the rest a page at a time.
 */
export const QUEUE_PAGE = 100;
/** The most one admission.queue call returns. */
export const QUEUE_PAGE_MAX = 1000;

export const QueuePageSchema = z
  .object({
    offset: z.number().int().min(0).max(1_000_000),
    limit: z.number().int().min(1).max(QUEUE_PAGE_MAX),
  })
  .strict();

export interface QueuePage {
  offset: number;
  /** Everyone in line now. */
  total: number;
  entries: QueueEntryView[];
}

export interface QueueWants {
  /** Waiting for a seat (operate, or any). */
  seats: number;
  /** Waiting for a place to watch (watch, or any not yet watching). */
  spectators: number;
}

export function queueViews(state: AdmissionState, offset = 0, limit = Infinity): QueueEntryView[] {
  const ids = state.queue.slice(offset, limit === Infinity ? undefined : offset + limit);
  return ids.map((id, i) => {
    const s = state.sessions.get(id)!;
    return { id, name: s.name, want: s.want, position: offset + i + 1, queuedAt: s.queuedAt ?? s.since, watching: s.role === 'spectator' ? s.instance : null, synthetic: s.synthetic };
  });
}

export function queueWantsOf(state: AdmissionState): QueueWants {
  let seats = 0;
  let spectators = 0;
  for (const id of state.queue) {
    const s = state.sessions.get(id)!;
    if (s.want === 'watch') spectators++;
    else {
      seats++;
      if (s.want === 'any' && s.role !== 'spectator') spectators++;
    }
  }
  return { seats, spectators };
}

/** Checks every invariant; returns the broken ones in words (empty = all hold). Used by tests and by the service in debug runs. */
export function checkInvariants(state: AdmissionState): string[] {
  const problems: string[] = [];
  const seats = new Set(state.limits.seats);
  const u = usage(state);
  const holders = new Map<number, string[]>();
  for (const s of state.sessions.values()) {
    if (s.role === 'operator') holders.set(s.instance!, [...(holders.get(s.instance!) ?? []), s.id]);
    if (s.role !== 'queued' && !seats.has(s.instance!)) problems.push(`${s.id} is ${s.role} of instance ${s.instance}, which has no seat`);
    if (s.role === 'queued' && s.instance !== null) problems.push(`${s.id} is queued with an instance`);
    const inQueue = state.queue.filter((q) => q === s.id).length;
    if (s.role === 'queued' && inQueue !== 1) problems.push(`${s.id} is queued but appears ${inQueue} times in the queue`);
    if (s.role === 'operator' && inQueue !== 0) problems.push(`${s.id} operates and is still in the queue`);
    if (s.role === 'spectator' && inQueue !== (s.want === 'any' ? 1 : 0)) problems.push(`${s.id} spectates and appears ${inQueue} times in the queue`);
    if (s.role === 'operator' && s.want === 'watch') problems.push(`${s.id} wanted to watch but operates`);
    if (s.role === 'spectator' && s.want === 'operate') problems.push(`${s.id} wanted to operate but spectates`);
  }
  for (const [n, ids] of holders) if (ids.length > 1) problems.push(`seat ${n} given to ${ids.length} people`);
  for (const id of state.queue) if (!state.sessions.get(id)) problems.push(`queue holds unknown ${id}`);
  for (const [n, w] of u.watching) if (w > state.limits.spectatorsPerInstance) problems.push(`instance ${n} has ${w} spectators`);
  if (state.limits.maxStreams !== null && u.streams > state.limits.maxStreams) problems.push(`${u.streams} streams exceed the cap of ${state.limits.maxStreams}`);
  if (!state.limits.paused) {
    // Work-conserving: nobody waits for a place that is free.
    const seat = freeSeat(state, u);
    const spec = spectatorInstance(state, u);
    for (const id of state.queue) {
      const s = state.sessions.get(id);
      if (!s) continue;
      if (wantsSeat(s) && seat !== null && (s.role === 'spectator' || fits(state, u, 1))) problems.push(`${id} waits for a seat while seat ${seat} is free`);
      if (s.role === 'queued' && wantsToWatch(s) && spec !== null && fits(state, u, 1)) problems.push(`${id} waits to watch while instance ${spec} has room`);
    }
  }
  return problems;
}
