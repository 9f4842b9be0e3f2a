import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkInvariants,
  DEFAULT_ADMISSION,
  emptyState,
  join,
  leave,
  limitsOf,
  move,
  promote,
  setLimits,
  streamCap,
  usage,
  viewOf,
  waitEstimate,
  type AdmissionState,
  type Limits,
  type Step,
  type Want,
} from '../../shared/admission-rules';

const limits = (over: Partial<Limits> = {}): Limits => ({ seats: [1, 2], spectatorsPerInstance: 2, maxStreams: null, paused: false, ...over });

function run(state: AdmissionState, ...actions: ((s: AdmissionState) => Step)[]): AdmissionState {
  for (const a of actions) state = a(state).state;
  return state;
}
const J =
  (id: string, want: Want, now = 0) =>
  (s: AdmissionState) =>
    join(s, { id, name: id, want, now });
const role = (s: AdmissionState, id: string) => s.sessions.get(id)?.role ?? null;

describe('admission rules, by example', () => {
  it('the brief: 10 seats, 8 Mbps, 240 Mbps uplink → 10 operators + 20 spectators, the 31st waits', () => {
    const cfg = { ...DEFAULT_ADMISSION, seatsFrom: 'manual' as const, seats: 10, spectatorsPerInstance: 2, bitrateMbps: 8, uplinkMbps: 240 };
    let s = emptyState(limitsOf(cfg, [], null));
    for (let i = 0; i < 10; i++) s = join(s, { id: `op${i}`, name: `op${i}`, want: 'operate', now: i }).state;
    for (let i = 0; i < 21; i++) s = join(s, { id: `w${i}`, name: `w${i}`, want: 'watch', now: 10 + i }).state;
    const u = usage(s);
    expect([u.operators, u.spectators, u.streams]).toEqual([10, 20, 30]);
    expect(role(s, 'w20')).toBe('queued');
    expect(viewOf(s, 'w20', { meanHoldSec: null }, '')!.position).toBe(1);
    expect(checkInvariants(s)).toEqual([]);
  });

  it('an operator leaves → the first person waiting to operate gets the seat, not a later one', () => {
    let s = run(emptyState(limits({ seats: [1] })), J('a', 'operate'), J('b', 'operate'), J('c', 'operate'));
    expect([role(s, 'a'), role(s, 'b'), role(s, 'c')]).toEqual(['operator', 'queued', 'queued']);
    const step = leave(s, 'a', 5);
    s = step.state;
    expect(role(s, 'b')).toBe('operator');
    expect(s.sessions.get('b')!.instance).toBe(1);
    expect(step.changes).toContainEqual({ id: 'b', from: 'queued', to: 'operator', instance: 1 });
    expect(viewOf(s, 'c', { meanHoldSec: null }, '')!.position).toBe(1);
  });

  it('"any" watches while waiting and takes the seat when it frees, bandwidth-neutral under a full cap', () => {
    // 1 seat, cap 2 streams: a operates, b (any) watches and waits; cap full.
    let s = run(emptyState(limits({ seats: [1], maxStreams: 2 })), J('a', 'operate'), J('b', 'any'), J('c', 'watch'));
    expect([role(s, 'a'), role(s, 'b'), role(s, 'c')]).toEqual(['operator', 'spectator', 'queued']);
    expect(viewOf(s, 'b', { meanHoldSec: null }, '')!.position).toBe(1);
    s = leave(s, 'a', 1).state;
    expect(role(s, 'b')).toBe('operator');
    expect(role(s, 'c')).toBe('spectator');
    expect(checkInvariants(s)).toEqual([]);
  });

  it('capped: the cap is never passed; open: everyone is admitted up to the seats and spectator places', () => {
    const capped = run(emptyState(limits({ seats: [1, 2], spectatorsPerInstance: 5, maxStreams: 3 })), ...['a', 'b', 'c', 'd'].map((id) => J(id, 'any')));
    expect(usage(capped).streams).toBe(3);
    expect(role(capped, 'd')).toBe('queued');
    const open = run(emptyState(limits({ seats: [1, 2], spectatorsPerInstance: 5, maxStreams: null })), ...['a', 'b', 'c', 'd'].map((id) => J(id, 'any')));
    expect(usage(open).streams).toBe(4);
  });

  it('paused: newcomers wait, promote lets one in anyway; resuming fills the rest', () => {
    let s = run(emptyState(limits({ seats: [1, 2], paused: true })), J('a', 'operate'), J('b', 'operate'));
    expect([role(s, 'a'), role(s, 'b')]).toEqual(['queued', 'queued']);
    s = promote(s, 'b', 1).state;
    expect([role(s, 'a'), role(s, 'b')]).toEqual(['queued', 'operator']);
    s = setLimits(s, { ...s.limits, paused: false }, 2).state;
    expect(role(s, 'a')).toBe('operator');
  });

  it('losing seats sends the newest operators back to the front of the queue, in arrival order', () => {
    let s = run(emptyState(limits({ seats: [1, 2, 3], spectatorsPerInstance: 0 })), J('a', 'operate'), J('b', 'operate'), J('c', 'operate'), J('d', 'operate'));
    expect(s.queue).toEqual(['d']);
    s = setLimits(s, limits({ seats: [1], spectatorsPerInstance: 0 }), 3).state;
    expect(role(s, 'a')).toBe('operator');
    expect(s.queue).toEqual(['b', 'c', 'd']);
    expect(checkInvariants(s)).toEqual([]);
  });

  it('a spectator moving up to a seat gives its place to a watcher ahead of it in line (regression)', () => {
    // queue [C (watch), B (any, watching)]; A leaves: B takes the seat, C the spectator place B gave back.
    let s = run(emptyState(limits({ seats: [1], spectatorsPerInstance: 1 })), J('a', 'operate'), J('b', 'any'), J('c', 'watch'));
    s = move(s, 'c', 1, 1).state;
    s = leave(s, 'a', 2).state;
    expect([role(s, 'b'), role(s, 'c')]).toEqual(['operator', 'spectator']);
    expect(checkInvariants(s)).toEqual([]);
    // The same without an admin action: a displaced watcher ahead of an "any" spectator.
    s = run(emptyState(limits({ seats: [1], spectatorsPerInstance: 2 })), J('a', 'operate'), J('b', 'any'), J('w', 'watch'));
    s = setLimits(s, limits({ seats: [1], spectatorsPerInstance: 1 }), 3).state;
    expect(s.queue).toEqual(['w', 'b']);
    s = leave(s, 'a', 4).state;
    expect([role(s, 'b'), role(s, 'w')]).toEqual(['operator', 'spectator']);
    expect(checkInvariants(s)).toEqual([]);
  });

  it('capped and full: an operator leaving frees the seat for the first person waiting to operate, even behind a watcher', () => {
    let s = run(emptyState(limits({ seats: [1], spectatorsPerInstance: 2, maxStreams: 2 })), J('a', 'operate'), J('s', 'watch'), J('w', 'watch'), J('q', 'operate'));
    expect(s.queue).toEqual(['w', 'q']);
    s = leave(s, 'a', 5).state;
    expect(role(s, 'q')).toBe('operator');
    expect(role(s, 'w')).toBe('queued');
    expect(checkInvariants(s)).toEqual([]);
  });

  it('move reorders the queue; moving someone who is not waiting is refused', () => {
    let s = run(emptyState(limits({ seats: [1], spectatorsPerInstance: 0 })), J('a', 'operate'), J('b', 'operate'), J('c', 'operate'));
    s = move(s, 'c', 1, 1).state;
    expect(s.queue).toEqual(['c', 'b']);
    expect(() => move(s, 'a', 1, 1)).toThrow(/not waiting/);
    expect(() => move(s, 'zz', 1, 1)).toThrow(/No session/);
  });

  it('wait estimate: position × mean hold time / places; unknown without data', () => {
    expect(waitEstimate(3, 2, 60)).toBe(90);
    expect(waitEstimate(1, 0, 60)).toBeNull();
    expect(waitEstimate(1, 4, null)).toBeNull();
    expect(streamCap(240, 8)).toBe(30);
    expect(streamCap(100, 8)).toBe(12);
  });
});

// ---- Properties: any sequence of joins, leaves, timeouts and admin actions ----

type Cmd =
  | { k: 'join'; want: Want }
  | { k: 'leave'; pick: number; reason: 'left' | 'timeout' | 'kicked' }
  | { k: 'limits'; seats: number[]; spec: number; cap: number | null; paused: boolean }
  | { k: 'move'; pick: number; pos: number }
  | { k: 'promote'; pick: number };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('join' as const), want: fc.constantFrom<Want>('operate', 'watch', 'any') }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('leave' as const), pick: fc.nat(1000), reason: fc.constantFrom('left' as const, 'timeout' as const, 'kicked' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('limits' as const),
      seats: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
      spec: fc.integer({ min: 0, max: 2 }),
      cap: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }),
      paused: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('move' as const), pick: fc.nat(1000), pos: fc.integer({ min: 1, max: 10 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('promote' as const), pick: fc.nat(1000) }) },
);

const accepts = (want: Want, r: 'operator' | 'spectator') => (r === 'operator' ? want !== 'watch' : want !== 'operate');

describe('admission rules, properties (fast-check)', () => {
  it('no seat twice, no one lost, order kept, nobody overtaken, cap kept, no idle place while someone waits', () => {
    fc.assert(
      fc.property(
        fc.record({ seats: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }), spec: fc.integer({ min: 0, max: 2 }), cap: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }) }),
        // Long sequences over few places: places fill up and free up again and again.
        fc.array(cmdArb, { minLength: 20, maxLength: 80, size: 'max' }),
        (init, cmds) => {
          let s = emptyState({ seats: init.seats, spectatorsPerInstance: init.spec, maxStreams: init.cap, paused: false });
          const present = new Set<string>();
          let nextId = 0;
          let now = 0;
          for (const c of cmds) {
            now += 1;
            const before = s;
            const ids = [...s.sessions.keys()];
            const queued = s.queue;
            let step: Step | null = null;
            if (c.k === 'join') {
              const id = `s${nextId++}`;
              step = join(s, { id, name: id, want: c.want, now });
              present.add(id);
            } else if (c.k === 'leave' && ids.length) {
              const id = ids[c.pick % ids.length]!;
              step = leave(s, id, now, c.reason);
              present.delete(id);
            } else if (c.k === 'limits') {
              step = setLimits(s, { seats: c.seats, spectatorsPerInstance: c.spec, maxStreams: c.cap, paused: c.paused }, now);
            } else if ((c.k === 'move' || c.k === 'promote') && queued.length) {
              const id = queued[c.pick % queued.length]!;
              step = c.k === 'move' ? move(s, id, c.pos, now) : promote(s, id, now);
            }
            if (!step) continue;
            s = step.state;
            // Invariants of the state itself.
            expect(checkInvariants(s)).toEqual([]);
            // No one lost: exactly the people who joined and did not leave.
            expect(new Set([...s.sessions.keys()])).toEqual(present);
            if (c.k === 'move' || c.k === 'promote') continue;
            // Order kept: people who were waiting before and still wait keep their relative order.
            const stillWaiting = s.queue.filter((id) => queued.includes(id));
            expect(stillWaiting).toEqual(queued.filter((id) => stillWaiting.includes(id)));
            // Nobody overtaken: whoever got a place, nobody ahead of them who would have
            // taken it at the same or lower cost is still without it.
            for (const ch of step.changes) {
              if (ch.to !== 'operator' && ch.to !== 'spectator') continue;
              const b = before.sessions.get(ch.id);
              const bPos = queued.indexOf(ch.id);
              if (!b || bPos < 0) continue;
              for (const aId of queued.slice(0, bPos)) {
                const a = s.sessions.get(aId);
                if (!a || !accepts(a.want, ch.to)) continue;
                // A spectator displaced in this step (its instance or the cap went) competes as a newcomer.
                const aWatched = before.sessions.get(aId)!.role === 'spectator' && !step.changes.some((x) => x.id === aId && x.reason === 'displaced');
                if (ch.to === 'operator' && a.role !== 'operator' && (aWatched || b.role === 'queued')) {
                  throw new Error(`${ch.id} took a seat ahead of ${aId}`);
                }
                if (ch.to === 'spectator' && a.role === 'queued') throw new Error(`${ch.id} started watching ahead of ${aId}`);
              }
            }
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('the stream count under a cap never exceeds it at any step, whatever the cap does', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { minLength: 20, maxLength: 60, size: 'max' }), (cmds) => {
        let s = emptyState(limits({ seats: [1, 2, 3], spectatorsPerInstance: 3, maxStreams: 5 }));
        let n = 0;
        for (const c of cmds) {
          const ids = [...s.sessions.keys()];
          if (c.k === 'join') s = join(s, { id: `x${n++}`, name: 'x', want: c.want, now: n }).state;
          else if (c.k === 'leave' && ids.length) s = leave(s, ids[c.pick % ids.length]!, n, c.reason).state;
          else if (c.k === 'limits') s = setLimits(s, { seats: c.seats, spectatorsPerInstance: c.spec, maxStreams: c.cap ?? 5, paused: c.paused }, n).state;
          expect(usage(s).streams).toBeLessThanOrEqual(s.limits.maxStreams!);
        }
      }),
      { numRuns: 300 },
    );
  });
});
