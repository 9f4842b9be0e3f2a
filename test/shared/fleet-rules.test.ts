import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ADMISSION, type AdmissionSnapshot, type Want } from '../../shared/admission-rules';
import { kindsFor, memberState, OFFLINE_AFTER_MS, placeLine, placesOf, stressOf, STALE_AFTER_MS, type Candidate, type PlaceKind } from '../../shared/fleet-rules';
import { entryFromAdd, FleetAddSchema, FleetFileSchema, parseAgentLink } from '../../shared/wire/fleet';

const want = fc.constantFrom<Want>('operate', 'watch', 'any');
const candidate = (i: number) =>
  fc.record({
    name: fc.constant<string>(`s${i}`),
    eligible: fc.boolean(),
    stress: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: null }),
    places: fc.record({ seats: fc.nat(6), spectators: fc.nat(6), streams: fc.oneof(fc.nat(10), fc.constant(Infinity)) }),
  });
const world = fc.tuple(
  fc.array(want, { maxLength: 40 }).map((ws) => ws.map((w, i) => ({ id: `p${i}`, want: w }))),
  fc.integer({ min: 0, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => candidate(i)))),
);

describe('placeLine, under any line and any servers', () => {
  it('never uses a draining or offline server, never exceeds a place count, places nobody twice', () => {
    fc.assert(
      fc.property(world, ([line, cands]) => {
        const out = placeLine(line, cands);
        expect(new Set(out.map((p) => p.id)).size).toBe(out.length);
        for (const c of cands) {
          const mine = out.filter((p) => p.server === c.name);
          if (!c.eligible) expect(mine).toEqual([]);
          const seats = mine.filter((p) => p.kind === 'seat').length;
          const spect = mine.length - seats;
          expect(seats).toBeLessThanOrEqual(c.places.seats);
          expect(spect).toBeLessThanOrEqual(c.places.spectators);
          expect(mine.length).toBeLessThanOrEqual(c.places.streams);
        }
        for (const p of out) expect(kindsFor(line.find((l) => l.id === p.id)!.want)).toContain(p.kind);
      }),
      { numRuns: 500 },
    );
  });

  it('order kept: nobody waits while someone behind them took a place of a kind they take; nobody waits beside a place they take', () => {
    fc.assert(
      fc.property(world, ([line, cands]) => {
        const out = placeLine(line, cands);
        const placed = new Map(out.map((p) => [p.id, p]));
        // What is left after the placements.
        const left = new Map(cands.filter((c) => c.eligible).map((c) => [c.name, { ...c.places }]));
        for (const p of out) {
          const l = left.get(p.server)!;
          if (p.kind === 'seat') l.seats--;
          else l.spectators--;
          l.streams--;
        }
        const room = (k: PlaceKind) => [...left.values()].some((l) => l.streams >= 1 && (k === 'seat' ? l.seats : l.spectators) >= 1);
        line.forEach((p, i) => {
          if (placed.has(p.id)) return;
          for (const k of kindsFor(p.want)) expect(room(k)).toBe(false);
          for (const q of line.slice(i + 1)) {
            const got = placed.get(q.id);
            if (got) expect(kindsFor(p.want)).not.toContain(got.kind);
          }
        });
      }),
      { numRuns: 500 },
    );
  });

  it('least stressed first: each placement went to a server no less stressed than any other with room at that moment', () => {
    fc.assert(
      fc.property(world, ([line, cands]) => {
        const out = placeLine(line, cands);
        const left = new Map(cands.filter((c) => c.eligible).map((c) => [c.name, { c, p: { ...c.places } }]));
        for (const pl of out) {
          const chosen = left.get(pl.server)!;
          for (const { c, p } of left.values()) {
            const hasRoom = p.streams >= 1 && (pl.kind === 'seat' ? p.seats : p.spectators) >= 1;
            if (hasRoom) expect(chosen.c.stress ?? 0).toBeLessThanOrEqual(c.stress ?? 0);
          }
          if (pl.kind === 'seat') chosen.p.seats--;
          else chosen.p.spectators--;
          chosen.p.streams--;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('by example: three servers of 2 seats, 7 operators → 6 placed in order on the least stressed first, the 7th waits', () => {
    const c = (name: string, stress: number, eligible = true): Candidate => ({ name, eligible, stress, places: { seats: 2, spectators: 0, streams: Infinity } });
    const line = Array.from({ length: 7 }, (_, i) => ({ id: `p${i}`, want: 'operate' as const }));
    const out = placeLine(line, [c('a', 0.5), c('b', 0.1), c('c', 0.3), c('d', 0, false)]);
    expect(out.map((p) => `${p.id}@${p.server}`)).toEqual(['p0@b', 'p1@b', 'p2@c', 'p3@c', 'p4@a', 'p5@a']);
  });
});

describe('member state, stress and places', () => {
  it('online, then stale, then offline by the time it was last heard', () => {
    expect(memberState(null, 0)).toBe('offline');
    expect(memberState(1000, 1000 + STALE_AFTER_MS)).toBe('online');
    expect(memberState(1000, 1001 + STALE_AFTER_MS)).toBe('stale');
    expect(memberState(1000, 1001 + OFFLINE_AFTER_MS)).toBe('offline');
    expect(OFFLINE_AFTER_MS).toBeLessThan(5000);
    expect(memberState(1000, 1001, true)).toBe('offline'); // refused: nothing listens there now
  });

  it('stress is the highest load over its threshold; unmeasured loads do not count', () => {
    expect(stressOf({ cpu: 0.425, memory: 0.45, gpu: null, gpuMemory: null, encoder: null })).toBeCloseTo(0.5);
    expect(stressOf({ cpu: 0.1, memory: 0.1, gpu: 0.85, gpuMemory: null, encoder: null })).toBeCloseTo(1);
    expect(stressOf({ cpu: null, memory: null, gpu: null, gpuMemory: null, encoder: null })).toBeNull();
  });

  const snap = (
    over: Partial<AdmissionSnapshot['config']>,
    seats: AdmissionSnapshot['seats'],
    queue: AdmissionSnapshot['queue'] = [],
    streams = 0,
  ): Pick<AdmissionSnapshot, 'config' | 'seats' | 'queueWants' | 'bandwidth'> => ({
    config: { ...DEFAULT_ADMISSION, ...over },
    seats,
    queueWants: {
      seats: queue.filter((q) => q.want !== 'watch').length,
      spectators: queue.filter((q) => q.want === 'watch' || (q.want === 'any' && q.watching === null)).length,
    },
    bandwidth: { operators: 0, spectators: 0, streams, usedMbps: 0, uplinkMbps: 1000, capStreams: 5, overUplink: false },
  });
  const op = { id: 'x', name: 'x', since: 0, synthetic: false };
  it('free places: seats nobody holds less its own line, spectator room beside operators, the uplink left; none while draining or paused', () => {
    const seats = [
      { instance: 1, running: true, operator: op, spectators: [op] },
      { instance: 2, running: true, operator: null, spectators: [] },
      { instance: 3, running: true, operator: null, spectators: [] },
    ];
    expect(placesOf(snap({ spectatorsPerInstance: 2 }, seats, [], 2))).toEqual({ seats: 2, spectators: 1, streams: 3 });
    expect(placesOf(snap({ spectatorsPerInstance: 2 }, seats, [{ id: 'q', name: 'q', want: 'operate', position: 1, queuedAt: 0, watching: null, synthetic: false }]))).toMatchObject({ seats: 1 });
    expect(placesOf(snap({ draining: true }, seats))).toEqual({ seats: 0, spectators: 0, streams: 0 });
    expect(placesOf(snap({ paused: true }, seats))).toEqual({ seats: 0, spectators: 0, streams: 0 });
    expect(placesOf(snap({ policy: 'open' }, seats)).streams).toBe(Infinity);
  });
});

describe('the servers list on the wire', () => {
  it('reads the URL an agent prints', () => {
    expect(parseAgentLink('http://10.0.0.11:7420/#token=abcdefghijklmnop1234')).toEqual({ url: 'http://10.0.0.11:7420', token: 'abcdefghijklmnop1234' });
    expect(parseAgentLink('http://10.0.0.11:7420/')).toBeNull();
    expect(parseAgentLink('ftp://x/#token=abcdefghijklmnop1234')).toBeNull();
    expect(entryFromAdd(FleetAddSchema.parse({ link: 'http://render-01:7420/#token=abcdefghijklmnop1234' }))).toEqual({
      name: 'render-01',
      url: 'http://render-01:7420',
      token: 'abcdefghijklmnop1234',
    });
    expect(entryFromAdd(FleetAddSchema.parse({ name: 'r2', host: '10.0.0.12', port: 7500, token: 'abcdefghijklmnop1234' }))).toEqual({
      name: 'r2',
      url: 'http://10.0.0.12:7500',
      token: 'abcdefghijklmnop1234',
    });
    expect(FleetAddSchema.safeParse({ host: '10.0.0.12' }).success).toBe(false);
    expect(FleetAddSchema.safeParse({ link: 'http://x:1/#token=abcdefghijklmnop1234', token: 'abcdefghijklmnop1234' }).success).toBe(false);
  });
  it('the --fleet file: names unique, URLs without a path', () => {
    const s = (name: string, url = 'http://10.0.0.11:7420') => ({ name, url, token: 'abcdefghijklmnop1234' });
    expect(FleetFileSchema.safeParse({ servers: [s('a'), s('b', 'http://10.0.0.12:7420/')] }).success).toBe(true);
    expect(FleetFileSchema.safeParse({ servers: [s('a'), s('A')] }).success).toBe(false);
    expect(FleetFileSchema.safeParse({ servers: [s('a', 'http://10.0.0.11:7420/api')] }).success).toBe(false);
  });
});
