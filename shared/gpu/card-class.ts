// Which class of card a GPU is, from its name (and, where known, the brand that
// `nvidia-smi -q -x` reports), and what that means for hardware encode sessions.
import type { GpuCardClass, GpuDevice } from '../contract';

/**
 * Concurrent NVENC sessions a GeForce system allows today (drivers from 2024 on).
 * It was 3 until March 2023, then 5; older drivers still enforce those. The limit
 * is per system: all GeForce cards of the machine share it.
 */
export const GEFORCE_NVENC_SESSION_LIMIT = 8;

export interface CardClassInfo {
  cardClass: GpuCardClass;
  encoderSessionLimit: number | null;
}

// Order matters: the first match wins. Names as nvidia-smi prints them,
// e.g. "NVIDIA GeForce RTX 4080 SUPER", "NVIDIA RTX A5000", "NVIDIA L40S", "Tesla V100-SXM2-32GB".
const GEFORCE = /\b(geforce|titan)\b/;
const PROFESSIONAL = /\b(quadro|nvs|rtx a\d{3,4}|rtx pro \d{4}|rtx \d{4}( sff)? ada|rtx [2-6]000\b|t(400|550|600|1000|1200))\b/;
// Chips without NVENC at all (GA100, GH100): an encode falls back to software from the first stream.
const NO_ENCODER = /\b(a100|a800|a30|h100|h800|h200|h20|gh200)\b/;
const DATACENTRE = /\b(tesla|a2|a10g?|a10m|a16|a40|l4|l20|l40s?|t4|b100|b200|gb200|v100|p100|p40|p4|p6|k80|m60|m40|m10)\b|\b(a100|a800|a30|h100|h800|h200|h20|gh200)\b/;

const BRANDS: Record<string, GpuCardClass> = {
  geforce: 'geforce',
  titan: 'geforce',
  quadro: 'professional',
  'quadro rtx': 'professional',
  'nvidia rtx': 'professional',
  nvs: 'professional',
  tesla: 'datacentre',
};

/** Card class from the name; `brand` (nvidia-smi -q -x `product_brand`) decides only names not recognised. */
export function cardClassOf(name: string, brand?: string | null, vendor: 'nvidia' | 'other' = 'nvidia'): CardClassInfo {
  if (vendor === 'other') return { cardClass: 'other', encoderSessionLimit: null };
  const n = name.toLowerCase().replace(/^nvidia\s+/, '');
  let cls: GpuCardClass = 'unknown';
  if (GEFORCE.test(n)) cls = 'geforce';
  else if (PROFESSIONAL.test(n)) cls = 'professional';
  else if (DATACENTRE.test(n)) cls = 'datacentre';
  else if (brand) cls = BRANDS[brand.trim().toLowerCase()] ?? 'unknown';
  return { cardClass: cls, encoderSessionLimit: sessionLimit(cls, n) };
}

function sessionLimit(cls: GpuCardClass, lowerName: string): number | null {
  if (cls === 'geforce') return GEFORCE_NVENC_SESSION_LIMIT;
  if (cls === 'datacentre' && NO_ENCODER.test(lowerName)) return 0;
  return null;
}

export interface EncoderBudget {
  /** Sessions open on GeForce cards, all together; null where a card does not report them. */
  geforceSessions: number | null;
  /** The shared GeForce limit, or null when the system has no GeForce card. */
  geforceLimit: number | null;
  /** True when some card has no session cap (professional, data centre with NVENC). */
  uncappedCard: boolean;
}

/** The system's encoder-session budget: GeForce cards share one limit; other cards add no cap. */
export function encoderBudget(devices: readonly Pick<GpuDevice, 'cardClass' | 'encoderSessions' | 'encoderSessionLimit'>[]): EncoderBudget {
  const geforce = devices.filter((d) => d.cardClass === 'geforce');
  const sessions = geforce.map((d) => d.encoderSessions);
  return {
    geforceSessions: geforce.length === 0 || sessions.some((s) => s === null) ? null : sessions.reduce<number>((a, s) => a + (s ?? 0), 0),
    geforceLimit: geforce.length === 0 ? null : GEFORCE_NVENC_SESSION_LIMIT,
    uncappedCard: devices.some((d) => d.cardClass !== 'geforce' && d.cardClass !== 'unknown' && d.cardClass !== 'other' && d.encoderSessionLimit === null),
  };
}
