// The admission service's smaller parts on their own: the heartbeat sweep's
// bookkeeping (on a fake clock and timers) and the watchers' diffs (whom a step tells).
import { describe, expect, it } from 'vitest';
import { Heartbeats } from '../../electron/core/admission/heartbeats';
import { SessionWatchers } from '../../electron/core/admission/watchers';
import { emptyState, join, leave, viewOf, type AdmissionState, type Step } from '../../shared/admission-rules';
import type { SessionNotice } from '../../shared/wire/sessions';
import { fakeTime } from '../fake-time';

const LIMITS = { seats: [1], spectatorsPerInstance: 0, maxStreams: null, paused: false };

describe('heartbeats', () => {
  it('says who is overdue: counted from the last heartbeat, else from the join; simulated visitors never', () => {
    const time = fakeTime();
    const hb = new Heartbeats(time.timers);
    let st = emptyState(LIMITS);
    for (const [id, synthetic] of [
      ['a', false],
      ['b', false],
      ['sim', true],
    ] as const)
      st = join(st, { id, name: id, want: 'any', now: time.now(), synthetic }).state;
    hb.seen('a', time.now());
    time.advance(1500);
    hb.seen('a', time.now());
    time.advance(1000);
    // b: never heard from after its join 2.5 s ago; a: 1 s ago; sim: sends none.
    expect(hb.overdue(st.sessions.values(), time.now(), 2000)).toEqual(['b']);
    hb.forget('a');
    time.advance(1000);
    expect(hb.overdue(st.sessions.values(), time.now(), 2000)).toEqual(['a', 'b']); // forgotten: counted from its join again
  });

  it('sweeps on the injected timer until closed', () => {
    const time = fakeTime();
    const hb = new Heartbeats(time.timers);
    let sweeps = 0;
    hb.start(() => sweeps++, 1000);
    hb.start(() => sweeps++, 1000); // started once
    time.advance(3500);
    expect(sweeps).toBe(3);
    hb.close();
    expect(time.pending()).toBe(0);
    time.advance(5000);
    expect(sweeps).toBe(3);
  });

  it('stops its timer while idle and starts it again at the next person heard from', () => {
    const time = fakeTime();
    const hb = new Heartbeats(time.timers);
    let sweeps = 0;
    hb.start(() => sweeps++, 1000);
    time.advance(1500);
    hb.idle();
    expect(time.pending()).toBe(0); // no wake-ups with nobody to sweep
    time.advance(5000);
    expect(sweeps).toBe(1);
    hb.seen('a', time.now());
    time.advance(2500);
    expect(sweeps).toBe(3);
    hb.close();
    hb.seen('b', time.now()); // closed: stays stopped
    expect(time.pending()).toBe(0);
  });
});

describe('session watchers', () => {
  /** A line of one seat and a watched queue; `step` applies a rule's step and lets the watchers diff it. */
  function line(ids: string[]) {
    let state: AdmissionState = emptyState(LIMITS);
    const watchers = new SessionWatchers((id, index, hold) => viewOf(state, id, { meanHoldSec: hold }, '', index));
    const told = new Map<string, SessionNotice[]>();
    const step = (s: Step, hold: number | null = null) => {
      const before = state;
      state = s.state;
      watchers.afterStep(before, state, s, hold);
    };
    for (const id of ids) step(join(state, { id, name: id, want: 'operate', now: 0 }));
    for (const id of ids) {
      told.set(id, []);
      watchers.add(id, viewOf(state, id, { meanHoldSec: null }, '')!, (n) => told.get(id)!.push(n));
    }
    const clear = () => told.forEach((list) => list.splice(0));
    return { watchers, told, step, clear, state: () => state };
  }

  it('sends the current view first; a watcher that throws is not kept', () => {
    const { watchers, state } = line(['a']);
    expect(watchers.size).toBe(1);
    const v = viewOf(state(), 'a', { meanHoldSec: null }, '')!;
    expect(() =>
      watchers.add('a', v, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    const got: SessionNotice[] = [];
    const off = watchers.add('a', v, (n) => got.push(n));
    expect(got).toEqual([{ type: 'session', session: v }]);
    off();
    watchers.ended('a', 'left');
    expect(got).toHaveLength(1); // unsubscribed: not told
  });

  it('a step tells those it changed and those behind the first changed place, once each', () => {
    const { told, step, clear, state } = line(['a', 'b', 'c', 'd']);
    clear();
    // c leaves: a (seated) and b (ahead of c) see nothing new; d moved up.
    step(leave(state(), 'c', 10));
    expect(told.get('a')).toEqual([]);
    expect(told.get('b')).toEqual([]);
    expect(told.get('d')!.map((n) => n.type === 'session' && n.session.position)).toEqual([2]);
    // The mean hold moved: every estimate did, but only changed views are sent.
    clear();
    step(join(state(), { id: 'e', name: 'e', want: 'operate', now: 20 }), 60);
    expect(told.get('a')).toEqual([]); // seated: no estimate
    expect(told.get('b')!.map((n) => n.type === 'session' && n.session.waitEstimateSec)).toEqual([60]);
    expect(told.get('d')!.map((n) => n.type === 'session' && n.session.waitEstimateSec)).toEqual([120]);
  });

  it('an ended session tells its watchers why; close tells the rest', () => {
    const { watchers, told } = line(['a', 'b']);
    watchers.ended('a', 'kicked');
    expect(told.get('a')!.at(-1)).toEqual({ type: 'ended', reason: 'kicked' });
    expect(watchers.size).toBe(1);
    watchers.close();
    expect(told.get('b')!.at(-1)).toEqual({ type: 'ended', reason: 'closed' });
    expect(watchers.size).toBe(0);
  });
});
