// One long-running `nvidia-smi --query-gpu … -lms <interval>` per StreamCap, not a
// process per tick. Its lines are parsed as they come; the latest reading per GPU
// is kept with its time, so the sampler can say how old (stale) it is.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { GpuDevice, Measured } from '../../../shared/contract';
import { parseQueryGpuCsv, QUERY_GPU_FIELDS } from '../../../shared/gpu/nvidia-smi';

export interface GpuSource {
  latest(now: number): Measured<GpuDevice[]> & { ageMs?: number; stale?: boolean };
  close(): void;
}

/** Where nvidia-smi lives: PATH on Linux; System32 or the DriverStore on Windows. */
export function findNvidiaSmi(): string | null {
  const exe = process.platform === 'win32' ? 'nvidia-smi.exe' : 'nvidia-smi';
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  if (process.platform === 'win32') {
    const root = process.env.SystemRoot ?? 'C:\\Windows';
    dirs.push(path.join(root, 'System32'));
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

export class NoGpuSource implements GpuSource {
  constructor(private readonly reason: string) {}
  latest(): Measured<GpuDevice[]> {
    return { ok: false, reason: this.reason };
  }
  close() {}
}

export class NvidiaSmiReader implements GpuSource {
  private child: ChildProcess | null = null;
  private devices = new Map<number, GpuDevice>();
  private lastAt = 0;
  private problem: string | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private closed = false;
  private buffer = '';

  constructor(
    private readonly exe: string,
    private readonly intervalMs: number,
  ) {
    this.start();
  }

  private start(): void {
    const args = [`--query-gpu=${QUERY_GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits', `-lms`, String(this.intervalMs)];
    const child = spawn(this.exe, args, { shell: false, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      const nl = this.buffer.lastIndexOf('\n');
      if (nl < 0) return;
      const complete = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const parsed = parseQueryGpuCsv(complete);
      if (parsed.length > 0) {
        for (const d of parsed) this.devices.set(d.index, d);
        this.lastAt = Date.now();
        this.problem = null;
        this.failures = 0;
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-500);
    });
    child.on('error', (e) => {
      this.problem = `nvidia-smi could not start: ${e.message}`;
    });
    child.on('exit', (code) => {
      if (this.closed) return;
      this.problem = `nvidia-smi exited (code ${code})${stderr.trim() ? ': ' + stderr.trim().split('\n').pop() : ''}`;
      this.failures++;
      // Back off, and keep trying: a driver reset or a hot-plugged eGPU may bring it back.
      const delay = Math.min(60000, 1000 * 2 ** Math.min(this.failures, 6));
      this.restartTimer = setTimeout(() => this.start(), delay);
      this.restartTimer.unref();
    });
  }

  latest(now: number): Measured<GpuDevice[]> & { ageMs?: number; stale?: boolean } {
    if (this.devices.size === 0) return { ok: false, reason: this.problem ?? 'waiting for the first nvidia-smi reading' };
    const ageMs = now - this.lastAt;
    return { ok: true, value: [...this.devices.values()].sort((a, b) => a.index - b.index), ageMs, stale: ageMs > this.intervalMs * 3 };
  }

  close(): void {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.child?.kill();
  }
}

export function openGpuSource(intervalMs: number): GpuSource {
  if (process.env.STREAMCAP_NO_GPU === '1') return new NoGpuSource('GPU sampling turned off (STREAMCAP_NO_GPU=1)');
  const exe = findNvidiaSmi();
  if (!exe) return new NoGpuSource('no NVIDIA GPU found (nvidia-smi is not installed)');
  return new NvidiaSmiReader(exe, intervalMs);
}
