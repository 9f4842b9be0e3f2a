// The visitor simulator on a fake clock, fake timers and seeded randomness: its
// visitors join, hold, give up and leave through the service's public API, so a
// draining server refuses them like anyone, and nothing here waits for real time.
import { afterEach, describe, expect, it } from 'vitest';
import { AdmissionService, type AdmissionEvent } from '../../electron/core/admission/service';
import { usage } from '../../shared/admission-rules';
import { fakeTime, type FakeTime } from '../fake-time';
import { tmpDir } from '../helpers';

/** mulberry32: a small seeded generator, so every run of a test is the same run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const open: AdmissionService[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function service(time: FakeTime, seed = 1): { svc: AdmissionService; events: AdmissionEvent[]; seatsUsed: number[] } {
  const seatsUsed: number[] = [];
  const svc = new AdmissionService({
    dataDir: tmpDir(),
    onSnapshot: () => undefined,
    wilbur: false,
    now: time.now,
    timers: time.timers,
    random: seeded(seed),
    onStep: (st) => seatsUsed.push(usage(st).operators),
  });
  open.push(svc);
  const events: AdmissionEvent[] = [];
  svc.onEvent((e) => events.push(e));
  return { svc, events, seatsUsed };
}

/** Steps the fake clock in the simulator's own ticks. */
const run = (time: FakeTime, ms: number) => {
  for (let t = 0; t < ms; t += 250) time.advance(250);
};

describe('the visitor simulator', () => {
  it('fills the seats through the rules, holds, leaves, needs no heartbeats, and goes home when stopped', async () => {
    const time = fakeTime();
    const { svc, seatsUsed } = service(time);
    await svc.setConfig({ seatsFrom: 'manual', seats: 2, spectatorsPerInstance: 1, heartbeatTimeoutSec: 2 });
    svc.simulate({ running: true, arrivalsPerMin: 120, meanSessionSec: 5, operateShare: 0.5 });
    run(time, 60_000);
    const snap = svc.snapshot();
    expect(snap.simulation).toMatchObject({ running: true, arrivalsPerMin: 120, meanSessionSec: 5, operateShare: 0.5 });
    expect(snap.simulation.arrived).toBeGreaterThan(60);
    expect(snap.simulation.gaveUp).toBeGreaterThan(0);
    expect(snap.stats.left).toBeGreaterThan(0); // held their places, then left
    expect(snap.stats.timedOut).toBe(0); // a minute past the 2 s heartbeat timeout: synthetic visitors need none
    expect(Math.max(...seatsUsed)).toBe(2); // the rules: never more operators than seats
    const present = [...snap.seats.flatMap((s) => [s.operator, ...s.spectators]), ...snap.queue].filter((p) => p !== null);
    // A spectator waiting for a seat ("any") is both on a seat and in line: count people once.
    expect(snap.simulation.visitors).toBe(new Set(present.map((p) => p.id)).size);
    expect(present.every((p) => p.synthetic && /^(Visitor|Viewer) \d+$/.test(p.name))).toBe(true);

    const stopped = svc.simulate({ running: false });
    expect(stopped).toMatchObject({ running: false, visitors: 0, arrivalsPerMin: 120 }); // stopping keeps the settings
    expect(svc.snapshot().queue).toEqual([]);
    const arrived = stopped.arrived;
    run(time, 10_000);
    expect(svc.snapshot().simulation.arrived).toBe(arrived); // stopped means stopped
  });

  it('the same seed gives the same run', async () => {
    const names = async (seed: number) => {
      const time = fakeTime();
      const { svc } = service(time, seed);
      await svc.setConfig({ seatsFrom: 'manual', seats: 1 });
      svc.simulate({ running: true, arrivalsPerMin: 60, meanSessionSec: 10 });
      run(time, 20_000);
      const s = svc.snapshot();
      return { sim: s.simulation, queue: s.queue.map((q) => q.name), seats: s.seats.map((x) => x.operator?.name ?? null) };
    };
    expect(await names(7)).toEqual(await names(7));
  });

  it('a draining server refuses simulated visitors like anyone, and each refusal is a refused join', async () => {
    const time = fakeTime();
    const { svc, events } = service(time);
    await svc.setConfig({ seatsFrom: 'manual', seats: 2, draining: true });
    svc.simulate({ running: true, arrivalsPerMin: 600, meanSessionSec: 5 });
    run(time, 10_000);
    const snap = svc.snapshot();
    expect(snap.queue).toEqual([]);
    expect(snap.seats.every((s) => s.operator === null)).toBe(true);
    expect(snap.simulation).toMatchObject({ arrived: 0, visitors: 0 });
    expect(events.length).toBeGreaterThan(20);
    expect(events.every((e) => e.type === 'join' && e.outcome === 'refused')).toBe(true);

    // Draining ends: they get in again.
    await svc.setConfig({ draining: false });
    run(time, 5_000);
    expect(svc.snapshot().simulation.arrived).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'join' && e.outcome !== 'refused')).toBe(true);
  });

  it('a visitor the admin kicks is gone at once, and the simulator carries on without it', async () => {
    const time = fakeTime();
    const { svc } = service(time);
    await svc.setConfig({ seatsFrom: 'manual', seats: 1 });
    svc.simulate({ running: true, arrivalsPerMin: 600, meanSessionSec: 60 });
    run(time, 3_000);
    const before = svc.snapshot();
    const victim = before.queue[0] ?? before.seats[0]!.operator!;
    svc.kick(victim.id);
    expect(svc.snapshot().simulation.visitors).toBe(before.simulation.visitors - 1);
    expect(svc.snapshot().stats.kicked).toBe(1);
    run(time, 3_000); // the simulator finds it gone (not_found) and forgets it
    expect(svc.simulate({ running: false }).visitors).toBe(0);
    expect(svc.snapshot().stats.kicked).toBe(1); // stopping did not touch the kicked one again
  });
});
