// One interface over the per-platform process-tree readers. Linux reads /proc
// directly (linux.ts); elsewhere pidusage reads the launched process and its
// known children.
import pidusage from 'pidusage';
import { CLK_TCK, PAGE_SIZE, ProcessTree, readPidStat } from './linux';

export interface TreeSample {
  /** CPU seconds the whole tree used since the previous sample. */
  cpuSeconds: number;
  rssBytes: number;
  processes: number;
}

export interface InstanceTree {
  readonly rootPid: number;
  readonly pgid: number;
  /** Identity of the root process (start time in clock ticks since boot on Linux, else 0). */
  readonly rootStartTime: number;
  sample(now: number): Promise<TreeSample> | TreeSample;
  rescan(now: number, full?: boolean): void;
  /** Tree members alive right now. */
  aliveNow(): number[];
  close(): void;
}

/** New descendants are looked for this often; their CPU counts from their start either way. */
export const RESCAN_EVERY_MS = 3000;

class LinuxTree implements InstanceTree {
  constructor(private tree: ProcessTree) {}
  get rootPid() {
    return this.tree.rootPid;
  }
  get pgid() {
    return this.tree.pgid;
  }
  get rootStartTime() {
    return this.tree.rootStartTime;
  }
  sample(now: number): TreeSample {
    const r = this.tree.read(now, RESCAN_EVERY_MS);
    return { cpuSeconds: r.deltaTicks / CLK_TCK, rssBytes: r.rssBytes, processes: r.processes };
  }
  rescan(now: number, full?: boolean) {
    this.tree.rescan(now, full);
  }
  aliveNow() {
    return this.tree.aliveNow();
  }
  close() {
    this.tree.close();
  }
}

/** Fallback for Windows and macOS: the launched process only (untested here: no such machine). */
class PidusageTree implements InstanceTree {
  readonly rootStartTime = 0;
  private lastCtimeMs: number | null = null;
  private alive = true;
  constructor(
    readonly rootPid: number,
    readonly pgid: number,
  ) {}
  async sample(): Promise<TreeSample> {
    try {
      const s = await pidusage(this.rootPid);
      const delta = this.lastCtimeMs === null ? 0 : Math.max(0, s.ctime - this.lastCtimeMs);
      this.lastCtimeMs = s.ctime;
      return { cpuSeconds: delta / 1000, rssBytes: s.memory, processes: 1 };
    } catch {
      this.alive = false;
      return { cpuSeconds: 0, rssBytes: 0, processes: 0 };
    }
  }
  rescan() {}
  aliveNow() {
    if (!this.alive) return [];
    try {
      process.kill(this.rootPid, 0);
      return [this.rootPid];
    } catch {
      return [];
    }
  }
  close() {
    pidusage.clear();
  }
}

export const isLinux = process.platform === 'linux';

export function openTree(pid: number, pgid: number, expectedStartTime?: number): InstanceTree | null {
  if (isLinux) {
    const stat = readPidStat(pid);
    if (!stat) return null;
    if (expectedStartTime !== undefined && stat.startTime !== expectedStartTime) return null;
    return new LinuxTree(new ProcessTree(pid, pgid, stat.startTime));
  }
  return new PidusageTree(pid, pgid);
}

/** Opens the tree of an instance whose root may be gone but whose process group lives on (after a crash of StreamCap). */
export function openTreeFromLedger(pid: number, pgid: number, startTime: number): InstanceTree | null {
  if (!isLinux) return openTree(pid, pgid);
  const tree = new ProcessTree(pid, pgid, startTime);
  tree.rescan(Date.now(), true);
  if (tree.aliveNow().length === 0) {
    tree.close();
    return null;
  }
  return new LinuxTree(tree);
}

export { PAGE_SIZE };
