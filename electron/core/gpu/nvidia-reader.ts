// NVIDIA readers, each one long-running process, never one per tick:
// `nvidia-smi --query-gpu … -lms <interval>` for the devices and `nvidia-smi pmon`
// for per-process figures; their lines are parsed as they come and the latest
// reading is kept with its time, so the sampler can say how old (stale) it is.
// `nvidia-smi -q -x` runs once at start, for the product brand query-gpu lacks.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { GpuDevice, Measured } from '../../../shared/contract';
import { cardClassOf } from '../../../shared/gpu/card-class';
import { INVALID_FIELD, parseQueryGpuCsv, QUERY_GPU_FIELDS, QUERY_GPU_FIELDS_BASIC } from '../../../shared/gpu/nvidia-smi';
import { parseNvidiaSmiXml } from '../../../shared/gpu/nvidia-xml';
import { tableFromPmon, type ProcessGpuTable } from '../../../shared/gpu/per-process';
import { pmonRow, SmiTableReader, type PmonRow } from '../../../shared/gpu/smi-table';
import { LineProcess } from './line-process';
import { age, type GpuReading, type GpuSource, type ProcessGpuSource } from './source';

export { NoGpuSource, type GpuSource } from './source';

/** Where nvidia-smi lives: PATH on Linux; System32, NVSMI or the DriverStore on Windows. */
export function findNvidiaSmi(): string | null {
  const exe = process.platform === 'win32' ? 'nvidia-smi.exe' : 'nvidia-smi';
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  if (process.platform === 'win32') {
    const root = process.env.SystemRoot ?? 'C:\\Windows';
    dirs.push(path.join(root, 'System32'));
    // Drivers before 2019 installed it here instead.
    dirs.push(path.join(process.env.ProgramW6432 ?? process.env.ProgramFiles ?? 'C:\\Program Files', 'NVIDIA Corporation', 'NVSMI'));
    const store = path.join(root, 'System32', 'DriverStore', 'FileRepository');
    try {
      for (const d of fs.readdirSync(store)) if (d.toLowerCase().startsWith('nv')) dirs.push(path.join(store, d));
    } catch {
      /* no DriverStore access */
    }
  }
  for (const d of dirs) {
    const p = path.join(d, exe);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** Past this, a reading is no longer shown at all (stale ones are, marked). */
const gone = (intervalMs: number) => Math.max(30_000, intervalMs * 10);

export class NvidiaSmiReader implements GpuSource {
  private devices: GpuDevice[] = [];
  private lastAt = 0;
  private fields: readonly string[] = QUERY_GPU_FIELDS;
  private brands = new Map<number, string>();
  private readonly proc: LineProcess;

  constructor(
    exe: string,
    private readonly intervalMs: number,
    opts: { brands?: boolean } = {},
  ) {
    this.proc = new LineProcess({
      name: 'nvidia-smi',
      exe,
      args: this.args(),
      stallMs: Math.max(10_000, intervalMs * 5),
      onLines: (lines) => this.onLines(lines),
      onExit: (stderr) => this.fallBackIf(stderr),
    });
    if (opts.brands !== false) this.readBrands(exe);
  }

  private args(): string[] {
    return [`--query-gpu=${this.fields.join(',')}`, '--format=csv,noheader,nounits', '-lms', String(this.intervalMs)];
  }

  /** An older driver refuses a field and prints nothing else: ask again with the basic fields. */
  private fallBackIf(text: string): boolean {
    if (this.fields === QUERY_GPU_FIELDS_BASIC || !INVALID_FIELD.test(text)) return false;
    this.fields = QUERY_GPU_FIELDS_BASIC;
    this.proc.setArgs(this.args());
    return true;
  }

  private onLines(lines: string[]): void {
    if (this.fallBackIf(lines.join('\n'))) return;
    const parsed = parseQueryGpuCsv(lines.join('\n'), this.fields);
    if (parsed.length === 0) return;
    const byIndex = new Map(this.devices.map((d) => [d.index, d]));
    for (const d of parsed) {
      const brand = this.brands.get(d.index);
      byIndex.set(d.index, brand ? { ...d, ...cardClassOf(d.name, brand) } : d);
    }
    this.devices = [...byIndex.values()].sort((a, b) => a.index - b.index);
    this.lastAt = Date.now();
  }

  /** One `-q -x` at start, bounded in time, for the brand that settles names the card-class table does not know. */
  private readBrands(exe: string): void {
    execFile(exe, ['-q', '-x'], { timeout: 15_000, maxBuffer: 64 << 20, windowsHide: true }, (err, stdout) => {
      if (err || !stdout) return;
      for (const g of parseNvidiaSmiXml(stdout).gpus) if (g.productBrand) this.brands.set(g.index, g.productBrand);
    });
  }

  latest(now: number): GpuReading {
    if (this.devices.length === 0) return { ok: false, reason: this.proc.problem ?? 'waiting for the first nvidia-smi reading' };
    const a = age(now, this.lastAt, this.intervalMs);
    if (a.ageMs > gone(this.intervalMs)) return { ok: false, reason: `no nvidia-smi reading for ${Math.round(a.ageMs / 1000)} s${this.proc.problem ? ` (${this.proc.problem})` : ''}` };
    return { ok: true, value: this.devices, ...a, source: 'nvidia-smi' };
  }

  close(): void {
    this.proc.close();
  }
}

/**
 * Per-process figures from one long-running `nvidia-smi pmon -s um -d <s>`. Each
 * process's latest row is kept with its time; rows not repeated within 1.5
 * intervals of the newest belong to processes that are gone.
 */
export class PmonReader implements ProcessGpuSource {
  private rows = new Map<string, { row: PmonRow; at: number }>();
  private readonly table = new SmiTableReader();
  private lastAt = 0;
  private readonly delaySec: number;
  private readonly proc: LineProcess;

  constructor(exe: string, intervalMs: number) {
    this.delaySec = Math.min(10, Math.max(1, Math.round(intervalMs / 1000))); // pmon takes 1-10 s
    this.proc = new LineProcess({
      name: 'nvidia-smi pmon',
      exe,
      args: ['pmon', '-s', 'um', '-d', String(this.delaySec)],
      stallMs: Math.max(15_000, this.delaySec * 5000),
      onLines: (lines) => this.onLines(lines),
    });
  }

  private onLines(lines: string[]): void {
    const now = Date.now();
    for (const line of lines) {
      const r = this.table.push(line);
      if (!r) continue;
      this.lastAt = now; // a "no process" row is a sample too
      const p = pmonRow(r);
      if (p) this.rows.set(`${p.gpu}/${p.pid}`, { row: p, at: now });
    }
  }

  processes(now: number): Measured<ProcessGpuTable> {
    const why = this.proc.problem ? ` (${this.proc.problem})` : '';
    if (this.lastAt === 0) return { ok: false, reason: this.proc.problem ?? 'waiting for the first NVIDIA pmon reading' };
    const a = age(now, this.lastAt, this.delaySec * 1000);
    if (a.stale) return { ok: false, reason: `NVIDIA pmon readings are stale (last ${Math.round(a.ageMs / 1000)} s ago)${why}` };
    const keepFrom = this.lastAt - this.delaySec * 1500;
    const live: PmonRow[] = [];
    for (const [k, v] of this.rows) {
      if (v.at < keepFrom) this.rows.delete(k);
      else live.push(v.row);
    }
    return { ok: true, value: { source: 'NVIDIA pmon', byPid: tableFromPmon(live) } };
  }

  close(): void {
    this.proc.close();
  }
}
