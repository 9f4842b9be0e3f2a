// Bandwidth and capacity maths: one set of pure functions for the Bandwidth view,
// `streamcap bandwidth` and the queue's admission policy. No I/O, no DOM, no node:.
//
// The model: every viewer, operator or spectator, receives its own stream, like
// video, so the uplink carries one stream per viewer (at 8 Mbps, 10 operators and
// 20 spectators need 8 × 30 = 240 Mbps):
//
//   total = bitrate × (operators + spectators) × (1 + overhead %)
//   fits  ⇔ total ≤ uplink × (1 − headroom %)
//
// An SFU changes how many times a stream is *encoded* (once per operated instance
// instead of once per viewer), not how many streams leave the site: it is assumed to
// run next to the render servers, behind the same uplink.
import { z } from 'zod';
import { formatNumber } from './format';
import { checkAgainst, problemsFromIssues, textToNumber, type Checked } from './form-problems';

export { formatNumber } from './format';
export { problemMessage, type Checked, type FieldProblem, type ProblemKind } from './form-problems';

/** GeForce cards allow 8 concurrent NVENC sessions per system (3 until 2023, then 5).
 *  Quadro / RTX professional and data-centre cards have no such cap. */
export const GEFORCE_ENCODER_LIMIT = 8;

/** Bounds beyond which an input is a typo, not a plan. */
export const LIMITS = {
  minBitrateMbps: 0.01, // 10 kbps: below that there is no video
  maxBitrateMbps: 1000, // more than any encoder setting in use (UE 5.0/5.1's default cap is 100)
  maxViewers: 1_000_000,
  maxOverheadPercent: 100,
  maxHeadroomPercent: 99, // 100 % headroom would leave no uplink at all
  minUplinkMbps: 0.01,
  maxUplinkMbps: 1_000_000, // 1 Tbps
  maxStreamsPerServer: 1000,
} as const;

// ---------------------------------------------------------------------------
// Bitrate presets. PLANNING FIGURES, not measurements: a real stream's bitrate
// depends on the app's image (foliage and fast motion cost more than a static
// showroom) and on the encoder's settings. Measure your own app when it matters.
// Sources:
//  - Unreal Pixel Streaming caps the bitrate at 20 Mbps by default in UE 4.27,
//    100 Mbps in UE 5.0/5.1 and 40 Mbps in Pixel Streaming 2
//    (-PixelStreamingWebRTCMaxBitrate); these are ceilings, not typical rates.
//  - Epic's Pixel Streaming reference: at 1080p every encoder looks alike above 20 Mbps.
//  - Practitioners quote 5–20 Mbps for a decent 1080p stream; 8 Mbps is the common
//    planning figure.
//  - YouTube's live encoder guide (support.google.com/youtube/answer/2853702),
//    H.264: 720p30 3–8 Mbps, 1080p30 3–8 Mbps, 1080p60 12 Mbps, 2160p30 30 Mbps.
// ---------------------------------------------------------------------------
export interface BitratePreset {
  id: '720p30' | '1080p30' | '1080p60' | '4k30';
  width: number;
  height: number;
  fps: number;
  /** Planning figure, Mbps per stream. */
  mbps: number;
}

export const BITRATE_PRESETS: readonly BitratePreset[] = [
  { id: '720p30', width: 1280, height: 720, fps: 30, mbps: 5 }, // middle of YouTube's 3–8 Mbps
  { id: '1080p30', width: 1920, height: 1080, fps: 30, mbps: 8 }, // the field's planning figure
  { id: '1080p60', width: 1920, height: 1080, fps: 60, mbps: 12 }, // YouTube's H.264 figure for 1080p60
  { id: '4k30', width: 3840, height: 2160, fps: 30, mbps: 30 }, // YouTube's H.264 figure for 2160p30
];

export const presetById = (id: string): BitratePreset | undefined => BITRATE_PRESETS.find((p) => p.id === id);

// ---------------------------------------------------------------------------
// Validation. Inputs arrive as text (form fields, command-line flags) or numbers
// (JSON); one schema checks both and names the field at fault.
// ---------------------------------------------------------------------------
const int = (min: number, max: number) => z.preprocess(textToNumber, z.number().int().min(min).max(max));
const real = (min: number, max: number) => z.preprocess(textToNumber, z.number().min(min).max(max));
// Defaults sit inside the preprocess: an empty field becomes undefined there, then takes the default.
const realOr = (min: number, max: number, dflt: number) => z.preprocess(textToNumber, z.number().min(min).max(max).default(dflt));
const realOptional = (min: number, max: number) => z.preprocess(textToNumber, z.number().min(min).max(max).optional());
const flag = z.preprocess((v) => (v === 'true' ? true : v === 'false' || v === '' || v == null ? false : v), z.boolean());

export const BandwidthInputSchema = z
  .object({
    bitrateMbps: real(LIMITS.minBitrateMbps, LIMITS.maxBitrateMbps),
    operators: int(0, LIMITS.maxViewers),
    spectators: int(0, LIMITS.maxViewers),
    overheadPercent: realOr(0, LIMITS.maxOverheadPercent, 0),
    uplinkMbps: realOptional(LIMITS.minUplinkMbps, LIMITS.maxUplinkMbps),
    headroomPercent: realOr(0, LIMITS.maxHeadroomPercent, 0),
    sfu: flag,
  })
  .strict();

export const PlanInputSchema = z
  .object({
    peakAudience: int(1, LIMITS.maxViewers),
    operatingPercent: real(0, 100),
    streamsPerServer: int(1, LIMITS.maxStreamsPerServer),
    bitrateMbps: real(LIMITS.minBitrateMbps, LIMITS.maxBitrateMbps),
    overheadPercent: realOr(0, LIMITS.maxOverheadPercent, 0),
    headroomPercent: realOr(0, LIMITS.maxHeadroomPercent, 0),
    sfu: flag,
  })
  .strict();

export interface BandwidthInput {
  bitrateMbps: number;
  operators: number;
  spectators: number;
  overheadPercent: number;
  /** null: no uplink given, so nothing to fit against. */
  uplinkMbps: number | null;
  headroomPercent: number;
  sfu: boolean;
}

export type PlanInput = z.output<typeof PlanInputSchema>;

/** Checks raw calculator input (text or numbers); problems name each bad field. */
export function checkBandwidthInput(raw: Record<string, unknown>): Checked<BandwidthInput> {
  const r = BandwidthInputSchema.safeParse(raw);
  if (!r.success) return { ok: false, problems: problemsFromIssues(r.error.issues, raw) };
  return { ok: true, value: { ...r.data, uplinkMbps: r.data.uplinkMbps ?? null } };
}

/** Checks raw planner input (text or numbers). */
export function checkPlanInput(raw: Record<string, unknown>): Checked<PlanInput> {
  return checkAgainst(PlanInputSchema, raw);
}

// ---------------------------------------------------------------------------
// Arithmetic. Rates are rounded to 1 bps (1e-6 Mbps) so that 8 × 30 × 1.1 is 264,
// not 264.00000000000006, and "fits" agrees with the numbers a person reads.
// ---------------------------------------------------------------------------
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Mbps that `streams` streams need at `bitrateMbps` each, overhead included. */
export function streamsMbps(bitrateMbps: number, streams: number, overheadPercent = 0): number {
  return round6(bitrateMbps * streams * (1 + overheadPercent / 100));
}

/** The part of the uplink that may be used once the headroom is kept free. */
export function usableMbps(uplinkMbps: number, headroomPercent = 0): number {
  return round6(uplinkMbps * (1 - headroomPercent / 100));
}

/** Hardware encode sessions an audience needs: one per viewer, or one per operated
 *  stream when an SFU fans each encoded stream out (at least one if anybody watches). */
export function encoderSessions(operators: number, spectators: number, sfu: boolean): number {
  if (!sfu) return operators + spectators;
  return operators > 0 ? operators : spectators > 0 ? 1 : 0;
}

/** Largest n ≥ 0 with fitsAt(n), given fitsAt is monotone (true then false) and a close guess. */
function largestFitting(guess: number, fitsAt: (n: number) => boolean): number {
  let n = Math.max(0, Math.floor(guess));
  for (let k = 0; k < 64 && n > 0 && !fitsAt(n); k++) n--;
  for (let k = 0; k < 64 && fitsAt(n + 1); k++) n++;
  return n;
}

export interface BandwidthResult {
  streams: number;
  /** Mbps of one stream, overhead included. */
  perStreamMbps: number;
  totalMbps: number;
  uplinkMbps: number | null;
  /** uplink × (1 − headroom). */
  usableMbps: number | null;
  /** total ÷ uplink: a fraction of the whole uplink, above 1 when it is oversubscribed. */
  utilization: number | null;
  /** total ≤ usable. */
  fits: boolean | null;
  /** Whether the operators alone fit (else no spectator does). */
  operatorsFit: boolean | null;
  /** The most spectators that fit beside the operators (0 when the operators alone do not fit). */
  maxSpectators: number | null;
  /** The highest bitrate (to 0.01 Mbps) at which this audience fits; 0 when not even 0.01 Mbps does; null without an uplink or an audience. */
  maxBitrateMbps: number | null;
  encoderSessions: number;
  encoderLimit: number;
  /** Within the GeForce limit (professional and data-centre cards have none). */
  encoderFits: boolean;
}

export function calculateBandwidth(input: BandwidthInput): BandwidthResult {
  const { bitrateMbps: bitrate, operators, spectators, overheadPercent: overhead, uplinkMbps: uplink, headroomPercent: headroom, sfu } = input;
  const streams = operators + spectators;
  const totalMbps = streamsMbps(bitrate, streams, overhead);
  const sessions = encoderSessions(operators, spectators, sfu);
  const base = {
    streams,
    perStreamMbps: streamsMbps(bitrate, 1, overhead),
    totalMbps,
    encoderSessions: sessions,
    encoderLimit: GEFORCE_ENCODER_LIMIT,
    encoderFits: sessions <= GEFORCE_ENCODER_LIMIT,
  };
  if (uplink === null) return { ...base, uplinkMbps: null, usableMbps: null, utilization: null, fits: null, operatorsFit: null, maxSpectators: null, maxBitrateMbps: null };

  const usable = usableMbps(uplink, headroom);
  const operatorsFit = streamsMbps(bitrate, operators, overhead) <= usable;
  const maxSpectators = operatorsFit ? largestFitting(usable / (bitrate * (1 + overhead / 100)) - operators, (s) => streamsMbps(bitrate, operators + s, overhead) <= usable) : 0;
  let maxBitrateMbps: number | null = null;
  if (streams > 0) {
    const cents = largestFitting((usable / (streams * (1 + overhead / 100))) * 100, (c) => streamsMbps(c / 100, streams, overhead) <= usable);
    maxBitrateMbps = cents / 100;
  }
  return {
    ...base,
    uplinkMbps: uplink,
    usableMbps: usable,
    utilization: round6(totalMbps / uplink),
    fits: totalMbps <= usable,
    operatorsFit,
    maxSpectators,
    maxBitrateMbps,
  };
}

// ---------------------------------------------------------------------------
// Capacity planner: a peak audience → servers, uplink, encoder sessions.
// ---------------------------------------------------------------------------
export interface PlanResult {
  /** audience × operating %, rounded up. */
  operators: number;
  /** Whether that needed no rounding. */
  operatorsExact: boolean;
  spectators: number;
  /** Servers for the operated streams (each operator drives one instance). At least 1: spectators need something to watch. */
  servers: number;
  totalMbps: number;
  /** The smallest uplink (to 1 kbps) that carries the total with the headroom kept free. */
  uplinkNeededMbps: number;
  encoderSessionsTotal: number;
  /** Sessions on one server, the total spread evenly and rounded up. */
  encoderSessionsPerServer: number;
  encoderLimit: number;
  encoderFits: boolean;
  /** Viewers on one instance (its operator and its spectators), rounded up; what must share one encoder without an SFU. */
  viewersPerInstance: number;
  /** Servers that would keep every server within the GeForce limit; null when it fits already, or when one instance alone needs more than the limit (only an SFU or uncapped cards help). */
  serversWithinEncoderLimit: number | null;
}

export function planCapacity(input: PlanInput): PlanResult {
  const { peakAudience: audience, operatingPercent, streamsPerServer, bitrateMbps, overheadPercent, headroomPercent, sfu } = input;
  const exactOperators = round6((audience * operatingPercent) / 100);
  const operators = Math.min(audience, Math.ceil(exactOperators));
  const spectators = audience - operators;
  const servers = Math.max(1, Math.ceil(operators / streamsPerServer));
  const totalMbps = streamsMbps(bitrateMbps, audience, overheadPercent);
  const kbps = smallestPassing(Math.ceil((totalMbps / (1 - headroomPercent / 100)) * 1000), (k) => totalMbps <= usableMbps(k / 1000, headroomPercent));
  const sessions = encoderSessions(operators, spectators, sfu);
  const perServer = Math.ceil(sessions / servers);
  const viewersPerInstance = sfu ? 1 : Math.ceil(audience / Math.max(1, operators));
  const encoderFits = perServer <= GEFORCE_ENCODER_LIMIT;
  let serversWithinEncoderLimit: number | null = null;
  if (!encoderFits && viewersPerInstance <= GEFORCE_ENCODER_LIMIT && operators > 0) {
    // Viewers follow their operator's instance, so a server fits whole instances only.
    const instancesPerServer = Math.floor(GEFORCE_ENCODER_LIMIT / viewersPerInstance);
    serversWithinEncoderLimit = Math.max(servers, Math.ceil(operators / instancesPerServer));
  }
  return {
    operators,
    operatorsExact: operators === exactOperators,
    spectators,
    servers,
    totalMbps,
    uplinkNeededMbps: kbps / 1000,
    encoderSessionsTotal: sessions,
    encoderSessionsPerServer: perServer,
    encoderLimit: GEFORCE_ENCODER_LIMIT,
    encoderFits,
    viewersPerInstance,
    serversWithinEncoderLimit,
  };
}

/** Smallest n ≥ 0 with ok(n), given ok is monotone (false then true) and a close guess. */
function smallestPassing(guess: number, ok: (n: number) => boolean): number {
  let n = Math.max(0, Math.ceil(guess));
  for (let k = 0; k < 64 && !ok(n); k++) n++;
  for (let k = 0; k < 64 && n > 0 && ok(n - 1); k++) n--;
  return n;
}

// ---------------------------------------------------------------------------
// Words. English sentences for the CLI (the UI builds its own, translated, from
// the same numbers).
// ---------------------------------------------------------------------------

const plural = (n: number, one: string, many: string) => `${formatNumber(n, 0)} ${n === 1 ? one : many}`;
const pct = (fraction: number) => `${formatNumber(fraction * 100, 1)} %`;

export interface BandwidthExplanation {
  formula: string;
  uplink: string | null;
  maxSpectators: string | null;
  maxBitrate: string | null;
  encoder: string;
}

export function explainBandwidth(input: BandwidthInput, r: BandwidthResult): BandwidthExplanation {
  const f = formatNumber;
  const viewers = `(${plural(input.operators, 'operator', 'operators')} + ${plural(input.spectators, 'spectator', 'spectators')})`;
  const overhead = input.overheadPercent > 0 ? ` × (1 + ${f(input.overheadPercent)} % overhead)` : '';
  const formula = `${f(input.bitrateMbps)} Mbps per stream × ${viewers}${overhead} = ${f(r.totalMbps)} Mbps: every viewer, operator or spectator, receives a stream of their own.`;

  let uplink: string | null = null;
  let maxSpectators: string | null = null;
  let maxBitrate: string | null = null;
  if (r.uplinkMbps !== null && r.usableMbps !== null && r.utilization !== null) {
    const keep = input.headroomPercent > 0 ? `; keeping ${f(input.headroomPercent)} % headroom leaves ${f(r.usableMbps)} Mbps usable` : '';
    const verdict = r.fits ? 'it fits' : `it does not fit: ${f(round6(r.totalMbps - r.usableMbps))} Mbps short`;
    uplink = `${f(r.totalMbps)} Mbps of a ${f(r.uplinkMbps)} Mbps uplink is ${pct(r.utilization)} of it${keep} — ${verdict}.`;
    maxSpectators = r.operatorsFit
      ? `${f(r.usableMbps)} Mbps ÷ ${f(r.perStreamMbps)} Mbps per stream leaves room for ${plural(r.maxSpectators ?? 0, 'spectator', 'spectators')} beside the ${plural(input.operators, 'operator', 'operators')}.`
      : `The ${plural(input.operators, 'operator', 'operators')} alone need ${f(streamsMbps(input.bitrateMbps, input.operators, input.overheadPercent))} Mbps, more than the ${f(r.usableMbps)} Mbps usable: no room for spectators.`;
    if (r.maxBitrateMbps !== null)
      maxBitrate =
        r.maxBitrateMbps > 0
          ? `${f(r.usableMbps)} Mbps ÷ ${plural(r.streams, 'viewer', 'viewers')}${input.overheadPercent > 0 ? ` ÷ ${f(1 + input.overheadPercent / 100)} for overhead` : ''} = at most ${f(r.maxBitrateMbps)} Mbps per stream for this audience.`
          : `${f(r.usableMbps)} Mbps cannot carry ${plural(r.streams, 'viewer', 'viewers')} at any bitrate.`;
  }

  const how = input.sfu
    ? `one per operated stream: the SFU forwards it to the spectators`
    : `one per viewer (${plural(input.operators, 'operator', 'operators')} + ${plural(input.spectators, 'spectator', 'spectators')}), as each directly connected peer is encoded separately`;
  const limit = r.encoderFits
    ? `within the GeForce limit of ${r.encoderLimit} per system`
    : `over the GeForce limit of ${r.encoderLimit} per system: past it Unreal falls back to software encoding; ${input.sfu ? 'spread the instances over more servers, or use' : 'use an SFU or'} professional/data-centre GPUs (no cap)`;
  const encoder = `${plural(r.encoderSessions, 'encode session', 'encode sessions')}, ${how} — ${limit}.`;
  return { formula, uplink, maxSpectators, maxBitrate, encoder };
}

export interface PlanExplanation {
  audience: string;
  servers: string;
  uplink: string;
  encoder: string;
}

export function explainPlan(input: PlanInput, p: PlanResult): PlanExplanation {
  const f = formatNumber;
  const up = (exact: boolean) => (exact ? '' : ' (rounded up)');
  const audience = `${plural(input.peakAudience, 'visitor', 'visitors')} at peak × ${f(input.operatingPercent)} % operating = ${plural(p.operators, 'operator', 'operators')}${up(p.operatorsExact)}; ${plural(p.spectators, 'spectator', 'spectators')} watch.`;
  const servers =
    p.operators > 0
      ? `${plural(p.operators, 'operator', 'operators')} ÷ ${f(input.streamsPerServer)} streams per server = ${plural(p.servers, 'server', 'servers')}${up(p.operators % input.streamsPerServer === 0)}.`
      : `Nobody operates: 1 server runs the stream the spectators watch.`;
  const overhead = input.overheadPercent > 0 ? ` × (1 + ${f(input.overheadPercent)} % overhead)` : '';
  const peak = `${f(input.bitrateMbps)} Mbps × ${plural(input.peakAudience, 'viewer', 'viewers')}${overhead} = ${f(p.totalMbps)} Mbps`;
  const uplink =
    input.headroomPercent > 0
      ? `${peak} at peak; keeping ${f(input.headroomPercent)} % headroom free: ${f(p.totalMbps)} ÷ ${f(1 - input.headroomPercent / 100)} = ${f(p.uplinkNeededMbps)} Mbps of uplink.`
      : `${peak} of uplink at peak.`;
  const spread = `${plural(p.encoderSessionsTotal, 'session', 'sessions')} (${input.sfu ? 'one per operator, SFU' : 'one per viewer, no SFU'}) over ${plural(p.servers, 'server', 'servers')} = ${f(p.encoderSessionsPerServer)} per server`;
  let encoder: string;
  if (p.encoderFits) encoder = `${spread}, within the GeForce limit of ${p.encoderLimit}.`;
  else if (p.serversWithinEncoderLimit !== null)
    encoder = `${spread}, over the GeForce limit of ${p.encoderLimit}: ${input.sfu ? '' : 'use an SFU, '}professional GPUs (no cap), or ${plural(p.serversWithinEncoderLimit, 'server', 'servers')} (${plural(Math.floor(p.encoderLimit / p.viewersPerInstance), 'instance', 'instances')} of up to ${f(p.viewersPerInstance)} viewers each per server).`;
  else encoder = `${spread}, over the GeForce limit of ${p.encoderLimit}: one instance has ${f(p.viewersPerInstance)} viewers, so use an SFU or professional GPUs (no cap).`;
  return { audience, servers, uplink, encoder };
}
