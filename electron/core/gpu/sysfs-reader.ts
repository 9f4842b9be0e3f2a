// Linux AMD (and any DRM driver that offers it): `gpu_busy_percent` and the VRAM
// figures in sysfs. Reading them costs microseconds (like /proc), so they are
// read when the sampler asks, at most once per half interval; no process runs.
// NVIDIA cards are left to nvidia-smi; Intel's i915/xe offer no busy figure.
import fs from 'node:fs';
import path from 'node:path';
import type { GpuDevice } from '../../../shared/contract';
import { age, type GpuReading, type GpuSource } from './source';

const VENDORS: Record<string, string> = { '0x1002': 'AMD', '0x8086': 'Intel', '0x10de': 'NVIDIA' };

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

function readNumber(file: string): number | null {
  const t = readText(file);
  if (t === null || t === '') return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

export interface DrmCard {
  card: string;
  dir: string;
  vendor: string;
}

/** DRM cards (`card0`, not `card0-DP-1`) that expose gpu_busy_percent, NVIDIA's left out. */
export function findBusyPercentCards(root = '/sys/class/drm'): DrmCard[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^card\d+$/.test(n))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
    .map((card) => ({ card, dir: path.join(root, card, 'device'), vendor: readText(path.join(root, card, 'device', 'vendor')) ?? '' }))
    .filter((c) => c.vendor !== '0x10de' && fs.existsSync(path.join(c.dir, 'gpu_busy_percent')));
}

export function readDrmCard(c: DrmCard, index: number): GpuDevice {
  const mb = (f: string) => {
    const v = readNumber(path.join(c.dir, f));
    return v === null ? null : v / 2 ** 20;
  };
  const vendor = VENDORS[c.vendor] ?? c.vendor;
  return {
    index,
    name: readText(path.join(c.dir, 'product_name')) || `${vendor} GPU (${c.card})`,
    utilization: readNumber(path.join(c.dir, 'gpu_busy_percent')),
    memoryUsedMB: mb('mem_info_vram_used'),
    memoryTotalMB: mb('mem_info_vram_total'),
    encoderUtilization: null,
    encoderSessions: null,
    temperatureC: null,
    powerW: null,
    cardClass: 'other',
    encoderSessionLimit: null,
  };
}

export class SysfsGpuReader implements GpuSource {
  private devices: GpuDevice[] = [];
  private lastAt = 0;

  constructor(
    private readonly cards: DrmCard[],
    private readonly intervalMs: number,
  ) {}

  latest(now: number): GpuReading {
    if (now - this.lastAt >= this.intervalMs / 2) {
      this.devices = this.cards.map(readDrmCard);
      this.lastAt = now;
    }
    if (this.devices.every((d) => d.utilization === null)) return { ok: false, reason: 'gpu_busy_percent could not be read' };
    return { ok: true, value: this.devices, ...age(now, this.lastAt, this.intervalMs), source: 'sysfs gpu_busy_percent' };
  }

  close(): void {}
}
