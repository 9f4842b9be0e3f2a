import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BITRATE_PRESETS,
  calculateBandwidth,
  checkBandwidthInput,
  checkPlanInput,
  encoderSessions,
  explainBandwidth,
  explainPlan,
  GEFORCE_ENCODER_LIMIT,
  LIMITS,
  planCapacity,
  problemMessage,
  type BandwidthInput,
  type PlanInput,
} from '../../shared/bandwidth';

const input = (over: Partial<BandwidthInput>): BandwidthInput => ({
  bitrateMbps: 8,
  operators: 10,
  spectators: 20,
  overheadPercent: 0,
  uplinkMbps: null,
  headroomPercent: 0,
  sfu: false,
  ...over,
});

const plan = (over: Partial<PlanInput>): PlanInput => ({
  peakAudience: 200,
  operatingPercent: 30,
  streamsPerServer: 10,
  bitrateMbps: 8,
  overheadPercent: 0,
  headroomPercent: 0,
  sfu: false,
  ...over,
});

describe('calculateBandwidth: worked examples', () => {
  const cases: Array<[string, Partial<BandwidthInput>, Partial<ReturnType<typeof calculateBandwidth>>]> = [
    ['10 operators at 8 Mbps (BRIEF)', { spectators: 0 }, { streams: 10, totalMbps: 80, fits: null, maxSpectators: null, utilization: null, uplinkMbps: null }],
    ['10 operators + 20 spectators at 8 Mbps = 240 Mbps (BRIEF)', {}, { streams: 30, totalMbps: 240, encoderSessions: 30 }],
    ['240 Mbps on exactly 240 Mbps fits', { uplinkMbps: 240 }, { fits: true, utilization: 1, maxSpectators: 20, maxBitrateMbps: 8, usableMbps: 240 }],
    ['240 Mbps on 239 Mbps does not', { uplinkMbps: 239 }, { fits: false, maxSpectators: 19, operatorsFit: true }],
    ['1 Gbps uplink', { uplinkMbps: 1000 }, { fits: true, utilization: 0.24, maxSpectators: 115, maxBitrateMbps: 33.33 }],
    ['20 % headroom: 300 Mbps leaves 240 usable', { uplinkMbps: 300, headroomPercent: 20 }, { usableMbps: 240, fits: true, utilization: 0.8, maxSpectators: 20 }],
    ['10 % overhead: 8 × 30 × 1.1 = 264, fits 264 exactly', { overheadPercent: 10, uplinkMbps: 264 }, { totalMbps: 264, perStreamMbps: 8.8, fits: true, maxSpectators: 20 }],
    ['operators alone do not fit', { uplinkMbps: 50 }, { fits: false, operatorsFit: false, maxSpectators: 0, maxBitrateMbps: 1.66 }],
    ['0.1 Mbps × 3 is 0.3, not 0.30000000000000004', { bitrateMbps: 0.1, operators: 1, spectators: 2, uplinkMbps: 0.3 }, { totalMbps: 0.3, fits: true }],
    [
      'no audience: nothing to send, any bitrate fits',
      { operators: 0, spectators: 0, uplinkMbps: 100 },
      { streams: 0, totalMbps: 0, fits: true, maxSpectators: 12, maxBitrateMbps: null, encoderSessions: 0 },
    ],
    ['SFU: one encode per operator', { sfu: true }, { encoderSessions: 10, encoderFits: false, totalMbps: 240 }],
    ['8 sessions is within the GeForce limit', { operators: 8, spectators: 0 }, { encoderSessions: 8, encoderFits: true }],
    ['9 sessions is over it', { operators: 8, spectators: 1 }, { encoderSessions: 9, encoderFits: false }],
  ];
  it.each(cases)('%s', (_name, over, expected) => {
    expect(calculateBandwidth(input(over))).toMatchObject(expected);
  });

  it('encoder sessions: viewers, or operators behind an SFU (one if only spectators watch)', () => {
    expect(encoderSessions(10, 20, false)).toBe(30);
    expect(encoderSessions(10, 20, true)).toBe(10);
    expect(encoderSessions(0, 5, true)).toBe(1);
    expect(encoderSessions(0, 0, true)).toBe(0);
    expect(GEFORCE_ENCODER_LIMIT).toBe(8);
  });

  it('spells the formula out in words', () => {
    const i = input({ uplinkMbps: 300, headroomPercent: 10 });
    const words = explainBandwidth(i, calculateBandwidth(i));
    expect(words.formula).toContain('8 Mbps per stream × (10 operators + 20 spectators) = 240 Mbps');
    expect(words.uplink).toContain('80 %');
    expect(words.uplink).toContain('270 Mbps usable');
    expect(words.uplink).toContain('it fits');
    expect(words.maxSpectators).toContain('23 spectators');
    expect(words.encoder).toContain('30 encode sessions');
    expect(words.encoder).toContain('over the GeForce limit of 8');
    const one = input({ operators: 1, spectators: 1, overheadPercent: 5 });
    expect(explainBandwidth(one, calculateBandwidth(one)).formula).toContain('(1 operator + 1 spectator) × (1 + 5 % overhead)');
  });

  it('presets are documented planning figures with 1080p30 at 8 Mbps', () => {
    expect(BITRATE_PRESETS.map((p) => p.id)).toEqual(['720p30', '1080p30', '1080p60', '4k30']);
    expect(BITRATE_PRESETS.find((p) => p.id === '1080p30')?.mbps).toBe(8);
    for (const p of BITRATE_PRESETS) expect(checkBandwidthInput({ bitrateMbps: p.mbps, operators: 1, spectators: 0 }).ok).toBe(true);
  });
});

describe('validation', () => {
  const good = { bitrateMbps: '8', operators: '10', spectators: '20' };
  it('takes text from fields and flags, with defaults for overhead and headroom', () => {
    expect(checkBandwidthInput({ ...good, overheadPercent: '', uplinkMbps: '', headroomPercent: ' ' })).toEqual({
      ok: true,
      value: { bitrateMbps: 8, operators: 10, spectators: 20, overheadPercent: 0, uplinkMbps: null, headroomPercent: 0, sfu: false },
    });
    expect(checkBandwidthInput({ ...good, uplinkMbps: '1e3', sfu: true })).toMatchObject({ ok: true, value: { uplinkMbps: 1000, sfu: true } });
  });

  const bad: Array<[string, Record<string, unknown>, string, string]> = [
    ['zero bitrate', { bitrateMbps: '0' }, 'bitrateMbps', 'Bitrate must be at least 0.01.'],
    ['negative bitrate', { bitrateMbps: -8 }, 'bitrateMbps', 'Bitrate must be at least 0.01.'],
    ['absurd bitrate', { bitrateMbps: '5000' }, 'bitrateMbps', 'Bitrate must be at most 1,000.'],
    ['text bitrate', { bitrateMbps: 'fast' }, 'bitrateMbps', 'Bitrate must be a number.'],
    ['missing bitrate', { bitrateMbps: '' }, 'bitrateMbps', 'Bitrate is required.'],
    ['NaN', { bitrateMbps: Number.NaN }, 'bitrateMbps', 'Bitrate must be a number.'],
    ['Infinity', { bitrateMbps: 'Infinity' }, 'bitrateMbps', 'Bitrate must be a number.'],
    ['negative operators', { operators: '-1' }, 'operators', 'Operators cannot be negative.'],
    ['fractional operators', { operators: '2.5' }, 'operators', 'Operators must be a whole number.'],
    ['absurd audience', { spectators: '1000001' }, 'spectators', 'Spectators must be at most 1,000,000.'],
    ['hex is not a number', { spectators: '0x10' }, 'spectators', 'Spectators must be a number.'],
    ['negative overhead', { overheadPercent: '-5' }, 'overheadPercent', 'Overhead cannot be negative.'],
    ['zero uplink', { uplinkMbps: '0' }, 'uplinkMbps', 'Uplink must be at least 0.01.'],
    ['100 % headroom', { headroomPercent: '100' }, 'headroomPercent', 'Headroom must be at most 99.'],
  ];
  it.each(bad)('rejects %s at the field', (_name, over, field, message) => {
    const r = checkBandwidthInput({ ...good, ...over });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.field).toBe(field);
    const label = { bitrateMbps: 'Bitrate', operators: 'Operators', spectators: 'Spectators', overheadPercent: 'Overhead', uplinkMbps: 'Uplink', headroomPercent: 'Headroom' }[field]!;
    expect(problemMessage(r.problems[0]!, label)).toBe(message);
  });

  it('names every bad field at once, and unknown fields', () => {
    const r = checkBandwidthInput({ bitrateMbps: 'x', operators: -1, spectators: 1.5, colour: 'red' });
    expect(r.ok ? [] : r.problems.map((p) => `${p.field}:${p.kind}`).sort()).toEqual(['bitrateMbps:notNumber', 'colour:unknown', 'operators:tooSmall', 'spectators:notInteger']);
  });

  it('checks planner input the same way', () => {
    expect(checkPlanInput({ peakAudience: '200', operatingPercent: '30', streamsPerServer: '10', bitrateMbps: '8' }).ok).toBe(true);
    const r = checkPlanInput({ peakAudience: '0', operatingPercent: '130', streamsPerServer: '2.5', bitrateMbps: '8' });
    expect(r.ok ? [] : r.problems.map((p) => `${p.field}:${p.kind}`)).toEqual(['peakAudience:tooSmall', 'operatingPercent:tooBig', 'streamsPerServer:notInteger']);
  });
});

describe('planCapacity: worked examples', () => {
  it('200 visitors, 30 % operating, 10 streams per server, 8 Mbps, no SFU', () => {
    const p = planCapacity(plan({}));
    expect(p).toMatchObject({
      operators: 60,
      spectators: 140,
      servers: 6,
      totalMbps: 1600,
      uplinkNeededMbps: 1600,
      encoderSessionsTotal: 200,
      encoderSessionsPerServer: 34,
      encoderFits: false,
      viewersPerInstance: 4,
      serversWithinEncoderLimit: 30,
    });
    const words = explainPlan(plan({}), p);
    expect(words.audience).toBe('200 visitors at peak × 30 % operating = 60 operators; 140 spectators watch.');
    expect(words.servers).toBe('60 operators ÷ 10 streams per server = 6 servers.');
    expect(words.uplink).toBe('8 Mbps × 200 viewers = 1,600 Mbps of uplink at peak.');
    expect(words.encoder).toContain('34 per server, over the GeForce limit of 8');
  });
  it('with an SFU: one session per operator', () => {
    expect(planCapacity(plan({ sfu: true }))).toMatchObject({ encoderSessionsTotal: 60, encoderSessionsPerServer: 10, encoderFits: false, serversWithinEncoderLimit: 8 });
    expect(planCapacity(plan({ sfu: true, streamsPerServer: 8 }))).toMatchObject({ servers: 8, encoderSessionsPerServer: 8, encoderFits: true, serversWithinEncoderLimit: null });
  });
  it('headroom raises the uplink; rounding is up and said so', () => {
    const p = planCapacity(plan({ headroomPercent: 20 }));
    expect(p.uplinkNeededMbps).toBe(2000);
    const odd = plan({ peakAudience: 201 });
    const q = planCapacity(odd);
    expect(q).toMatchObject({ operators: 61, servers: 7 });
    expect(explainPlan(odd, q).audience).toContain('(rounded up)');
    expect(explainPlan(odd, q).servers).toContain('= 7 servers (rounded up)');
  });
  it('nobody operating still needs one server', () => {
    expect(planCapacity(plan({ operatingPercent: 0, sfu: true }))).toMatchObject({ operators: 0, servers: 1, encoderSessionsTotal: 1 });
    expect(planCapacity(plan({ operatingPercent: 0 }))).toMatchObject({ serversWithinEncoderLimit: null, encoderFits: false });
  });
});

// ---------------------------------------------------------------------------
// Properties over every valid input.
// ---------------------------------------------------------------------------
const real = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const viewers = fc.integer({ min: 0, max: LIMITS.maxViewers });
const validInput = fc.record({
  bitrateMbps: fc.oneof(real(LIMITS.minBitrateMbps, LIMITS.maxBitrateMbps), fc.constantFrom(...BITRATE_PRESETS.map((p) => p.mbps), 0.1, 1, 2.5)),
  operators: fc.oneof(viewers, fc.integer({ min: 0, max: 100 })),
  spectators: fc.oneof(viewers, fc.integer({ min: 0, max: 500 })),
  overheadPercent: fc.oneof(fc.constant(0), real(0, LIMITS.maxOverheadPercent), fc.integer({ min: 0, max: 30 })),
  uplinkMbps: fc.oneof(fc.constant(null), real(LIMITS.minUplinkMbps, LIMITS.maxUplinkMbps), fc.integer({ min: 1, max: 10_000 })),
  headroomPercent: fc.oneof(fc.constant(0), real(0, LIMITS.maxHeadroomPercent), fc.integer({ min: 0, max: 50 })),
  sfu: fc.boolean(),
});
const withUplink = validInput.filter((i) => i.uplinkMbps !== null);
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 + Math.abs(b) * 1e-12;
const finite = (o: object) => Object.values(o).every((v) => typeof v !== 'number' || Number.isFinite(v));

describe('calculateBandwidth: invariants', () => {
  it('never returns NaN or Infinity, in numbers or in words', () => {
    fc.assert(
      fc.property(validInput, (i) => {
        const r = calculateBandwidth(i);
        expect(finite(r)).toBe(true);
        expect(Object.values(explainBandwidth(i, r)).join(' ')).not.toMatch(/NaN|Infinity|undefined/);
      }),
    );
  });

  it('valid inputs pass validation, as numbers and as text', () => {
    fc.assert(
      fc.property(validInput, (i) => {
        const text = Object.fromEntries(Object.entries(i).map(([k, v]) => [k, v === null ? '' : typeof v === 'number' ? String(v) : v]));
        expect(checkBandwidthInput(i)).toEqual({ ok: true, value: i });
        expect(checkBandwidthInput(text)).toEqual({ ok: true, value: i });
      }),
    );
  });

  it('total = bitrate × streams × (1 + overhead), and grows with every viewer', () => {
    fc.assert(
      fc.property(validInput, (i) => {
        const r = calculateBandwidth(i);
        expect(close(r.totalMbps, i.bitrateMbps * (i.operators + i.spectators) * (1 + i.overheadPercent / 100))).toBe(true);
        expect(calculateBandwidth({ ...i, spectators: i.spectators + 1 }).totalMbps).toBeGreaterThan(r.totalMbps);
        expect(calculateBandwidth({ ...i, operators: i.operators + 1 }).totalMbps).toBeGreaterThan(r.totalMbps);
      }),
    );
  });

  it('fits ⇔ total ≤ uplink × (1 − headroom)', () => {
    fc.assert(
      fc.property(withUplink, (i) => {
        const r = calculateBandwidth(i);
        const usable = i.uplinkMbps! * (1 - i.headroomPercent / 100);
        expect(close(r.usableMbps!, usable)).toBe(true);
        expect(r.fits).toBe(r.totalMbps <= r.usableMbps!);
        // Away from the 1-bps rounding at the boundary, the raw formula agrees.
        const exact = i.bitrateMbps * (i.operators + i.spectators) * (1 + i.overheadPercent / 100);
        if (Math.abs(exact - usable) > 1e-5 * Math.max(1, usable)) expect(r.fits).toBe(exact <= usable);
        expect(close(r.utilization!, r.totalMbps / i.uplinkMbps!)).toBe(true);
      }),
    );
  });

  it('maxSpectators is the largest count that fits beside the operators', () => {
    fc.assert(
      fc.property(withUplink, (i) => {
        const r = calculateBandwidth(i);
        const at = (spectators: number) => calculateBandwidth({ ...i, spectators }).fits;
        if (r.operatorsFit) {
          expect(at(r.maxSpectators!)).toBe(true);
          expect(at(r.maxSpectators! + 1)).toBe(false);
        } else {
          expect(r.maxSpectators).toBe(0);
          expect(at(0)).toBe(false);
        }
        expect(r.fits).toBe(r.operatorsFit! && i.spectators <= r.maxSpectators!);
      }),
    );
  });

  it('maxBitrate is the highest bitrate (to 0.01 Mbps) at which the audience fits', () => {
    fc.assert(
      fc.property(
        withUplink.filter((i) => i.operators + i.spectators > 0),
        (i) => {
          const r = calculateBandwidth(i);
          const at = (bitrateMbps: number) => calculateBandwidth({ ...i, bitrateMbps }).fits;
          expect(Number.isInteger(Math.round(r.maxBitrateMbps! * 100))).toBe(true);
          if (r.maxBitrateMbps! > 0) expect(at(r.maxBitrateMbps!)).toBe(true);
          expect(at(Math.round(r.maxBitrateMbps! * 100 + 1) / 100)).toBe(false);
        },
      ),
    );
  });

  it('encoder sessions: every viewer without an SFU, the operators with one', () => {
    fc.assert(
      fc.property(validInput, (i) => {
        const r = calculateBandwidth(i);
        expect(r.encoderSessions).toBe(i.sfu ? (i.operators > 0 ? i.operators : i.spectators > 0 ? 1 : 0) : i.operators + i.spectators);
        expect(r.encoderFits).toBe(r.encoderSessions <= 8);
      }),
    );
  });

  const badValue = fc.oneof(fc.double({ max: -Number.MIN_VALUE, noNaN: true }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 'abc', '12abc', '--1', '1,5', {}, true));
  const fields = ['bitrateMbps', 'operators', 'spectators', 'overheadPercent', 'uplinkMbps', 'headroomPercent'] as const;
  it('rejects negatives, non-numbers and out-of-range values, naming the field', () => {
    fc.assert(
      fc.property(validInput, fc.constantFrom(...fields), badValue, (i, field, value) => {
        const r = checkBandwidthInput({ ...i, [field]: value });
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.problems.map((p) => p.field)).toEqual([field]);
      }),
    );
    const tooBig = { bitrateMbps: 1000.5, operators: 1_000_001, spectators: 2e6, overheadPercent: 101, uplinkMbps: 1e7, headroomPercent: 99.5 };
    for (const field of fields) {
      const r = checkBandwidthInput({ ...input({ uplinkMbps: 100 }), [field]: tooBig[field] });
      expect(r.ok ? null : r.problems[0]).toEqual({ field, kind: 'tooBig', limit: expect.any(Number) });
    }
  });
});

const validPlan = fc.record({
  peakAudience: fc.oneof(fc.integer({ min: 1, max: LIMITS.maxViewers }), fc.integer({ min: 1, max: 1000 })),
  operatingPercent: fc.oneof(real(0, 100), fc.integer({ min: 0, max: 100 })),
  streamsPerServer: fc.integer({ min: 1, max: LIMITS.maxStreamsPerServer }),
  bitrateMbps: real(LIMITS.minBitrateMbps, LIMITS.maxBitrateMbps),
  overheadPercent: fc.oneof(fc.constant(0), real(0, 100)),
  headroomPercent: fc.oneof(fc.constant(0), real(0, 99)),
  sfu: fc.boolean(),
});

describe('planCapacity: invariants', () => {
  it('enough servers and no more; the smallest uplink that fits; sessions spread over the servers', () => {
    fc.assert(
      fc.property(validPlan, (i) => {
        const p = planCapacity(i);
        expect(finite(p)).toBe(true);
        expect(Object.values(explainPlan(i, p)).join(' ')).not.toMatch(/NaN|Infinity|undefined/);
        expect(p.operators + p.spectators).toBe(i.peakAudience);
        expect(p.operators).toBeGreaterThanOrEqual((i.peakAudience * i.operatingPercent) / 100 - 1e-6);
        expect(p.servers * i.streamsPerServer).toBeGreaterThanOrEqual(p.operators);
        if (p.servers > 1) expect((p.servers - 1) * i.streamsPerServer).toBeLessThan(p.operators);
        const fitsOn = (uplinkMbps: number) =>
          calculateBandwidth({
            bitrateMbps: i.bitrateMbps,
            operators: p.operators,
            spectators: p.spectators,
            overheadPercent: i.overheadPercent,
            uplinkMbps,
            headroomPercent: i.headroomPercent,
            sfu: i.sfu,
          }).fits;
        expect(fitsOn(p.uplinkNeededMbps)).toBe(true);
        expect(fitsOn(Math.round(p.uplinkNeededMbps * 1000 - 1) / 1000)).toBe(false);
        expect(p.encoderSessionsPerServer * p.servers).toBeGreaterThanOrEqual(p.encoderSessionsTotal);
        expect(p.encoderFits).toBe(p.encoderSessionsPerServer <= GEFORCE_ENCODER_LIMIT);
        if (p.serversWithinEncoderLimit !== null) {
          // Whole instances of up to viewersPerInstance viewers, at most 8 sessions a server.
          const perServer = Math.floor(GEFORCE_ENCODER_LIMIT / p.viewersPerInstance);
          expect(p.serversWithinEncoderLimit * perServer).toBeGreaterThanOrEqual(p.operators);
          expect(perServer * p.viewersPerInstance).toBeLessThanOrEqual(GEFORCE_ENCODER_LIMIT);
        }
      }),
    );
  });
});
