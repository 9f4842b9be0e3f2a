// Per-process GPU figures, from whichever source the platform has (NVIDIA pmon,
// Windows GPU counters), and their attribution to an instance through the PIDs
// of its process tree.
import type { InstanceSample, Measured } from '../contract';
import type { PmonRow } from './smi-table';

export interface ProcessGpu {
  pid: number;
  /** % of one GPU (pmon: SM; Windows: busiest engine), summed over GPUs; null: no sample this interval. */
  gpu: number | null;
  encoder: number | null;
  decoder: number | null;
  memoryMB: number | null;
}

export interface ProcessGpuTable {
  /** In words, for reasons shown to the user: "NVIDIA pmon", "Windows GPU counters". */
  source: string;
  byPid: ReadonlyMap<number, ProcessGpu>;
}

const add = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : a + b);

/** pmon rows of one interval → one figure per process, summed over the GPUs it uses. */
export function tableFromPmon(rows: readonly PmonRow[]): Map<number, ProcessGpu> {
  const out = new Map<number, ProcessGpu>();
  for (const r of rows) {
    const p = out.get(r.pid);
    if (!p) out.set(r.pid, { pid: r.pid, gpu: r.sm, encoder: r.enc, decoder: r.dec, memoryMB: r.fbMB });
    else {
      p.gpu = add(p.gpu, r.sm);
      p.encoder = add(p.encoder, r.enc);
      p.decoder = add(p.decoder, r.dec);
      p.memoryMB = add(p.memoryMB, r.fbMB);
    }
  }
  return out;
}

export type InstanceGpu = Pick<InstanceSample, 'gpu' | 'gpuDetail'>;

/**
 * Sums the figures of the instance's processes. Not measured (with the reason)
 * when the table is missing, when no process of the tree is in it, or when none
 * of them has a utilisation sample: an absent figure is never shown as 0.
 */
export function instanceGpu(table: Measured<ProcessGpuTable>, pids: readonly number[]): InstanceGpu {
  if (!table.ok) return { gpu: table };
  let gpu: number | null = null;
  let encoder: number | null = null;
  let decoder: number | null = null;
  let memoryMB: number | null = null;
  let found = 0;
  for (const pid of pids) {
    const p = table.value.byPid.get(pid);
    if (!p) continue;
    found++;
    gpu = add(gpu, p.gpu);
    encoder = add(encoder, p.encoder);
    decoder = add(decoder, p.decoder);
    memoryMB = add(memoryMB, p.memoryMB);
  }
  const src = table.value.source;
  if (found === 0) return { gpu: { ok: false, reason: `${src} reports no process of this instance (${pids.length} checked; a process without GPU work is not listed)` } };
  const detail = encoder === null && decoder === null && memoryMB === null ? {} : { gpuDetail: { encoder, decoder, memoryMB } };
  if (gpu === null) return { gpu: { ok: false, reason: `${src} lists this instance but gave no utilisation sample this interval` }, ...detail };
  return { gpu: { ok: true, value: gpu }, ...detail };
}
