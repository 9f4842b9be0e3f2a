// System-wide load: /proc on Linux (files held open, see proc/linux.ts), os.cpus()
// elsewhere. Rates (network, disk) need two readings: the first sample says so.
import fs from 'node:fs';
import os from 'node:os';
import type { Measured, SystemSample } from '../../shared/contract';
import { ProcFile } from './proc/linux';
import { busyPercent, parseCpuStat, parseDiskstats, parseMeminfo, parseNetDev, type CpuTimes } from './proc/parse';

export interface SystemReader {
  read(now: number): SystemSample;
  close(): void;
}

interface Counters {
  t: number;
  cpu: { all: CpuTimes; cores: CpuTimes[] } | null;
  net: { rxBytes: number; txBytes: number } | null;
  disk: { readBytes: number; writeBytes: number } | null;
}

function diskSpace(dir: string): { freeGB: number; totalGB: number } | null {
  try {
    const s = fs.statfsSync(dir);
    return { freeGB: (s.bavail * s.bsize) / 1e9, totalGB: (s.blocks * s.bsize) / 1e9 };
  } catch {
    return null;
  }
}

function cpuFromOs(): { all: CpuTimes; cores: CpuTimes[] } {
  const cores = os.cpus().map((c) => {
    const t = c.times;
    const total = t.user + t.nice + t.sys + t.idle + t.irq;
    return { total, idle: t.idle };
  });
  const all = cores.reduce((a, c) => ({ total: a.total + c.total, idle: a.idle + c.idle }), { total: 0, idle: 0 });
  return { all, cores };
}

export class ProcSystemReader implements SystemReader {
  private stat = new ProcFile('/proc/stat');
  private meminfo = new ProcFile('/proc/meminfo');
  private netdev = new ProcFile('/proc/net/dev');
  private diskstats = new ProcFile('/proc/diskstats');
  private prev: Counters | null = null;
  private space: { freeGB: number; totalGB: number } | null = null;
  private spaceAt = 0;

  constructor(private readonly diskDir: string) {}

  read(now: number): SystemSample {
    const linux = this.stat.open;
    const statText = linux ? this.stat.read() : null;
    const cpu = statText ? parseCpuStat(statText) : cpuFromOs();
    const memText = this.meminfo.read();
    const mem = memText ? parseMeminfo(memText) : null;
    const netText = this.netdev.read();
    const diskText = this.diskstats.read();
    const cur: Counters = {
      // Monotonic and sub-millisecond: two readings within one Date.now() millisecond still have an interval.
      t: performance.now(),
      cpu,
      net: netText ? parseNetDev(netText) : null,
      disk: diskText ? parseDiskstats(diskText) : null,
    };
    // statfs is cheap but free space changes slowly: every 5 s is plenty.
    if (now - this.spaceAt >= 5000) {
      this.space = diskSpace(this.diskDir);
      this.spaceAt = now;
    }
    const prev = this.prev;
    this.prev = cur;
    const dt = prev ? (cur.t - prev.t) / 1000 : 0; // both readings on the monotonic clock

    let cpuTotal = 0;
    let cores: number[] = [];
    if (prev?.cpu && cur.cpu) {
      cpuTotal = busyPercent(prev.cpu.all, cur.cpu.all) ?? 0;
      cores = cur.cpu.cores.map((c, k) => (prev.cpu!.cores[k] ? (busyPercent(prev.cpu!.cores[k]!, c) ?? 0) : 0));
    } else if (cur.cpu) {
      cores = cur.cpu.cores.map(() => 0);
    }

    const totalMB = mem?.totalMB ?? os.totalmem() / 2 ** 20;
    const usedMB = mem?.usedMB ?? (os.totalmem() - os.freemem()) / 2 ** 20;

    let net: Measured<{ rxMbps: number; txMbps: number }>;
    if (!cur.net) net = { ok: false, reason: `network rates are not measured on ${process.platform} yet` };
    else if (!prev?.net || dt <= 0) net = { ok: false, reason: 'first reading: rates need two samples' };
    else
      net = {
        ok: true,
        value: {
          rxMbps: (Math.max(0, cur.net.rxBytes - prev.net.rxBytes) * 8) / 1e6 / dt,
          txMbps: (Math.max(0, cur.net.txBytes - prev.net.txBytes) * 8) / 1e6 / dt,
        },
      };

    let disk: SystemSample['disk'];
    if (!this.space) disk = { ok: false, reason: 'disk space not readable' };
    else if (!cur.disk) disk = { ok: true, value: { readMBps: 0, writeMBps: 0, ...this.space } };
    else if (!prev?.disk || dt <= 0) disk = { ok: false, reason: 'first reading: rates need two samples' };
    else
      disk = {
        ok: true,
        value: {
          readMBps: Math.max(0, cur.disk.readBytes - prev.disk.readBytes) / 1e6 / dt,
          writeMBps: Math.max(0, cur.disk.writeBytes - prev.disk.writeBytes) / 1e6 / dt,
          ...this.space,
        },
      };

    return {
      cpu: cpuTotal,
      cores,
      memory: { usedMB, totalMB, percent: totalMB > 0 ? (usedMB / totalMB) * 100 : 0 },
      net,
      ...(cur.net ? { netBytes: { rx: cur.net.rxBytes, tx: cur.net.txBytes } } : {}),
      disk,
    };
  }

  close(): void {
    for (const f of [this.stat, this.meminfo, this.netdev, this.diskstats]) f.close();
  }
}
