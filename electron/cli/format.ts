import { describeStream, toStreamLine, type StreamStats } from '../../shared/stream-quality';
import type { GpuDevice, Measured, Snapshot } from '../../shared/contract';

export const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

export function gpuSummary(g: Snapshot['gpus']): string {
  if (!g.ok) return `GPU not measured: ${g.reason}`;
  return (
    g.value.map((d) => `GPU${d.index} ${fmt(d.utilization, 0)}% enc ${fmt(d.encoderUtilization, 0)}% ${sessions(d)}`).join('  ') + (g.stale ? ` (stale, ${fmt((g.ageMs ?? 0) / 1000, 0)} s old)` : '')
  );
}

const CLASS_WORDS: Record<GpuDevice['cardClass'], string> = { geforce: 'GeForce', professional: 'professional', datacentre: 'data centre', other: 'non-NVIDIA', unknown: 'card class unknown' };

/** "2/8 sessions (GeForce)", "2 sessions (no cap, data centre)", "no hardware encoder (data centre)". */
export function sessions(d: GpuDevice): string {
  const n = d.encoderSessions === null ? '—' : String(d.encoderSessions);
  if (d.encoderSessionLimit === 0) return `no hardware encoder (${CLASS_WORDS[d.cardClass]})`;
  if (d.encoderSessionLimit !== null) return `${n}/${d.encoderSessionLimit} sessions (${CLASS_WORDS[d.cardClass]})`;
  if (d.cardClass === 'professional' || d.cardClass === 'datacentre') return `${n} sessions (no cap, ${CLASS_WORDS[d.cardClass]})`;
  return `${n} sessions (${CLASS_WORDS[d.cardClass]})`;
}

export function measured<T>(m: Measured<T>, show: (v: T) => string): string {
  return m.ok ? show(m.value) : `not measured (${m.reason})`;
}

/** One NDJSON record per sample: the shape documented in the README. */
export function sampleRecord(s: Snapshot) {
  return {
    t: s.t,
    system: {
      cpu: round(s.system.cpu),
      cores: s.system.cores.map(round),
      memory: round(s.system.memory.percent),
      memoryUsedMB: Math.round(s.system.memory.usedMB),
      memoryTotalMB: Math.round(s.system.memory.totalMB),
      netRxMbps: s.system.net.ok ? round(s.system.net.value.rxMbps, 3) : null,
      netTxMbps: s.system.net.ok ? round(s.system.net.value.txMbps, 3) : null,
      gpus: s.gpus.ok ? s.gpus.value : null,
      ...(s.gpus.ok ? {} : { gpusNotMeasured: s.gpus.reason }),
    },
    instances: s.instances.map((i) => ({
      n: i.n,
      pid: i.pid,
      state: i.state,
      cpu: i.cpu === null ? null : round(i.cpu),
      memoryMB: i.memoryMB === null ? null : round(i.memoryMB),
      processes: i.processes,
      gpu: i.gpu.ok ? round(i.gpu.value) : null,
      ...(i.gpu.ok ? {} : { gpuNotMeasured: i.gpu.reason }),
      ...(i.gpuDetail ? { gpuDetail: i.gpuDetail } : {}),
      ...(i.stream === undefined ? {} : i.stream.ok ? { stream: toStreamLine(i.stream.value) } : { stream: null, streamNotMeasured: i.stream.reason }),
    })),
    ...(s.viewers
      ? { viewers: { count: s.viewers.viewers, cpu: s.viewers.cpu === null ? null : round(s.viewers.cpu), memoryMB: s.viewers.memoryMB === null ? null : round(s.viewers.memoryMB) } }
      : {}),
  };
}

/** One instance's stream for the table: "25 fps 1.9 Mbps 0 frz", or why it is not measured. */
export function streamCell(m: Measured<StreamStats> | undefined): string {
  if (!m) return '';
  if (!m.ok) return `stream not measured: ${m.reason}`;
  return `${describeStream(m.value)} · ${m.value.freezes} freeze${m.value.freezes === 1 ? '' : 's'}`;
}

function round(v: number, digits = 1): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
