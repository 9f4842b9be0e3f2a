// Card class and NVENC session limit from the name nvidia-smi prints (and the
// brand from `-q -x` for names not in the table).
import { describe, expect, it } from 'vitest';
import { cardClassOf, encoderBudget, GEFORCE_NVENC_SESSION_LIMIT } from '../../shared/gpu/card-class';
import { parseNvidiaSmiXml } from '../../shared/gpu/nvidia-xml';
import { parseQueryGpuCsv } from '../../shared/gpu/nvidia-smi';
import { fixture, fixturesStartingWith } from './gpu-fixtures';

describe('cardClassOf', () => {
  it('GeForce allows 8 sessions per system today (BRIEF: 3 until 2023, then 5, then 8)', () => {
    expect(GEFORCE_NVENC_SESSION_LIMIT).toBe(8);
  });

  it.each([
    // name, brand, class, limit
    ['NVIDIA GeForce RTX 4080 SUPER', null, 'geforce', 8],
    ['NVIDIA GeForce RTX 2080 SUPER', null, 'geforce', 8],
    ['NVIDIA GeForce RTX 3080', null, 'geforce', 8],
    ['NVIDIA GeForce GTX 1050', null, 'geforce', 8],
    ['NVIDIA TITAN RTX', null, 'geforce', 8],
    ['Quadro RTX 6000', null, 'professional', null],
    ['Quadro P2000', null, 'professional', null],
    ['NVIDIA RTX A5000', null, 'professional', null],
    ['NVIDIA RTX A2000 12GB', null, 'professional', null],
    ['NVIDIA RTX 6000 Ada Generation', null, 'professional', null],
    ['NVIDIA RTX 4000 SFF Ada Generation', null, 'professional', null],
    ['NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition', null, 'professional', null],
    ['NVIDIA T1000 8GB', null, 'professional', null],
    ['NVIDIA L40S', null, 'datacentre', null],
    ['NVIDIA L4', null, 'datacentre', null],
    ['NVIDIA A10', null, 'datacentre', null],
    ['NVIDIA A10G', null, 'datacentre', null],
    ['NVIDIA A40', null, 'datacentre', null],
    ['Tesla T4', null, 'datacentre', null],
    ['Tesla V100-SXM2-32GB', null, 'datacentre', null],
    // No NVENC on GA100/GH100: a stream falls back to software encoding from the first one.
    ['NVIDIA H100 80GB HBM3', null, 'datacentre', 0],
    ['NVIDIA H100 PCIe', null, 'datacentre', 0],
    ['NVIDIA H200', null, 'datacentre', 0],
    ['NVIDIA A100-SXM4-40GB', null, 'datacentre', 0],
    ['NVIDIA A30', null, 'datacentre', 0],
    // A name the table does not know: the brand decides, else unknown.
    ['NVIDIA Future 9000', 'GeForce', 'geforce', 8],
    ['NVIDIA Future 9000', 'NVIDIA RTX', 'professional', null],
    ['NVIDIA Future 9000', 'Tesla', 'datacentre', null],
    ['NVIDIA Future 9000', null, 'unknown', null],
    // The name wins over a brand: GeForce stays GeForce.
    ['NVIDIA GeForce RTX 4090', 'NVIDIA', 'geforce', 8],
  ] as const)('%s (brand %s) → %s, limit %s', (name, brand, cls, limit) => {
    expect(cardClassOf(name, brand)).toEqual({ cardClass: cls, encoderSessionLimit: limit });
  });

  it('a non-NVIDIA GPU is "other", with no NVENC limit', () => {
    expect(cardClassOf('AMD Radeon RX 7900 XT', null, 'other')).toEqual({ cardClass: 'other', encoderSessionLimit: null });
  });

  it('every card in the real recordings gets a known class', () => {
    const names = new Set<string>();
    for (const f of fixturesStartingWith('query-gpu-csv_')) for (const d of parseQueryGpuCsv(fixture(f))) names.add(d.name);
    for (const f of fixturesStartingWith('nvidia-smi-q-x_')) for (const g of parseNvidiaSmiXml(fixture(f)).gpus) names.add(g.productName);
    for (const n of names) expect(cardClassOf(n).cardClass, n).not.toBe('unknown');
  });

  it('the brand in -q -x agrees with the name for the recorded cards (GeForce RTX 3080, 2x RTX A5000)', () => {
    for (const f of fixturesStartingWith('nvidia-smi-q-x_')) for (const g of parseNvidiaSmiXml(fixture(f)).gpus) expect(cardClassOf(g.productName, g.productBrand)).toEqual(cardClassOf(g.productName));
  });
});

describe('encoderBudget: GeForce cards share one limit; other cards add no cap', () => {
  const geforce = (s: number | null) => ({ cardClass: 'geforce' as const, encoderSessions: s, encoderSessionLimit: 8 });
  const l40s = { cardClass: 'datacentre' as const, encoderSessions: 2, encoderSessionLimit: null };
  const h100 = { cardClass: 'datacentre' as const, encoderSessions: 0, encoderSessionLimit: 0 };
  it.each([
    ['one GeForce with 2 sessions', [geforce(2)], { geforceSessions: 2, geforceLimit: 8, uncappedCard: false }],
    ['two GeForce cards: sessions add up against one limit', [geforce(3), geforce(4)], { geforceSessions: 7, geforceLimit: 8, uncappedCard: false }],
    ['a GeForce that does not report sessions', [geforce(null)], { geforceSessions: null, geforceLimit: 8, uncappedCard: false }],
    ['an L40S: no cap', [l40s], { geforceSessions: null, geforceLimit: null, uncappedCard: true }],
    ['an H100: no encoder, no cap either', [h100], { geforceSessions: null, geforceLimit: null, uncappedCard: false }],
    ['no GPU', [], { geforceSessions: null, geforceLimit: null, uncappedCard: false }],
  ] as const)('%s', (_w, devices, expected) => expect(encoderBudget(devices)).toEqual(expected));
});
