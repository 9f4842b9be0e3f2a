// The waiting line's journal on real files: group commit, repair of a torn or
// damaged last record, compaction, and a replay that rebuilds exactly the line the
// service had (fast-check: any sequence of joins, leaves, moves, promotes, kicks,
// timeouts and settings changes).
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdmissionService } from '../../electron/core/admission/service';
import { Journal, readJournal } from '../../electron/core/journal';
import type { AdmissionSnapshot, Want } from '../../shared/admission-rules';
import { tmpDir, waitFor } from '../helpers';

const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);

function service(dir: string, clock: { t: number }, journal?: { compactRecords?: number }) {
  return new AdmissionService({ dataDir: dir, onSnapshot: () => undefined, wilbur: false, sweepMs: 3_600_000, now: () => clock.t, journal });
}

/** What a restart must keep: seats with their people, the line in order, the statistics. */
const kept = (s: AdmissionSnapshot) => ({ seats: s.seats, queue: s.queue, stats: s.stats, bandwidth: s.bandwidth });

describe('journal', () => {
  it('writes a burst of records in one batch, on disk within the commit window', async () => {
    const file = path.join(tmpDir(), 'j.journal');
    const j = new Journal(file, { snapshot: () => ({ t: 'snapshot' }), commitMs: 50 });
    const t0 = Date.now();
    for (let k = 0; k < 1000; k++) j.append({ k });
    // Counted once written and fsync'd.
    await waitFor(() => j.stats.records === 1000, 'the batch on disk', 2000, 5);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(j.stats).toMatchObject({ records: 1000, batches: 1 });
    expect(lines(file)).toHaveLength(1000);
    expect(readJournal(file)).toEqual({ records: Array.from({ length: 1000 }, (_, k) => ({ k })), repaired: null });
    await j.close();
  });

  it('cuts off a torn last record on open, and appends after whole records', async () => {
    const file = path.join(tmpDir(), 'j.journal');
    const j = new Journal(file, { snapshot: () => ({}) });
    j.append({ a: 1 });
    j.append({ a: 2 });
    await j.close();
    const whole = fs.statSync(file).size;
    fs.appendFileSync(file, '{"a":3,"b":"half wri'); // the crash came mid-write
    const read = readJournal(file);
    expect(read.records).toEqual([{ a: 1 }, { a: 2 }]);
    expect(read.repaired).toMatch(/torn last record \(20 bytes\)/);
    expect(fs.statSync(file).size).toBe(whole);
    const again = new Journal(file, { snapshot: () => ({}) }, read.records.length);
    again.append({ a: 4 });
    await again.close();
    expect(readJournal(file)).toEqual({ records: [{ a: 1 }, { a: 2 }, { a: 4 }], repaired: null });
  });

  it('cuts off a damaged last line; damage further in keeps the file aside and stops there', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'j.journal');
    fs.writeFileSync(file, '{"a":1}\n{"a":\u0000\u0000}\n');
    expect(readJournal(file)).toMatchObject({ records: [{ a: 1 }], repaired: expect.stringMatching(/damaged last record/) });
    fs.writeFileSync(file, '{"a":1}\nnot json\n{"a":3}\n');
    expect(readJournal(file)).toMatchObject({ records: [{ a: 1 }], repaired: expect.stringMatching(/damage at byte 8/) });
    expect(fs.readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    const aside = fs.readdirSync(dir).find((f) => f.startsWith('j.journal.damaged-'))!;
    expect(fs.readFileSync(path.join(dir, aside), 'utf8')).toContain('not json');
  });

  it('the waiting line survives a torn last record: everyone before it is kept', async () => {
    const dir = tmpDir();
    const clock = { t: 1_000_000 };
    const a = service(dir, clock);
    await a.setConfig({ seatsFrom: 'manual', seats: 2, spectatorsPerInstance: 1, policy: 'open' });
    const wants: Want[] = ['operate', 'watch', 'any'];
    for (let k = 0; k < 30; k++) {
      clock.t += 1000;
      a.join({ name: `P${k}`, want: wants[k % 3]! });
    }
    const before = kept(a.snapshot());
    await a.close();
    fs.appendFileSync(path.join(dir, 'sessions.journal'), '{"t":"join","id":"torn","na');
    clock.t += 60_000;
    const b = service(dir, clock);
    expect(b.restored).toEqual({ people: 30, repaired: expect.stringMatching(/torn last record/) });
    expect(kept(b.snapshot())).toEqual(before);
    await b.close();
  });

  it('compacts into one snapshot record and restores from it', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'sessions.journal');
    const clock = { t: 5_000_000 };
    const a = service(dir, clock, { compactRecords: 50 });
    await a.setConfig({ seatsFrom: 'manual', seats: 3, spectatorsPerInstance: 2, policy: 'open' });
    const ids: string[] = [];
    for (let k = 0; k < 200; k++) {
      clock.t += 100;
      ids.push(a.join({ name: `P${k}`, want: k % 2 ? 'operate' : 'any' }).id);
      if (k % 40 === 39) await a.flushJournal();
    }
    for (const id of ids.slice(0, 20)) a.leave(id);
    a.move(ids.at(-1)!, 1);
    a.kick(ids[100]!);
    await a.flushJournal();
    await a.flushJournal(); // the second batch is due for compaction after the first
    const first = JSON.parse(lines(file)[0]!) as { t: string };
    expect(first.t).toBe('snapshot');
    expect(lines(file).length).toBeLessThan(60);
    const before = kept(a.snapshot());
    await a.close();
    const b = service(dir, clock);
    expect(kept(b.snapshot())).toEqual(before);
    expect(() => b.get(ids[100]!)).toThrow(/removed by the host/);
    await b.close();
  });
});

describe('replay rebuilds the same line', () => {
  type Op =
    | { op: 'join'; want: Want }
    | { op: 'leave' | 'kick' | 'promote' | 'timeout'; who: number }
    | { op: 'move'; who: number; position: number }
    | { op: 'config'; seats: number; spectators: number; uplink: number; paused: boolean }
    | { op: 'tick'; ms: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('join' as const), want: fc.constantFrom<Want>('operate', 'watch', 'any') }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('leave' as const, 'kick' as const, 'promote' as const, 'timeout' as const), who: fc.nat(60) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('move' as const), who: fc.nat(60), position: fc.integer({ min: 1, max: 40 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('config' as const), seats: fc.nat(6), spectators: fc.nat(3), uplink: fc.constantFrom(16, 40, 1000), paused: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 20_000 }) }) },
  );

  it('any sequence of changes, restarted at the end (with and without compaction), gives the same seats, line and statistics', async () => {
    const RUNS = Number(process.env.FUZZ_REPLAY_RUNS ?? 60);
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 80 }), fc.boolean(), async (ops, compact) => {
        runs++;
        const dir = tmpDir();
        const clock = { t: 1_700_000_000_000 };
        const a = service(dir, clock, compact ? { compactRecords: 7 } : undefined);
        await a.setConfig({ seatsFrom: 'manual', seats: 2, heartbeatTimeoutSec: 30 });
        const ids: string[] = [];
        for (const o of ops) {
          try {
            if (o.op === 'join') ids.push(a.join({ name: `P${ids.length}`, want: o.want }).id);
            else if (o.op === 'config') await a.setConfig({ seats: o.seats, spectatorsPerInstance: o.spectators, uplinkMbps: o.uplink, paused: o.paused });
            else if (o.op === 'tick') clock.t += o.ms;
            else if (ids.length) {
              const id = ids[o.who % ids.length]!;
              if (o.op === 'leave') a.leave(id);
              else if (o.op === 'kick') a.kick(id);
              else if (o.op === 'promote') a.promote(id);
              else if (o.op === 'move') a.move(id, o.position);
              else {
                // Everyone else is heard from; this one goes quiet past the timeout.
                for (const other of ids) if (other !== id) a.heartbeat(other);
                clock.t += 31_000;
                for (const other of ids) if (other !== id) a.heartbeat(other);
                a.sweep();
              }
            }
          } catch {
            /* refused (gone, not waiting): a refusal changes nothing and is not journaled */
          }
          if (compact && ops.indexOf(o) % 9 === 0) await a.flushJournal();
        }
        const before = kept(a.snapshot());
        await a.close();
        clock.t += 3_600_000; // an hour of downtime: nobody times out for it
        const b = service(dir, clock);
        b.sweep();
        expect(kept(b.snapshot())).toEqual(before);
        await b.close();
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261201) },
    );
    expect(runs).toBeGreaterThanOrEqual(RUNS);
  });
});
