// The front door: one first-come, first-served line for a venue's render servers.
// People join here (the same client API as one server's, plus "server"); each is placed,
// in order, on the least stressed member with a place they can take (never a draining
// or offline one) by joining them on that member's own /api/v1/sessions, so the
// member's own admission rules and limits decide; the front door relays the member's
// view of them (role, instance, stream link) and their heartbeats.
//
// When a member goes offline its people are told and go back to the front of the line
// (their member sessions are remembered and removed when it returns, so nobody is
// placed twice); when it returns it takes people again. The line is journaled like one
// server's (journal.ts): a restart of the front door keeps everyone, placed or waiting.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { LeaveReason } from '../../../shared/admission-rules';
import { JoinSchema, type SessionNotice } from '../../../shared/wire/sessions';
import { ApiError } from '../../../shared/contract';
import { percentile, placeLine, placesOf, stressOf, loadsOf, type Candidate, type Places } from '../../../shared/fleet-rules';
import type { FleetSessionView } from '../../../shared/wire/fleet';
import { Journal, readJournal } from '../journal';
import { realTimers, type TimerSource } from '../timers';
import { errorCode, errorText } from './http-client';
import type { MemberLink } from './member';

type Watcher = (n: SessionNotice) => void;

const MemberView = z.object({
  id: z.string(),
  name: z.string(),
  want: z.enum(['operate', 'watch', 'any']),
  role: z.enum(['operator', 'spectator', 'queued']),
  instance: z.number().nullable(),
  position: z.number().nullable(),
  waitEstimateSec: z.number().nullable(),
  link: z.string().nullable(),
  paused: z.boolean(),
  since: z.number(),
});
const WantSchema = z.enum(['operate', 'watch', 'any']);
const Reason = z.enum(['left', 'timeout', 'kicked']);
const Kind = z.enum(['seat', 'spectator']);
const PersonSchema = z.object({
  id: z.string(),
  name: z.string(),
  want: WantSchema,
  owner: z.string().nullable(),
  seq: z.number(),
  joinedAt: z.number(),
  since: z.number(),
  server: z.string().nullable(),
  memberId: z.string().nullable(),
  kind: Kind.nullable(),
  view: MemberView.nullable(),
  lostServer: z.string().nullable(),
});
type Person = z.infer<typeof PersonSchema>;

/** One change in the journal; replayed in order on restart (checked on the way in: the file is on disk, not in memory). */
const RecSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('join'), id: z.string(), name: z.string(), want: WantSchema, owner: z.string().nullable(), now: z.number() }),
  z.object({ t: z.literal('place'), id: z.string(), server: z.string(), memberId: z.string(), kind: Kind, view: MemberView, now: z.number() }),
  z.object({ t: z.literal('back'), ids: z.array(z.string()), server: z.string(), now: z.number() }),
  z.object({ t: z.literal('leave'), id: z.string(), reason: Reason }),
  z.object({ t: z.literal('ghost-gone'), server: z.string(), memberId: z.string() }),
  z.object({ t: z.literal('rename'), from: z.string(), to: z.string() }),
  z.object({ t: z.literal('snapshot'), v: z.literal(1), people: z.array(PersonSchema), line: z.array(z.string()), ghosts: z.array(z.tuple([z.string(), z.array(z.string())])), nextSeq: z.number() }),
]);
type Rec = z.infer<typeof RecSchema>;

const MAX_PEOPLE = 10_000;
const FORWARD_HEARTBEAT_MS = 5000;
const DECISIONS_KEPT = 2000;

/** The members as the front door needs them. */
export interface FrontDoorMembers {
  list(): Iterable<MemberLink>;
  get(name: string): MemberLink | undefined;
}

export interface FrontDoorOptions {
  dataDir: string;
  members: FrontDoorMembers;
  /** A person not heard from for this long loses their place (and their member session). */
  heartbeatTimeoutSec?: number;
  /** Something changed: the overview's counts. */
  onChange: () => void;
  /** The clock and timers of the heartbeat sweep (the real ones by default; test/fake-time.ts in tests). */
  now?: () => number;
  timers?: TimerSource;
}

export class FrontDoor {
  private readonly people = new Map<string, Person>();
  /** Waiting people in order (front first). */
  private line: string[] = [];
  /** Ids being joined on a member right now: not offered again meanwhile. */
  private readonly placing = new Set<string>();
  /** Member sessions of people sent back from a server that went offline: removed when it returns. */
  private readonly ghosts = new Map<string, string[]>();
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly lastSeen = new Map<string, number>();
  private readonly lastForwarded = new Map<string, number>();
  private readonly ownerCounts = new Map<string, number>();
  private readonly ended = new Map<string, LeaveReason>();
  /** A member answered "no place" though its snapshot showed one: skipped until its next snapshot. */
  private readonly full = new Set<string>();
  private readonly decisionsMs: number[] = [];
  placements = 0;
  private nextSeq = 1;
  private readonly journal: Journal;
  private replaying = false;
  private pumping = false;
  private again = false;
  private readonly waiters: (() => void)[] = [];
  private readonly sweepTimer: unknown;
  private readonly now: () => number;
  private readonly timers: TimerSource;
  private closed = false;
  readonly restored: number;

  constructor(private readonly opts: FrontDoorOptions) {
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? realTimers;
    const file = path.join(opts.dataDir, 'fleet-line.journal');
    const { records } = readJournal(file);
    this.journal = new Journal(
      file,
      { snapshot: () => this.snapshotRecord(), onError: (e) => process.stderr.write(`StreamCap: could not write the front door's journal (${e.message}); retrying.\n`) },
      records.length,
    );
    this.replaying = true;
    try {
      for (const r of records) this.replay(r);
    } finally {
      this.replaying = false;
    }
    const now = this.now();
    for (const id of this.people.keys()) this.lastSeen.set(id, now); // heartbeats count from the restart
    this.restored = this.people.size;
    if (records.length) this.journal.compactSoon();
    this.sweepTimer = this.timers.setInterval(() => this.sweep(), 1000);
  }

  private get timeoutMs(): number {
    return (this.opts.heartbeatTimeoutSec ?? 30) * 1000;
  }

  getConfig(): { heartbeatTimeoutSec: number } {
    return { heartbeatTimeoutSec: this.opts.heartbeatTimeoutSec ?? 30 };
  }

  // ---- The journal ---------------------------------------------------------------

  private log(r: Rec): void {
    if (!this.replaying) this.journal.append(r);
  }

  private replay(raw: unknown): void {
    const parsed = RecSchema.safeParse(raw);
    if (!parsed.success) return; // not a record of ours: skipped, the rest still replays
    const r = parsed.data;
    switch (r.t) {
      case 'snapshot':
        this.people.clear();
        for (const p of r.people) this.people.set(p.id, p);
        this.line = [...r.line];
        this.ghosts.clear();
        for (const [k, v] of r.ghosts) this.ghosts.set(k, [...v]);
        this.nextSeq = r.nextSeq;
        this.ownerCounts.clear();
        for (const p of this.people.values()) if (p.owner) this.ownerCounts.set(p.owner, (this.ownerCounts.get(p.owner) ?? 0) + 1);
        break;
      case 'join':
        this.addPerson(r);
        break;
      case 'place':
        this.setPlaced(r);
        break;
      case 'back':
        this.sendBack(r.ids, r.server, r.now);
        break;
      case 'leave':
        this.drop(r.id, r.reason);
        break;
      case 'ghost-gone':
        this.ghosts.set(
          r.server,
          (this.ghosts.get(r.server) ?? []).filter((x) => x !== r.memberId),
        );
        break;
      case 'rename':
        this.applyRename(r.from, r.to);
        break;
    }
  }

  private snapshotRecord(): Rec {
    return { t: 'snapshot', v: 1, people: [...this.people.values()], line: this.line, ghosts: [...this.ghosts], nextSeq: this.nextSeq };
  }

  flush(): Promise<void> {
    return this.journal.flush();
  }

  // ---- State changes (journaled, replayed) ------------------------------------------

  private addPerson(r: Extract<Rec, { t: 'join' }>): Person {
    const p: Person = {
      id: r.id,
      name: r.name,
      want: r.want,
      owner: r.owner,
      seq: this.nextSeq++,
      joinedAt: r.now,
      since: r.now,
      server: null,
      memberId: null,
      kind: null,
      view: null,
      lostServer: null,
    };
    this.people.set(p.id, p);
    this.line.push(p.id);
    if (p.owner) this.ownerCounts.set(p.owner, (this.ownerCounts.get(p.owner) ?? 0) + 1);
    this.log(r);
    return p;
  }

  private setPlaced(r: Extract<Rec, { t: 'place' }>): void {
    const p = this.people.get(r.id);
    if (!p) return;
    p.server = r.server;
    p.memberId = r.memberId;
    p.kind = r.kind;
    p.view = r.view;
    p.lostServer = null;
    this.line = this.line.filter((x) => x !== r.id);
    this.log(r);
  }

  /** People of a server that went away: to the front of the line, in their order. */
  private sendBack(ids: string[], server: string, now: number): void {
    const back = ids
      .map((id) => this.people.get(id))
      .filter((p): p is Person => !!p && p.server === server)
      .sort((a, b) => a.seq - b.seq);
    if (back.length === 0) return;
    const ghosts = this.ghosts.get(server) ?? [];
    for (const p of back) {
      if (p.memberId) ghosts.push(p.memberId);
      p.server = null;
      p.memberId = null;
      p.kind = null;
      p.view = null;
      p.lostServer = server;
      p.since = now;
    }
    this.ghosts.set(server, ghosts);
    this.line = [...back.map((p) => p.id), ...this.line];
    this.log({ t: 'back', ids: back.map((p) => p.id), server, now });
  }

  private drop(id: string, reason: LeaveReason): Person | null {
    const p = this.people.get(id);
    if (!p) return null;
    this.people.delete(id);
    this.line = this.line.filter((x) => x !== id);
    if (p.owner) {
      const n = (this.ownerCounts.get(p.owner) ?? 1) - 1;
      if (n > 0) this.ownerCounts.set(p.owner, n);
      else this.ownerCounts.delete(p.owner);
    }
    this.lastSeen.delete(id);
    this.lastForwarded.delete(id);
    this.ended.set(id, reason);
    if (this.ended.size > 5000) this.ended.delete(this.ended.keys().next().value!);
    this.log({ t: 'leave', id, reason });
    return p;
  }

  private applyRename(from: string, to: string): void {
    for (const p of this.people.values()) {
      if (p.server === from) p.server = to;
      if (p.lostServer === from) p.lostServer = to;
    }
    const g = this.ghosts.get(from);
    if (g) {
      this.ghosts.delete(from);
      this.ghosts.set(to, g);
    }
  }

  // ---- The people's API (the sessions routes call these) -------------------------------

  async join(input: unknown, opts: { owner?: string; maxPerOwner?: number } = {}): Promise<FleetSessionView> {
    const parsed = JoinSchema.safeParse(input ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
      throw new ApiError('invalid_payload', `Invalid request: ${issues.join('; ')}. Send {"name": "…", "want": "operate" | "watch" | "any"}.`, issues);
    }
    if (this.people.size >= MAX_PEOPLE) throw new ApiError('unavailable', `The waiting list is full (${MAX_PEOPLE} people). Try again later.`);
    const owner = opts.owner ?? null;
    if (owner !== null && opts.maxPerOwner !== undefined && (this.ownerCounts.get(owner) ?? 0) >= opts.maxPerOwner) {
      throw new ApiError('rate_limited', `This address already holds ${opts.maxPerOwner} places in line: leave one (DELETE its session) before joining again; wait 30 s and try again.`);
    }
    const now = this.now();
    const p = this.addPerson({ t: 'join', id: randomBytes(12).toString('base64url'), name: parsed.data.name, want: parsed.data.want, owner, now });
    this.lastSeen.set(p.id, now);
    // Placed at once when a server has room: the answer says where.
    await this.pump();
    this.opts.onChange();
    return this.view(p.id)!;
  }

  get(id: string): FleetSessionView {
    const v = this.view(id);
    if (!v) throw this.gone(id);
    this.heartbeat(id);
    return v;
  }

  heartbeat(id: string): boolean {
    const p = this.people.get(id);
    if (!p) return false;
    const now = this.now();
    this.lastSeen.set(id, now);
    if (p.server && p.memberId && now - (this.lastForwarded.get(id) ?? 0) >= FORWARD_HEARTBEAT_MS) {
      this.lastForwarded.set(id, now);
      void this.refresh(p);
    }
    return true;
  }

  async leave(id: string, reason: LeaveReason = 'left'): Promise<void> {
    const p = this.drop(id, reason);
    if (!p) throw this.gone(id);
    this.tellEnded(id, reason);
    if (p.server && p.memberId) await this.endOnMember(p.server, p.memberId);
    this.opts.onChange();
    void this.pump();
  }

  watch(id: string, fn: Watcher): () => void {
    const v = this.view(id);
    if (!v) throw this.gone(id);
    fn({ type: 'session', session: v });
    let set = this.watchers.get(id);
    if (!set) this.watchers.set(id, (set = new Set()));
    set.add(fn);
    this.heartbeat(id);
    return () => {
      set!.delete(fn);
      if (set!.size === 0) this.watchers.delete(id);
    };
  }

  private gone(id: string): ApiError {
    const reason = this.ended.get(id);
    return new ApiError('not_found', `Session ${id.slice(0, 40)} is not known${reason ? ` (${reason})` : ''}. Join again.`, undefined, reason);
  }

  view(id: string): FleetSessionView | null {
    const p = this.people.get(id);
    if (!p) return null;
    if (p.server && p.view) return { ...p.view, id: p.id, name: p.name, server: p.server, lostServer: null };
    const position = this.line.indexOf(id) + 1;
    return {
      id: p.id,
      name: p.name,
      want: p.want,
      role: 'queued',
      instance: null,
      position: position || null,
      waitEstimateSec: null,
      link: null,
      paused: false,
      since: p.since,
      server: null,
      lostServer: p.lostServer,
    };
  }

  private tell(ids: Iterable<string>): void {
    for (const id of ids) {
      const set = this.watchers.get(id);
      if (!set) continue;
      const v = this.view(id);
      if (!v) continue;
      for (const fn of set) fn({ type: 'session', session: v });
    }
  }

  private tellEnded(id: string, reason: LeaveReason | 'closed'): void {
    const set = this.watchers.get(id);
    this.watchers.delete(id);
    for (const fn of set ?? []) fn({ type: 'ended', reason });
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, seen] of this.lastSeen) if (now - seen > this.timeoutMs) void this.leave(id, 'timeout').catch(() => undefined);
  }

  // ---- Placement --------------------------------------------------------------------

  /** Figures for the overview. */
  stats(): { waiting: number; placed: number; placements: number; placementP99Ms: number | null } {
    return { waiting: this.line.length, placed: this.people.size - this.line.length, placements: this.placements, placementP99Ms: percentile(this.decisionsMs, 99) };
  }

  placedOn(server: string): number {
    let n = 0;
    for (const p of this.people.values()) if (p.server === server) n++;
    return n;
  }

  /** What each member can take now: its own snapshot, less the people just joined on it that the snapshot does not show yet. */
  private candidates(): Candidate[] {
    const out: Candidate[] = [];
    for (const m of this.opts.members.list()) {
      const a = m.figures.admission;
      const eligible = m.state() === 'online' && a !== null && !a.config.draining && !this.full.has(m.name) && (this.ghosts.get(m.name)?.length ?? 0) === 0;
      let places: Places = a ? placesOf(a) : { seats: 0, spectators: 0, streams: 0 };
      if (a && eligible) {
        const known = new Set<string>();
        for (const s of a.seats) {
          if (s.operator) known.add(s.operator.id);
          for (const x of s.spectators) known.add(x.id);
        }
        for (const q of a.queue) known.add(q.id);
        places = { ...places };
        for (const p of this.people.values()) {
          if (p.server !== m.name || !p.memberId || known.has(p.memberId)) continue;
          // The snapshot carries only the first page of the line: one last seen waiting past it is still known there.
          if (p.view?.role === 'queued' && p.view.position !== null && p.view.position > a.queue.length && a.queueTotal > a.queue.length) continue;
          if (p.kind === 'seat') places.seats--;
          else places.spectators--;
          places.streams--;
        }
      }
      out.push({ name: m.name, eligible, stress: m.figures.sample ? stressOf(loadsOf(m.figures.sample)) : null, places });
    }
    return out;
  }

  /**
   * Places whoever can be placed now. Rounds run one at a time; a call during a round
   * asks for one more after it, and resolves when that round (which sees the caller's
   * change) is done — never later, however many calls keep coming.
   */
  pump(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      if (this.pumping) {
        this.again = true;
        return;
      }
      this.pumping = true;
      void this.rounds();
    });
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      const done = this.waiters.splice(0);
      try {
        await this.round();
      } catch (e) {
        process.stderr.write(`StreamCap front door: a placement round failed: ${e instanceof Error ? e.message : String(e)}\n`);
      } finally {
        for (const r of done) r();
      }
    } while ((this.again || this.waiters.length > 0) && !this.closed);
    this.pumping = false;
    for (const r of this.waiters.splice(0)) r();
  }

  private async round(): Promise<void> {
    const waiting = this.line.filter((id) => !this.placing.has(id)).map((id) => ({ id, want: this.people.get(id)!.want }));
    if (waiting.length === 0) return;
    const t0 = performance.now();
    const placements = placeLine(waiting, this.candidates());
    this.decisionsMs.push(performance.now() - t0);
    if (this.decisionsMs.length > DECISIONS_KEPT) this.decisionsMs.shift();
    if (placements.length === 0) return;
    await Promise.all(placements.map((pl) => this.placeOn(pl.id, pl.server)));
  }

  private async placeOn(id: string, server: string): Promise<void> {
    const p = this.people.get(id);
    const m = this.opts.members.get(server);
    if (!p || !m) return;
    this.placing.add(id);
    try {
      const a = await m.sessions('POST', '', { name: p.name, want: p.want }).catch((e: Error) => ({ status: 0, body: e.message }));
      const view = a.status === 201 ? MemberView.safeParse(a.body) : null;
      if (!view?.success) {
        // Draining since the last snapshot, full, gone: not this server for now.
        this.full.add(server);
        if (a.status === 0) process.stderr.write(`StreamCap front door: ${server} did not take ${p.name}: ${String(a.body)}\n`);
        this.again = true;
        return;
      }
      const still = this.people.get(id);
      if (!still || m.state() === 'offline' || view.data.role === 'queued') {
        // Left meanwhile, the server dropped, or it had no place after all: undone on the member.
        await this.endOnMember(server, view.data.id);
        if (still && view.data.role === 'queued') this.full.add(server);
        this.again = true;
        return;
      }
      this.setPlaced({ t: 'place', id, server, memberId: view.data.id, kind: view.data.role === 'operator' ? 'seat' : 'spectator', view: view.data, now: this.now() });
      this.placements++;
      this.tell([id, ...this.line]);
      this.opts.onChange();
    } finally {
      this.placing.delete(id);
    }
  }

  private async endOnMember(server: string, memberId: string): Promise<void> {
    const m = this.opts.members.get(server);
    const a = m ? await m.sessions('DELETE', `/${encodeURIComponent(memberId)}`).catch(() => null) : null;
    if (!a || (a.status !== 200 && a.status !== 404)) {
      // Not reachable: removed when it is back.
      this.ghosts.set(server, [...(this.ghosts.get(server) ?? []), memberId]);
    }
  }

  /** The member's current view of a person (and a heartbeat there); ends them here if the member ended them. */
  private async refresh(p: Person): Promise<void> {
    const m = p.server ? this.opts.members.get(p.server) : undefined;
    if (!m || !p.memberId) return;
    const memberId = p.memberId;
    const a = await m.sessions('GET', `/${encodeURIComponent(memberId)}`).catch(() => null);
    if (!a || this.people.get(p.id) !== p || p.memberId !== memberId) return;
    if (a.status === 200) {
      const v = MemberView.safeParse(a.body);
      if (v.success && JSON.stringify(v.data) !== JSON.stringify(p.view)) {
        p.view = v.data;
        this.tell([p.id]);
      }
    } else if (a.status === 404 && errorCode(a) === 'not_found') {
      const why = z.object({ error: z.object({ ended: z.enum(['left', 'timeout', 'kicked']).optional() }) }).safeParse(a.body);
      const reason = why.success ? (why.data.error.ended ?? 'kicked') : 'kicked';
      this.drop(p.id, reason);
      this.tellEnded(p.id, reason);
      this.opts.onChange();
      void this.pump();
    } else {
      process.stderr.write(`StreamCap front door: ${m.name} answered ${errorText(a)} for a session\n`);
    }
  }

  // ---- The members change -------------------------------------------------------------

  /** A member's admission changed: relay what changed for our people there, place more. */
  memberAdmission(m: MemberLink): void {
    this.full.delete(m.name);
    const a = m.figures.admission;
    if (a) {
      const where = new Map<string, string>();
      for (const s of a.seats) {
        if (s.operator) where.set(s.operator.id, `operator:${s.instance}`);
        for (const x of s.spectators) where.set(x.id, `spectator:${s.instance}`);
      }
      for (const q of a.queue) if (!where.has(q.id)) where.set(q.id, `queued:${q.position}`);
      for (const p of this.people.values()) {
        if (p.server !== m.name || !p.memberId || !p.view) continue;
        const now = where.get(p.memberId);
        const was = p.view.role === 'queued' ? `queued:${p.view.position}` : `${p.view.role}:${p.view.instance}`;
        if (now !== was) void this.refresh(p);
      }
    }
    void this.pump();
  }

  /** A member went offline: its people are told and go back to the front of the line. */
  memberOffline(name: string): void {
    const ids = [...this.people.values()].filter((p) => p.server === name).map((p) => p.id);
    if (ids.length) {
      this.sendBack(ids, name, this.now());
      this.tell(this.line);
      this.opts.onChange();
    }
    void this.pump();
  }

  /** A member is back: the sessions of the people it lost are removed there first, then it takes people again. */
  async memberOnline(m: MemberLink): Promise<void> {
    const ghosts = [...(this.ghosts.get(m.name) ?? [])];
    await Promise.all(
      ghosts.map(async (memberId) => {
        try {
          await m.invoke('admission.kick', { id: memberId });
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 'not_found')) return; // try again on the next return
        }
        this.ghosts.set(
          m.name,
          (this.ghosts.get(m.name) ?? []).filter((x) => x !== memberId),
        );
        this.log({ t: 'ghost-gone', server: m.name, memberId });
      }),
    );
    void this.pump();
  }

  renamed(from: string, to: string): void {
    this.applyRename(from, to);
    this.log({ t: 'rename', from, to });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timers.clearInterval(this.sweepTimer);
    for (const id of [...this.watchers.keys()]) this.tellEnded(id, 'closed');
    await this.journal.close();
  }
}
