// The sampler: at a fixed tick, collects one immutable Snapshot (system, GPUs,
// every instance's process tree) and hands it to listeners. It never draws.
//
// Reads of /proc are synchronous on purpose: procfs answers from memory in
// microseconds, and a tick for 16 instance trees costs well under a millisecond
// (see bench/sampler.bench.ts). Everything that can hang (nvidia-smi) runs as a
// separate long-lived process read asynchronously.
import type { InstanceSample, Measured, Snapshot, ViewerCost } from '../../shared/contract';
import type { StreamStats } from '../../shared/stream-quality';
import { instanceGpu } from '../../shared/gpu/per-process';
import { NO_PER_PROCESS, type GpuSource } from './gpu/source';
import { LoopDelayMeter } from './loop-delay';
import { openTree, type InstanceTree } from './proc/tree';
import type { Supervisor } from './supervisor';
import type { SystemReader } from './system-reader';

/** What the sampler asks of the measuring viewers (electron/core/streams/watcher.ts). */
export interface StreamSource {
  measure(instanceId: string): Measured<StreamStats> | undefined;
  /** Root PIDs of the viewers' processes (a browser, or Electron's hidden windows), when any run: measured apart. */
  rootPids(): number[];
  viewerCount(): number;
}

export class Sampler {
  streams: StreamSource | null = null;
  private viewerTrees = new Map<number, InstanceTree | null>();
  private viewerTick: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private lastTick = new Map<string, number>();
  /** The event-loop delay of each interval (loop-delay.ts: no timer of its own while the loop is quiet). */
  private loop = new LoopDelayMeter();
  /** When the timer's next tick is due (performance.now), for its lateness. */
  private dueAt = 0;
  private listeners = new Set<(s: Snapshot) => void>();
  private running = false;
  latest: Snapshot | null = null;

  constructor(
    private readonly supervisor: Supervisor,
    private readonly system: SystemReader,
    private readonly gpu: GpuSource,
    readonly intervalMs: number,
  ) {}

  onSample(fn: (s: Snapshot) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    if (this.timer) return;
    this.loop.start();
    this.system.read(Date.now()); // prime the rate counters
    this.dueAt = performance.now() + this.intervalMs;
    this.timer = setInterval(() => {
      const t = performance.now();
      const lateMs = t - this.dueAt;
      this.dueAt = t + this.intervalMs; // setInterval counts the next period from this run
      void this.tick(lateMs);
    }, this.intervalMs);
  }

  /** One sample; `lateMs`: how late the timer ran it (0 for a tick asked for). */
  async tick(lateMs = 0): Promise<Snapshot | null> {
    if (this.running) return null; // a slow tick never overlaps the next
    this.running = true;
    try {
      const now = Date.now();
      const started = performance.now();
      this.supervisor.poll();
      const system = this.system.read(now);
      const instances: InstanceSample[] = [];
      // One table per tick from the per-process reader's latest output; each tree's PIDs are looked up in it.
      const gpuProcs = this.gpu.processes?.(now) ?? { ok: false as const, reason: NO_PER_PROCESS };
      // Each sample is one object literal with its optional fields set after: built with
      // spreads ({...base, …, ...gpu, ...stream}) one cost ~1.9 KB of allocation instead of
      // ~0.24 (measured in Node 20), half of a tick's 75 KB and of its young-generation GCs.
      // The keys keep the order the spreads gave them.
      for (const rec of this.supervisor.instances.values()) {
        const info = rec.info;
        if (!rec.tree || (info.state !== 'running' && info.state !== 'stopping')) {
          const idle: InstanceSample = {
            id: info.id,
            n: info.n,
            pid: info.pid,
            state: info.state,
            cpu: null,
            memoryMB: null,
            processes: 0,
            gpu: { ok: false, reason: gpuProcs.ok ? 'the instance is not running' : gpuProcs.reason },
          };
          if (info.stream && info.stream.viewers > 0) idle.stream = { ok: false, reason: 'the instance is not running' };
          instances.push(idle);
          continue;
        }
        const r = await rec.tree.sample(now);
        const prevT = this.lastTick.get(info.id);
        this.lastTick.set(info.id, now);
        const dt = prevT === undefined ? null : (now - prevT) / 1000;
        const stream = this.streams?.measure(info.id);
        const gpu = instanceGpu(gpuProcs, gpuProcs.ok ? rec.tree.aliveNow() : []);
        const sample: InstanceSample = {
          id: info.id,
          n: info.n,
          pid: info.pid,
          state: info.state,
          cpu: dt && dt > 0 ? (r.cpuSeconds / dt) * 100 : null,
          cpuSeconds: r.cpuSeconds,
          memoryMB: r.rssBytes / 2 ** 20,
          processes: r.processes,
          gpu: gpu.gpu,
        };
        if (gpu.gpuDetail) sample.gpuDetail = gpu.gpuDetail;
        if (stream) sample.stream = stream;
        instances.push(sample);
      }
      const viewers = await this.viewerCost(now);
      for (const id of this.lastTick.keys()) if (!this.supervisor.instances.has(id)) this.lastTick.delete(id);
      const loopP99 = this.loop.read(Math.max(0, lateMs));
      const snapshot: Snapshot = {
        t: now,
        seq: ++this.seq,
        intervalMs: this.intervalMs,
        system,
        gpus: this.gpu.latest(now),
        instances,
        loopDelayP99Ms: loopP99,
        sampleMs: performance.now() - started,
        ...(viewers ? { viewers } : {}),
      };
      this.latest = snapshot;
      for (const fn of this.listeners) fn(snapshot);
      return snapshot;
    } finally {
      this.running = false;
    }
  }

  /** The viewers' process trees, measured like an instance's and reported apart. */
  private async viewerCost(now: number): Promise<ViewerCost | null> {
    const pids = this.streams?.rootPids() ?? [];
    for (const [pid, tree] of this.viewerTrees) {
      if (pids.includes(pid)) continue;
      tree?.close();
      this.viewerTrees.delete(pid);
    }
    if (pids.length === 0) {
      this.viewerTick = null;
      return null;
    }
    let fresh = false;
    for (const pid of pids) {
      if (this.viewerTrees.has(pid)) continue;
      const tree = openTree(pid, pid);
      tree?.rescan(now, true);
      this.viewerTrees.set(pid, tree);
      fresh = true;
    }
    let cpuSeconds = 0;
    let rss = 0;
    let measured = false;
    for (const tree of this.viewerTrees.values()) {
      if (!tree) continue;
      const r = await tree.sample(now);
      cpuSeconds += r.cpuSeconds;
      rss += r.rssBytes;
      measured = true;
    }
    const dt = this.viewerTick === null ? null : (now - this.viewerTick) / 1000;
    this.viewerTick = now;
    const viewers = this.streams!.viewerCount();
    if (!measured) return { viewers, cpu: null, memoryMB: null };
    // A tree opened this tick has no rate yet: its first reading is not a CPU figure.
    return { viewers, cpu: !fresh && dt && dt > 0 ? (cpuSeconds / dt) * 100 : null, memoryMB: rss / 2 ** 20 };
  }

  stop(): void {
    for (const tree of this.viewerTrees.values()) tree?.close();
    this.viewerTrees.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.loop.stop();
    this.system.close();
    this.gpu.close();
  }
}
