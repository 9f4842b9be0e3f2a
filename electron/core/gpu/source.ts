// What the sampler asks of a GPU reader: the devices (with how old the reading
// is) and, where the platform allows, per-process figures to attribute to
// instances. Readers run their own long-lived processes; these calls only read
// what the latest output said, so a tick never waits on a GPU tool.
import type { GpuDevice, Measured } from '../../../shared/contract';
import type { ProcessGpuTable } from '../../../shared/gpu/per-process';

export type GpuReading = Measured<GpuDevice[]> & { ageMs?: number; stale?: boolean; source?: string };

export interface ProcessGpuSource {
  processes(now: number): Measured<ProcessGpuTable>;
  close(): void;
}

export interface GpuSource {
  latest(now: number): GpuReading;
  /** Absent: per-process GPU is not measured here (the sampler says why). */
  processes?(now: number): Measured<ProcessGpuTable>;
  close(): void;
}

export const NO_NVIDIA_SMI = 'no NVIDIA GPU found (nvidia-smi is not installed)';
export const NO_PER_PROCESS = 'per-process GPU needs Windows GPU counters or NVIDIA pmon';

export class NoGpuSource implements GpuSource {
  constructor(private readonly reason: string) {}
  latest(): GpuReading {
    return { ok: false, reason: this.reason };
  }
  processes(): Measured<ProcessGpuTable> {
    return { ok: false, reason: this.reason };
  }
  close() {}
}

/** Devices from one reader, per-process figures from another (or the reason there are none). */
export class CombinedGpuSource implements GpuSource {
  constructor(
    private readonly devices: GpuSource,
    private readonly perProcess: ProcessGpuSource | string,
  ) {}
  latest(now: number): GpuReading {
    return this.devices.latest(now);
  }
  processes(now: number): Measured<ProcessGpuTable> {
    return typeof this.perProcess === 'string' ? { ok: false, reason: this.perProcess } : this.perProcess.processes(now);
  }
  close(): void {
    this.devices.close();
    if (typeof this.perProcess !== 'string' && (this.perProcess as unknown) !== this.devices) this.perProcess.close();
  }
}

/** How old a reading is and whether that is too old to show as current. */
export function age(now: number, lastAt: number, intervalMs: number): { ageMs: number; stale: boolean } {
  const ageMs = Math.max(0, now - lastAt);
  return { ageMs, stale: ageMs > intervalMs * 3 };
}
