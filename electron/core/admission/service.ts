// The admission service: the pure rules of shared/admission-rules.ts plus time, people
// and persistence. It keeps the state and the session registry, and composes the parts
// beside it: whom to tell when their role or place changes (watchers.ts), whose
// heartbeats stopped (heartbeats.ts), the "simulate visitors" demo (simulator.ts:
// synthetic clients of this public API), the admin snapshot (snapshots.ts), the saved
// settings (config-store.ts), and Epic's signalling server for its own player counts.
//
// The line survives a crash: every change (join, leave, move, promote, new limits) is
// a record in an append-only journal (journal.ts) in the data folder, and a restart
// replays them through the same pure rules, which rebuilds the sessions, their order,
// roles, places and the statistics exactly. Time is part of each record, so a replay
// never reads the clock.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  AdmissionConfigSchema,
  AdmissionRuleError,
  emptyState,
  join as joinRule,
  leave as leaveRule,
  limitsOf,
  move as moveRule,
  promote as promoteRule,
  queueIndex,
  queueViews,
  seatViews,
  seatsSourceOf,
  setLimits,
  streamCap,
  usage,
  viewOf,
  type AdmissionConfig,
  type AdmissionPatch,
  type AdmissionSnapshot,
  type QueuePage,
  QUEUE_PAGE,
  queueWantsOf,
  type AdmissionState,
  type LeaveReason,
  type Limits,
  type Session,
  type SessionView,
  type SimulationSettings,
  type SimulationStatus,
  type Step,
  type Want,
} from '../../../shared/admission-rules';
import { ApiError } from '../../../shared/contract';
import { JoinSchema } from '../../../shared/wire/sessions';
import type { WilburStatus } from '../../../shared/wire/wilbur';
import { Journal, readJournal, type JournalOptions } from '../journal';
import { mean, recordSample } from './stats';
import { SnapshotThrottle } from './snapshots';
import { realTimers, type TimerSource } from '../timers';
import { AdmissionConfigStore } from './config-store';
import { VisitorSimulator } from './simulator';
import { Heartbeats } from './heartbeats';
import { SessionWatchers, type Watcher } from './watchers';
import { WilburPoller } from '../wilbur-poller';

/**
 * What happened to a request for a place, for counters (metrics): a join got a place
 * at once, was put in line, or was refused (line full, per-address limit); a session ended.
 */
export type AdmissionEvent = { type: 'join'; outcome: 'admitted' | 'queued' | 'refused' } | { type: 'ended'; reason: LeaveReason };

/** Cheap counts for a scrape: no per-person views are built. */
export interface AdmissionCounts {
  seats: number;
  operators: number;
  spectators: number;
  /** Sessions whose role is "queued" (a spectator waiting for a seat is a spectator). */
  queued: number;
  /** People in line, spectators waiting for a seat included (the admin API's queue). */
  queueLength: number;
  /** Streams the uplink carries. */
  capStreams: number;
}

export interface AdmissionOptions {
  dataDir: string;
  /** Admin snapshots (the queue panel) at most this often. */
  snapshotThrottleMs?: number;
  onSnapshot: (s: AdmissionSnapshot) => void;
  now?: () => number;
  /** Randomness for the visitor simulator (tests make it repeatable). */
  random?: () => number;
  /** The timers behind the snapshot throttle, the heartbeat sweep and the simulator (tests inject fake ones). */
  timers?: TimerSource;
  /** How often heartbeats are checked (ms). */
  sweepMs?: number;
  /** Poll a configured signalling server (tests turn it off). */
  wilbur?: boolean;
  /** Called with every new state (tests check the invariants at every step). */
  onStep?: (state: AdmissionState) => void;
  /** Journal tuning (tests shorten compaction). */
  journal?: Partial<Omit<JournalOptions, 'snapshot'>>;
}

/** One change in the journal; replayed in order through the rules on restart. */
type JournalRecord =
  | { t: 'join'; id: string; name: string; want: Want; now: number; synthetic?: true; owner?: string }
  | { t: 'leave'; id: string; now: number; reason: LeaveReason }
  | { t: 'move'; id: string; position: number; now: number }
  | { t: 'promote'; id: string; now: number }
  | { t: 'limits'; limits: Limits; now: number }
  | JournalSnapshot;

interface JournalSnapshot {
  t: 'snapshot';
  v: 1;
  limits: Limits;
  sessions: Session[];
  queue: string[];
  nextSeq: number;
  counts: AdmissionService['counts'];
  holds: number[];
  waits: number[];
  ended: [string, LeaveReason][];
  owners: [string, string][];
}

const MAX_SESSIONS = 10_000;
/** Ended sessions whose reason is remembered (oldest forgotten first). */
const ENDED_KEPT = 5000;

export class AdmissionService {
  private config: AdmissionConfig;
  private state: AdmissionState;
  private running: number[] = [];
  private probeCapacity: number | null = null;
  private readonly watchers: SessionWatchers;
  private readonly heartbeats: Heartbeats;
  private readonly holds: number[] = [];
  private readonly waits: number[] = [];
  private counts = { joined: 0, left: 0, timedOut: 0, kicked: 0 };
  private readonly configStore: AdmissionConfigStore;
  private readonly now: () => number;
  private readonly timers: TimerSource;
  private readonly random: () => number;
  private readonly snapshots: SnapshotThrottle;
  private readonly simulator: VisitorSimulator;
  private wilburStatus: WilburStatus | null = null;
  private readonly wilbur: WilburPoller | null;
  private closed = false;
  private waitingRoomUrl: string | null = null;
  private readonly eventListeners = new Set<(e: AdmissionEvent) => void>();
  /** A problem reading the saved settings, shown once in the panel. */
  readonly loadProblem: string | null;
  private readonly journal: Journal;
  /** Set while the journal is replayed: nothing is journaled again, nobody is told. */
  private replaying = false;
  /** What a restart restored, in words (people, repairs), for the log; null on a fresh start. */
  readonly restored: { people: number; repaired: string | null } | null = null;
  /**
   * The seats of the instances that ran before a restart, kept until the core knows
   * which of them still run (orphans adopted or stopped): the people on them keep
   * their places meanwhile instead of being sent back to the line for the downtime.
   */
  private heldSeats: number[] | null = null;
  private playerPages: ReadonlyMap<number, string> = new Map();
  private streamers: ReadonlyMap<number, { id: string; ownViewers: number }> = new Map();

  constructor(private readonly opts: AdmissionOptions) {
    this.now = opts.now ?? Date.now;
    this.configStore = new AdmissionConfigStore(opts.dataDir);
    this.random = opts.random ?? Math.random;
    this.timers = opts.timers ?? realTimers;
    this.snapshots = new SnapshotThrottle(() => this.opts.onSnapshot(this.snapshot()), opts.snapshotThrottleMs ?? 200, this.now, this.timers);
    const loaded = this.configStore.load();
    this.config = loaded.config;
    this.loadProblem = loaded.problem;
    this.state = emptyState(this.limits());
    this.watchers = new SessionWatchers((id, index, hold) => this.view(id, index, hold));
    this.heartbeats = new Heartbeats(this.timers);
    const journalFile = path.join(opts.dataDir, 'sessions.journal');
    const { records, repaired } = readJournal(journalFile);
    this.journal = new Journal(
      journalFile,
      {
        ...opts.journal,
        snapshot: () => this.journalSnapshot(),
        onError: opts.journal?.onError ?? ((e) => process.stderr.write(`StreamCap: could not write the waiting line's journal (${e.message}); retrying, and the line is kept in memory meanwhile.\n`)),
      },
      records.length,
    );
    if (records.length) {
      this.replay(records);
      const now = this.now();
      // Heartbeats count from the restart: nobody loses a place for StreamCap's downtime.
      for (const id of this.state.sessions.keys()) this.heartbeats.seen(id, now);
      // Simulated visitors have no plans after a restart: the simulation stopped, they go home.
      for (const s of [...this.state.sessions.values()]) if (s.synthetic) this.remove(s.id, 'left', now);
      this.restored = { people: this.state.sessions.size, repaired };
      if (seatsSourceOf(this.config, this.probeCapacity) === 'instances') this.heldSeats = this.state.limits.seats;
      // The settings may have changed after the last limits record reached the disk.
      this.relimit();
      // Deadlines are judged at once against the restart, not the crash.
      this.sweep();
      this.journal.compactSoon();
    } else {
      // A replay starts from these limits: the first record says what they were.
      this.log({ t: 'limits', limits: this.state.limits, now: this.now() });
    }
    this.heartbeats.start(() => {
      this.sweep();
      if (this.state.sessions.size === 0) this.heartbeats.idle();
    }, opts.sweepMs ?? 1000);
    this.simulator = new VisitorSimulator(this, this.now, this.random, this.timers);
    this.wilbur =
      opts.wilbur === false
        ? null
        : new WilburPoller(
            (s) => {
              this.wilburStatus = s;
              this.scheduleSnapshot();
            },
            5000,
            2000,
            (s) => this.presentByPlayers(s),
            this.now,
            this.timers,
          );
    this.wilbur?.setUrl(this.config.wilburUrl || null);
  }

  private limits(): Limits {
    const limits = limitsOf(this.config, this.running, this.probeCapacity);
    if (this.heldSeats && seatsSourceOf(this.config, this.probeCapacity) === 'instances') return { ...limits, seats: [...new Set([...this.heldSeats, ...limits.seats])].sort((a, b) => a - b) };
    return limits;
  }

  // ---- The world changes ---------------------------------------------------------

  /** The running instances' numbers (seats follow them when seatsFrom is "instances"). */
  setRunningInstances(ns: number[]): void {
    const next = [...new Set(ns)].sort((a, b) => a - b);
    if (next.join() === this.running.join()) return;
    this.running = next;
    this.heldSeats = null; // the supervisor reports its instances: they are the seats now
    this.relimit();
  }

  /** Each running instance's streamer id and how many players of it are StreamCap's own viewers. */
  setStreamers(streamers: ReadonlyMap<number, { id: string; ownViewers: number }>): void {
    this.streamers = new Map(streamers);
  }

  /**
   * An operator whose instance's streamer has a player beyond StreamCap's own viewers
   * (per the signalling server's REST API) is watching it: that counts as a heartbeat,
   * so the waiting page need not stay open once the stream is.
   */
  private presentByPlayers(status: WilburStatus): void {
    if (!status.ok || this.streamers.size === 0) return;
    const players = new Map(status.streamers.map((x) => [x.id, x.players]));
    const now = this.now();
    for (const s of this.state.sessions.values()) {
      if (s.role !== 'operator' || s.instance === null) continue;
      const st = this.streamers.get(s.instance);
      if (st && (players.get(st.id) ?? 0) > st.ownViewers) this.heartbeats.seen(s.id, now);
    }
  }

  /** Each running instance's player page (from its profile's stream settings): the link people get when no link template is set. */
  setPlayerPages(pages: ReadonlyMap<number, string>): void {
    const key = (m: ReadonlyMap<number, string>) => [...m].sort((a, b) => a[0] - b[0]).join('|');
    if (key(pages) === key(this.playerPages)) return;
    this.playerPages = new Map(pages);
    this.broadcastAll();
  }

  setProbeCapacity(capacity: number | null): void {
    if (capacity === this.probeCapacity) return;
    this.probeCapacity = capacity;
    this.relimit();
  }

  private relimit(): void {
    const now = this.now();
    const limits = this.limits();
    this.log({ t: 'limits', limits, now });
    this.apply(setLimits(this.state, limits, now), now);
    this.broadcastAll(); // estimates depend on the number of places
  }

  /**
   * The core knows which instances run now (no leftovers of a crashed StreamCap, or
   * they were adopted or stopped): seats follow them again.
   */
  instancesKnown(): void {
    if (this.heldSeats === null) return;
    this.heldSeats = null;
    this.relimit();
  }

  /** The address end users open (set by whoever serves the waiting room). */
  setWaitingRoomUrl(url: string | null): void {
    this.waitingRoomUrl = url;
    this.scheduleSnapshot();
  }

  // ---- The people's API ------------------------------------------------------------

  /** Who holds each real session (the client's address), for the per-address limit. */
  private readonly owners = new Map<string, string>();
  private readonly ownerCounts = new Map<string, number>();

  /**
   * Puts someone in line. `synthetic` marks a simulated visitor (simulator.ts): it joins
   * through here like anyone, and is refused like anyone, but sends no heartbeats.
   */
  join(input: unknown, opts: { owner?: string; maxPerOwner?: number; synthetic?: boolean } = {}): SessionView {
    const parsed = JoinSchema.safeParse(input ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
      throw new ApiError('invalid_payload', `Invalid request: ${issues.join('; ')}. Send {"name": "…", "want": "operate" | "watch" | "any"}.`, issues);
    }
    if (this.config.draining) {
      // A drained server keeps the people it has and takes nobody new (the fleet places them elsewhere).
      this.tell({ type: 'join', outcome: 'refused' });
      throw new ApiError('unavailable', "This server is draining: it admits nobody new. Join through the venue's waiting room, or try again later.");
    }
    if (this.state.sessions.size >= MAX_SESSIONS) {
      this.tell({ type: 'join', outcome: 'refused' });
      throw new ApiError('unavailable', `The waiting list is full (${MAX_SESSIONS} people). Try again later.`);
    }
    if (opts.owner !== undefined && opts.maxPerOwner !== undefined && (this.ownerCounts.get(opts.owner) ?? 0) >= opts.maxPerOwner) {
      this.tell({ type: 'join', outcome: 'refused' });
      throw new ApiError(
        'rate_limited',
        `This address already holds ${opts.maxPerOwner} place${opts.maxPerOwner === 1 ? '' : 's'} in line: leave one (DELETE its session) before joining again; wait 30 s and try again.`,
      );
    }
    const id = randomBytes(12).toString('base64url');
    const { name, want } = parsed.data;
    this.joinAs({ t: 'join', id, name, want, now: this.now(), ...(opts.synthetic ? { synthetic: true as const } : {}), ...(opts.owner !== undefined ? { owner: opts.owner } : {}) });
    return this.view(id)!;
  }

  private joinAs(rec: Extract<JournalRecord, { t: 'join' }>): void {
    if (rec.owner !== undefined) {
      this.owners.set(rec.id, rec.owner);
      this.ownerCounts.set(rec.owner, (this.ownerCounts.get(rec.owner) ?? 0) + 1);
    }
    this.heartbeats.seen(rec.id, rec.now);
    this.counts.joined++;
    this.log(rec);
    this.apply(joinRule(this.state, { id: rec.id, name: rec.name, want: rec.want, now: rec.now, synthetic: rec.synthetic ?? false }), rec.now);
    if (!this.replaying) this.tell({ type: 'join', outcome: this.state.sessions.get(rec.id)?.role === 'queued' ? 'queued' : 'admitted' });
  }

  /** Journals a change (the same tick as the state change, so a compaction's snapshot holds it). */
  private log(rec: JournalRecord): void {
    if (!this.replaying) this.journal.append(rec);
  }

  /** Subscribes to joins and ends (metrics counters); returns the unsubscribe. */
  onEvent(fn: (e: AdmissionEvent) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  private tell(e: AdmissionEvent): void {
    for (const fn of this.eventListeners) {
      try {
        fn(e);
      } catch {
        /* a counter must never break an admission */
      }
    }
  }

  /** The person's current view; counts as a heartbeat. */
  get(id: string): SessionView {
    const v = this.view(id);
    if (!v) throw this.gone(id);
    this.heartbeats.seen(id, this.now());
    return v;
  }

  heartbeat(id: string): boolean {
    if (!this.state.sessions.get(id)) return false;
    this.heartbeats.seen(id, this.now());
    return true;
  }

  leave(id: string, reason: LeaveReason = 'left'): void {
    if (!this.state.sessions.get(id)) throw this.gone(id);
    this.remove(id, reason);
  }

  /** Subscribes to one person's changes; the current view is sent at once. */
  watch(id: string, fn: Watcher): () => void {
    const v = this.view(id);
    if (!v) throw this.gone(id);
    const unwatch = this.watchers.add(id, v, fn);
    this.heartbeats.seen(id, this.now());
    this.scheduleSnapshot();
    return () => {
      unwatch();
      this.scheduleSnapshot();
    };
  }

  /** Why recent sessions ended, so a page that was offline at the time can still say it. */
  private readonly ended = new Map<string, LeaveReason>();

  private gone(id: string): ApiError {
    const reason = this.ended.get(id);
    const why =
      reason === 'kicked'
        ? 'it was removed by the host'
        : reason === 'timeout'
          ? 'nothing was heard from it within the heartbeat timeout'
          : reason === 'left'
            ? 'it was left'
            : 'it ended (left, timed out or removed by the host)';
    return new ApiError('not_found', `Session ${id.slice(0, 40)} is not known: ${why}. Join again.`, undefined, reason);
  }

  private view(id: string, index = this.queueIndex(), meanHoldSec = mean(this.holds)): SessionView | null {
    return viewOf(this.state, id, { meanHoldSec }, this.config.linkTemplate, index, this.playerPages);
  }

  /**
   * Places in line by id, built once per line: a step replaces the queue array, so its
   * identity says when to rebuild. Every look at a place (a waiting page's GET, each
   * simulated visitor every 250 ms) then costs O(1) instead of a walk of the line.
   */
  private index: { queue: readonly string[]; byId: Map<string, number> } | null = null;
  private queueIndex(): Map<string, number> {
    if (this.index?.queue !== this.state.queue) this.index = { queue: this.state.queue, byId: queueIndex(this.state) };
    return this.index.byId;
  }

  // ---- The admin's API --------------------------------------------------------------

  getConfig(): AdmissionConfig {
    return this.config;
  }

  private configQueue: Promise<unknown> = Promise.resolve();

  /** Applies a settings change; changes run one after another, each on top of the last. */
  setConfig(patch: AdmissionPatch): Promise<AdmissionSnapshot> {
    const run = this.configQueue.then(() => this.applyConfig(patch));
    this.configQueue = run.catch(() => undefined);
    return run;
  }

  private async applyConfig(patch: AdmissionPatch): Promise<AdmissionSnapshot> {
    // A seat count the seats do not come from would be stored and do nothing: say so.
    const from = patch.seatsFrom ?? this.config.seatsFrom;
    if (patch.seats !== undefined && from !== 'manual') {
      const source = from === 'probe' ? "the latest capacity probe's result" : 'the running instances (one seat each)';
      const msg = `seats: a seat count applies only with "seatsFrom": "manual"; the seats now come from ${source}. Send {"seatsFrom": "manual", "seats": ${patch.seats}} to set them by hand.`;
      throw new ApiError('conflict', `Nothing changed: ${msg}`, [msg]);
    }
    const next = AdmissionConfigSchema.parse({ ...this.config, ...patch });
    await this.configStore.save(next);
    const wilburChanged = next.wilburUrl !== this.config.wilburUrl;
    this.config = next;
    if (wilburChanged) {
      this.wilburStatus = null;
      this.wilbur?.setUrl(next.wilburUrl || null);
    }
    this.relimit();
    return this.snapshot();
  }

  kick(id: string): { kicked: string } {
    if (!this.state.sessions.get(id)) throw this.gone(id);
    this.remove(id, 'kicked');
    return { kicked: id };
  }

  promote(id: string): SessionView {
    const now = this.now();
    const step = this.rule(() => promoteRule(this.state, id, now));
    this.log({ t: 'promote', id, now });
    this.apply(step, now);
    return this.view(id)!;
  }

  move(id: string, position: number): SessionView {
    const now = this.now();
    const step = this.rule(() => moveRule(this.state, id, position, now));
    this.log({ t: 'move', id, position, now });
    this.apply(step, now);
    return this.view(id)!;
  }

  private rule(fn: () => Step): Step {
    try {
      return fn();
    } catch (e) {
      if (e instanceof AdmissionRuleError) throw new ApiError(e.kind, e.message);
      throw e;
    }
  }

  snapshot(): AdmissionSnapshot {
    const u = usage(this.state);
    const cap = streamCap(this.config.uplinkMbps, this.config.bitrateMbps);
    return {
      now: this.now(),
      config: this.config,
      seatsSource: seatsSourceOf(this.config, this.probeCapacity),
      probeCapacity: this.probeCapacity,
      seats: seatViews(this.state, new Set(this.running)),
      queue: queueViews(this.state, 0, QUEUE_PAGE),
      queueTotal: this.state.queue.length,
      queueWants: queueWantsOf(this.state),
      bandwidth: {
        operators: u.operators,
        spectators: u.spectators,
        streams: u.streams,
        usedMbps: u.streams * this.config.bitrateMbps,
        uplinkMbps: this.config.uplinkMbps,
        capStreams: cap,
        overUplink: u.streams > cap,
      },
      stats: { ...this.counts, meanHoldSec: mean(this.holds), meanWaitSec: mean(this.waits) },
      simulation: this.simulation(),
      wilbur: this.wilburStatus,
      connected: this.watchers.size,
      waitingRoomUrl: this.waitingRoomUrl,
    };
  }

  /** One page of the line (the snapshot carries only the first QUEUE_PAGE). */
  queuePage(offset: number, limit: number): QueuePage {
    return { offset, total: this.state.queue.length, entries: queueViews(this.state, offset, limit) };
  }

  /** The counts a metrics scrape needs, without building the snapshot's views (O(sessions), no allocation per person). */
  metricCounts(): AdmissionCounts {
    const u = usage(this.state);
    let queued = 0;
    for (const s of this.state.sessions.values()) if (s.role === 'queued') queued++;
    return {
      seats: this.state.limits.seats.length,
      operators: u.operators,
      spectators: u.spectators,
      queued,
      queueLength: this.state.queue.length,
      capStreams: streamCap(this.config.uplinkMbps, this.config.bitrateMbps),
    };
  }

  // ---- Applying a step ---------------------------------------------------------------

  private remove(id: string, reason: LeaveReason, now = this.now()): void {
    const before = this.state.sessions.get(id);
    if (!before) return;
    this.log({ t: 'leave', id, now, reason });
    if (reason === 'timeout') this.counts.timedOut++;
    else if (reason === 'kicked') this.counts.kicked++;
    else this.counts.left++;
    if (!this.replaying) this.tell({ type: 'ended', reason });
    if (before.role !== 'queued') recordSample(this.holds, (now - before.since) / 1000);
    this.apply(leaveRule(this.state, id, now, reason), now);
    this.heartbeats.forget(id);
    const owner = this.owners.get(id);
    if (owner !== undefined) {
      this.owners.delete(id);
      const n = (this.ownerCounts.get(owner) ?? 1) - 1;
      if (n > 0) this.ownerCounts.set(owner, n);
      else this.ownerCounts.delete(owner);
    }
    if (!before.synthetic) {
      this.ended.set(id, reason);
      if (this.ended.size > ENDED_KEPT) this.ended.delete(this.ended.keys().next().value!);
    }
    this.watchers.ended(id, reason);
  }

  private apply(step: Step, now: number): void {
    const before = this.state;
    this.state = step.state;
    this.opts.onStep?.(this.state);
    for (const ch of step.changes) {
      const was = before.sessions.get(ch.id);
      if (ch.from === 'queued' && (ch.to === 'operator' || ch.to === 'spectator') && was?.role !== 'spectator') {
        // A newcomer let in at once waited 0 s: it counts too.
        recordSample(this.waits, was?.queuedAt != null ? (now - was.queuedAt) / 1000 : 0);
      }
    }
    if (step.changes.length) this.watchers.afterStep(before, this.state, step, mean(this.holds));
    this.scheduleSnapshot();
  }

  /** Tells every watched person whose view changed (the places or the estimates moved). */
  private broadcastAll(): void {
    this.watchers.all(this.state, mean(this.holds));
  }

  private scheduleSnapshot(): void {
    if (this.closed) return;
    this.snapshots.schedule();
  }

  /** Frees the places of people not heard from within the heartbeat timeout. */
  sweep(): void {
    const now = this.now();
    for (const id of this.heartbeats.overdue(this.state.sessions.values(), now, this.config.heartbeatTimeoutSec * 1000)) this.remove(id, 'timeout', now);
  }

  // ---- The journal ------------------------------------------------------------------

  /** Rebuilds the line from the journal: the snapshot, then every change after it, through the same rules. */
  private replay(records: unknown[]): void {
    this.replaying = true;
    try {
      for (const raw of records) {
        const rec = raw as JournalRecord;
        switch (rec.t) {
          case 'snapshot':
            this.state = { limits: rec.limits, sessions: new Map(rec.sessions.map((s) => [s.id, s])), queue: rec.queue, nextSeq: rec.nextSeq };
            this.counts = { ...rec.counts };
            this.holds.splice(0, this.holds.length, ...rec.holds);
            this.waits.splice(0, this.waits.length, ...rec.waits);
            this.ended.clear();
            for (const [id, why] of rec.ended) this.ended.set(id, why);
            this.owners.clear();
            this.ownerCounts.clear();
            for (const [id, owner] of rec.owners) {
              this.owners.set(id, owner);
              this.ownerCounts.set(owner, (this.ownerCounts.get(owner) ?? 0) + 1);
            }
            break;
          case 'join':
            if (!this.state.sessions.has(rec.id)) this.joinAs(rec);
            break;
          case 'leave':
            this.remove(rec.id, rec.reason, rec.now);
            break;
          case 'move':
          case 'promote':
            // A record for someone no longer waiting is skipped, as the live call would have refused it.
            if (this.state.queue.includes(rec.id)) this.apply(rec.t === 'move' ? moveRule(this.state, rec.id, rec.position, rec.now) : promoteRule(this.state, rec.id, rec.now), rec.now);
            break;
          case 'limits':
            this.apply(setLimits(this.state, rec.limits, rec.now), rec.now);
            break;
        }
      }
    } finally {
      this.replaying = false;
    }
  }

  private journalSnapshot(): JournalSnapshot {
    return {
      t: 'snapshot',
      v: 1,
      limits: this.state.limits,
      sessions: [...this.state.sessions.values()],
      queue: this.state.queue,
      nextSeq: this.state.nextSeq,
      counts: this.counts,
      holds: this.holds,
      waits: this.waits,
      ended: [...this.ended],
      owners: [...this.owners],
    };
  }

  /** Writes the last changes to the journal now (tests, and before a planned stop). */
  flushJournal(): Promise<void> {
    return this.journal.flush();
  }

  // ---- Simulated visitors ----------------------------------------------------------

  simulate(settings: Partial<SimulationSettings> & { running: boolean }): SimulationStatus {
    this.simulator.set(settings);
    this.scheduleSnapshot();
    return this.simulation();
  }

  /** The simulator's status, with the simulated visitors this service holds now (a kicked one is gone at once). */
  private simulation(): SimulationStatus {
    let visitors = 0;
    for (const s of this.state.sessions.values()) if (s.synthetic) visitors++;
    return { ...this.simulator.status(), visitors };
  }

  /** Stops the timers and tells every watcher; the journal is written to the end. */
  close(): Promise<void> {
    this.closed = true;
    this.heartbeats.close();
    this.simulator.close();
    this.snapshots.close();
    this.wilbur?.close();
    this.watchers.close();
    return this.journal.close();
  }
}
