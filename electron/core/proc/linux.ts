// Linux /proc reading, hand-written because it is the sampler's hot path: every
// tick reads one stat file per tree member. Files stay open and are re-read with
// pread at offset 0 (procfs regenerates them), into one shared buffer, so a tick
// costs a read syscall per file and no open/close. A stat fd kept open also pins the
// process it was opened for: once that process is gone the read fails with ESRCH,
// so a reused PID can never be mistaken for the old process.
import fs from 'node:fs';
import { parseChildren, parsePidStat, parseStatTimes, type PidStat, type StatTimes } from './parse';

const buffer = Buffer.allocUnsafe(1 << 16);
/** One scratch reading reused for every member on every tick (see parseStatTimes). */
const times: StatTimes = { state: 0, ticks: 0, rssPages: 0 };
const ZOMBIE = 90; // 'Z'
const DEAD = 88; // 'X'

export const CLK_TCK = 100; // USER_HZ is 100 on every Linux ABI Node supports.

/** Time since boot, ms (/proc/uptime), or null where it cannot be read. Read only when a new member is found. */
function readUptimeMs(): number | null {
  try {
    const secs = Number.parseFloat(fs.readFileSync('/proc/uptime', 'utf8'));
    return Number.isFinite(secs) ? secs * 1000 : null;
  } catch {
    return null;
  }
}
export const PAGE_SIZE = 4096;

/** Reads a small /proc file in one go; null if it does not exist (process gone). */
export function readProcText(path: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.toString('latin1', 0, n);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** A /proc file held open and re-read on each call. */
export class ProcFile {
  private fd: number | null;
  constructor(readonly path: string) {
    try {
      this.fd = fs.openSync(path, 'r');
    } catch {
      this.fd = null;
    }
  }
  get open(): boolean {
    return this.fd !== null;
  }
  read(): string | null {
    const n = this.readRaw();
    return n < 0 ? null : buffer.toString('latin1', 0, n);
  }
  /** Re-reads into the shared buffer without making a string (valid until the next read): the byte count, -1 once gone. */
  readRaw(): number {
    if (this.fd === null) return -1;
    try {
      return fs.readSync(this.fd, buffer, 0, buffer.length, 0);
    } catch {
      this.close();
      return -1;
    }
  }
  close(): void {
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = null;
    }
  }
}

export function readPidStat(pid: number): PidStat | null {
  const text = readProcText(`/proc/${pid}/stat`);
  return text ? parsePidStat(text) : null;
}

/** PIDs of the children its main thread forked (nearly every launcher's); children of other threads are in processIndex. */
export function childrenOf(pid: number): number[] {
  const text = readProcText(`/proc/${pid}/task/${pid}/children`);
  return text ? parseChildren(text) : [];
}

/**
 * Every process's children, by parent PID, from one pass over /proc/<pid>/stat (the parent
 * field is the parent's process id whichever of its threads forked): what an all-threads
 * rescan looks in. It was /proc/<pid>/task/<tid>/children for every thread of every member,
 * each an open, a read and a close: 350 every 15 s for the bench's 32 Node processes of ~11
 * threads, ~2,400 for 16 Unreal instances of 150; one pass reads one file per process of the
 * machine, and every tree rescanning in the same tick shares it (built once per `now`), as
 * does a `full` rescan's search of the process group.
 */
let index: { now: number; stats: PidStat[]; children: Map<number, number[]> } | null = null;
export function processIndex(now: number): { stats: PidStat[]; children: Map<number, number[]> } {
  if (index?.now === now) return index;
  const stats = scanAllProcesses();
  const children = new Map<number, number[]>();
  for (const stat of stats) {
    const list = children.get(stat.ppid);
    if (list) list.push(stat.pid);
    else children.set(stat.ppid, [stat.pid]);
  }
  index = { now, stats, children };
  return index;
}

/** Every process's stat: a full scan, for the rare moments that need one (start-up, a launcher's exit, an all-threads rescan). */
export function scanAllProcesses(): PidStat[] {
  const out: PidStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const stat = readPidStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

export function isAliveStat(stat: PidStat | null): stat is PidStat {
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

interface Member {
  pid: number;
  ppid: number;
  startTime: number;
  file: ProcFile;
  /** The main thread's children list, held open like the stat file: a rescan reads it with one pread. */
  children: ProcFile | null;
  /** utime+stime+cutime+cstime at the last read, ticks. */
  ticks: number;
  rssPages: number;
  alive: boolean;
  /** Ticks of vanished children already counted, still to arrive in this member's cutime. */
  owed: number;
  owedSince: number;
}

/** Children forked by any thread, not only the main one, are looked for this often (see processIndex). */
export const ALL_THREADS_EVERY_MS = 15_000;

/** How long owed child time waits for the reap; a parent that ignores SIGCHLD never gets it in cutime. */
const OWED_EXPIRY_MS = 5000;

export interface TreeReading {
  /** CPU ticks the tree spent since the previous reading. */
  deltaTicks: number;
  rssBytes: number;
  processes: number;
}

/**
 * The process tree of one instance: the launched process and every descendant,
 * found through /proc/<pid>/task/<tid>/children (cheap) and, once the launcher is
 * gone and its children were re-parented, through the process group.
 *
 * CPU accounting: a live member contributes its own time (utime+stime) and the time
 * of children it reaped (cutime+cstime). A member that vanished had its last-seen
 * total already counted, and that same total lands in its parent's cutime when
 * reaped: subtract it so it is not counted twice. Short-lived children that were
 * never seen still count, through their parent's cutime.
 */
export class ProcessTree {
  private members = new Map<number, Member>();
  private lastRescan = 0;
  /** When the members were last read (performance.now), null before the first read. */
  private lastReadAt: number | null = null;
  /** The ALL_THREADS_EVERY_MS period of the last all-threads rescan. */
  private allThreadsSlot = -1;

  constructor(
    readonly rootPid: number,
    readonly pgid: number,
    /** Start time of the root in ticks since boot; a PID with another start time is not ours. */
    readonly rootStartTime: number,
  ) {
    this.addMember(rootPid, true, rootStartTime);
  }

  static forPid(pid: number, pgid = pid): ProcessTree | null {
    const stat = readPidStat(pid);
    if (!stat) return null;
    return new ProcessTree(pid, pgid, stat.startTime);
  }

  /**
   * The ticks a member found now has already been counted for: none when it was born
   * since the last read; when it is older (a child of a non-main thread is found only by
   * the all-threads rescan every ALL_THREADS_EVERY_MS, seconds after its birth), everything but its
   * share of the time since the last read, so the time it ran unseen is not put into
   * one interval (stress-ng's worker read 190 % for one tick).
   */
  private baselineOf(total: number, startTime: number): number {
    if (this.lastReadAt === null) return 0;
    const uptimeMs = readUptimeMs();
    if (uptimeMs === null) return 0;
    const ageMs = uptimeMs - (startTime * 1000) / CLK_TCK;
    const sinceReadMs = performance.now() - this.lastReadAt;
    // Start times have 10 ms resolution: a child younger than the interval (plus that) is all new.
    if (ageMs <= sinceReadMs + 1000 / CLK_TCK) return 0;
    return total * (1 - sinceReadMs / ageMs);
  }

  private addMember(pid: number, fromStart: boolean, exactStartTime?: number): Member | null {
    if (this.members.has(pid)) return this.members.get(pid)!;
    const file = new ProcFile(`/proc/${pid}/stat`);
    const text = file.read();
    const stat = text ? parsePidStat(text) : null;
    // Descendants start after the root; a PID reused by an older-numbered process is not ours.
    if (!stat || stat.startTime < this.rootStartTime || (exactStartTime !== undefined && stat.startTime !== exactStartTime)) {
      file.close();
      return null;
    }
    const total = stat.utime + stat.stime + stat.cutime + stat.cstime;
    const m: Member = {
      pid,
      ppid: stat.ppid,
      startTime: stat.startTime,
      file,
      children: null,
      // A member found at its start counts all its time (its share since the last read if it
      // is older than that); one found late (through the process group) counts from now on.
      ticks: fromStart ? this.baselineOf(total, stat.startTime) : total,
      rssPages: stat.rssPages,
      alive: isAliveStat(stat),
      owed: 0,
      owedSince: 0,
    };
    this.members.set(pid, m);
    return m;
  }

  /**
   * Looks for new descendants: through main threads' children each time, every
   * thread's (the process index) every ALL_THREADS_EVERY_MS, and with `full` also through
   * a scan of /proc for our process group (for a launcher's exit, and for stop).
   */
  rescan(now: number, full = false): void {
    this.lastRescan = now;
    const allThreads = full || this.allThreadsDue(now);
    if (allThreads) this.allThreadsSlot = Math.floor(now / ALL_THREADS_EVERY_MS);
    const all = allThreads ? processIndex(now) : null;
    const queue = [...this.members.values()].filter((m) => m.alive).map((m) => m.pid);
    const seen = new Set<number>(queue);
    while (queue.length > 0) {
      const pid = queue.shift()!;
      for (const child of all ? (all.children.get(pid) ?? []) : this.mainThreadChildren(pid)) {
        if (seen.has(child)) continue;
        seen.add(child);
        // A child born since the last rescan counts from its start; it is younger than the rescan interval.
        const m = this.addMember(child, true);
        if (m) queue.push(child);
      }
    }
    if (full) {
      // A process-group id stays taken while any member lives; if its leader's PID now
      // belongs to a different process, the group we knew is gone.
      const leader = readPidStat(this.pgid);
      if (leader && this.pgid === this.rootPid && leader.startTime !== this.rootStartTime) return;
      for (const stat of all!.stats) {
        if (stat.pgid === this.pgid && !this.members.has(stat.pid) && isAliveStat(stat)) this.addMember(stat.pid, false);
      }
    }
  }

  /** Every ALL_THREADS_EVERY_MS, on a clock all trees share: the trees of one tick then read one process index. */
  private allThreadsDue(now: number): boolean {
    return Math.floor(now / ALL_THREADS_EVERY_MS) !== this.allThreadsSlot;
  }

  /** Children of a member's main thread, from its held-open file (open/read/close for a PID not a member). */
  private mainThreadChildren(pid: number): number[] {
    const m = this.members.get(pid);
    if (!m) return childrenOf(pid);
    m.children ??= new ProcFile(`/proc/${pid}/task/${pid}/children`);
    const text = m.children.read();
    return text ? parseChildren(text) : [];
  }

  /** Reads every member's stat; call once per tick. */
  read(now: number, rescanEveryMs: number): TreeReading {
    if (now - this.lastRescan >= rescanEveryMs || this.allThreadsDue(now)) this.rescan(now);
    let delta = 0;
    let rss = 0;
    let processes = 0;
    for (const m of this.members.values()) {
      const n = m.file.readRaw();
      if (n <= 0 || !parseStatTimes(buffer, n, times) || times.state === ZOMBIE || times.state === DEAD) {
        // Gone (or a zombie): its time moves to the parent's cutime when reaped; don't count it twice.
        const parent = this.members.get(m.ppid);
        if (parent && parent.alive) {
          parent.owed += m.ticks;
          parent.owedSince = now;
        }
        m.alive = false;
        m.file.close();
        m.children?.close();
        this.members.delete(m.pid);
        continue;
      }
      const total = times.ticks;
      let grown = Math.max(0, total - m.ticks);
      if (m.owed > 0) {
        const paid = Math.min(m.owed, grown);
        grown -= paid;
        m.owed = now - m.owedSince > OWED_EXPIRY_MS ? 0 : m.owed - paid;
      }
      delta += grown;
      m.ticks = total;
      m.rssPages = times.rssPages;
      rss += times.rssPages * PAGE_SIZE;
      processes++;
    }
    this.lastReadAt = performance.now();
    return { deltaTicks: delta, rssBytes: rss, processes };
  }

  /** Live member PIDs, as last seen. */
  pids(): number[] {
    return [...this.members.values()].filter((m) => m.alive).map((m) => m.pid);
  }

  /** Re-checks liveness of every member now (for stop and exit handling). */
  aliveNow(): number[] {
    const out: number[] = [];
    for (const m of this.members.values()) {
      const stat = readPidStat(m.pid);
      if (isAliveStat(stat) && stat.startTime === m.startTime) out.push(m.pid);
    }
    return out;
  }

  close(): void {
    for (const m of this.members.values()) {
      m.file.close();
      m.children?.close();
    }
    this.members.clear();
  }
}
