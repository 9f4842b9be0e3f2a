// Pure parsers for Linux /proc files. Kept apart from the reading so they can be
// tested table-driven against captured text.

export interface PidStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  /** Clock ticks. */
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  /** Clock ticks since boot: with the pid, identifies a process across PID reuse. */
  startTime: number;
  rssPages: number;
}

/**
 * Parses /proc/<pid>/stat. The command name may hold spaces and parentheses, so the
 * fields start after the last ')'. Walks the fields with indexOf instead of split:
 * this runs for every process of every tree on every tick.
 */
export function parsePidStat(text: string): PidStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // Field numbers as in proc(5): 3 = state, 4 = ppid, … 24 = rss.
  const want = [4, 5, 14, 15, 16, 17, 22, 24];
  const got: number[] = [];
  let pos = close + 2;
  let field = 3;
  const state = text.charAt(pos);
  for (let w = 0; w < want.length;) {
    const end = text.indexOf(' ', pos);
    if (end < 0) return null; // torn: rss is never the last field
    if (field === want[w]) {
      got.push(Number(text.slice(pos, end)));
      w++;
    }
    pos = end + 1;
    field++;
  }
  const [ppid, pgid, utime, stime, cutime, cstime, startTime, rssPages] = got as [number, number, number, number, number, number, number, number];
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isFinite(pid) || !Number.isFinite(utime) || !Number.isFinite(startTime)) return null;
  return { pid, comm: text.slice(open + 1, close), state, ppid, pgid, utime, stime, cutime, cstime, startTime, rssPages };
}

/** What each tick needs of a tree member's /proc/<pid>/stat. */
export interface StatTimes {
  /** The state letter's char code ('R' = 82, 'Z' = 90…). */
  state: number;
  /** utime + stime + cutime + cstime, clock ticks. */
  ticks: number;
  rssPages: number;
}

const SPACE = 32;
const CLOSE_PAREN = 41;
const MINUS = 45;
const ZERO = 48;

/**
 * parsePidStat for the per-tick read, written by hand on the bytes: it runs for every
 * member of every tree each second, and going through a string cost a latin1 copy, a
 * slice per field and three objects per process (with 16 two-process trees, 32 strings
 * of ~300 bytes and ~400 small allocations a tick, most of the young-generation churn).
 * Fills `out` and returns true; false on a torn or unreadable line.
 */
export function parseStatTimes(buf: Uint8Array, len: number, out: StatTimes): boolean {
  let close = len - 1;
  while (close >= 0 && buf[close] !== CLOSE_PAREN) close--;
  if (close < 0 || close + 2 >= len) return false;
  let pos = close + 2;
  out.state = buf[pos]!;
  let ticks = 0;
  // Field numbers as in proc(5): 3 = state, 14-17 = utime stime cutime cstime, 24 = rss.
  for (let field = 3; field <= 24; field++) {
    let end = pos;
    while (end < len && buf[end] !== SPACE) end++;
    if (end >= len) return false; // torn: rss is never the last field
    if (field >= 14 && field <= 17) ticks += decimalAt(buf, pos, end);
    else if (field === 24) out.rssPages = decimalAt(buf, pos, end);
    pos = end + 1;
  }
  if (!Number.isFinite(ticks) || !Number.isFinite(out.rssPages)) return false;
  out.ticks = ticks;
  return true;
}

/** The decimal integer in buf[from, to); NaN when it is not one. */
function decimalAt(buf: Uint8Array, from: number, to: number): number {
  let k = from;
  const negative = buf[k] === MINUS;
  if (negative) k++;
  if (k >= to) return NaN;
  let n = 0;
  for (; k < to; k++) {
    const d = buf[k]! - ZERO;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

export interface CpuTimes {
  /** All ticks. */
  total: number;
  /** Idle + iowait ticks. */
  idle: number;
}

/** Parses /proc/stat into the aggregate line and one entry per core. */
export function parseCpuStat(text: string): { all: CpuTimes; cores: CpuTimes[] } | null {
  let all: CpuTimes | null = null;
  const cores: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) {
      if (all) break; // the cpu lines come first
      continue;
    }
    const parts = line.split(/\s+/);
    // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user/nice]
    const v = parts.slice(1, 9).map(Number);
    const total = v.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
    const times = { total, idle: (v[3] ?? 0) + (v[4] ?? 0) };
    if (parts[0] === 'cpu') all = times;
    else cores.push(times);
  }
  return all ? { all, cores } : null;
}

/** Busy share 0-100 between two readings; null when no time passed. */
export function busyPercent(prev: CpuTimes, cur: CpuTimes): number | null {
  const dt = cur.total - prev.total;
  if (dt <= 0) return null;
  const busy = dt - (cur.idle - prev.idle);
  return Math.min(100, Math.max(0, (busy / dt) * 100));
}

const MEMINFO_KEYS = ['MemTotal', 'MemAvailable', 'MemFree', 'Buffers', 'Cached'] as const;
const MEMINFO_RE = Object.fromEntries(MEMINFO_KEYS.map((k) => [k, new RegExp(`^${k}:\\s+(\\d+)`, 'm')])) as Record<(typeof MEMINFO_KEYS)[number], RegExp>;

/** Parses /proc/meminfo: total and used (total - available) in MB. */
export function parseMeminfo(text: string): { totalMB: number; usedMB: number } | null {
  const kb = (key: (typeof MEMINFO_KEYS)[number]) => {
    const m = MEMINFO_RE[key].exec(text);
    return m ? Number(m[1]) : null;
  };
  const total = kb('MemTotal');
  let available = kb('MemAvailable');
  if (available === null) {
    const free = kb('MemFree');
    available = free === null ? null : free + (kb('Buffers') ?? 0) + (kb('Cached') ?? 0);
  }
  if (total === null || available === null) return null;
  return { totalMB: total / 1024, usedMB: (total - available) / 1024 };
}

/** Parses /proc/net/dev: byte counters summed over every interface but loopback. */
export function parseNetDev(text: string): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo') continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (f.length < 9) continue;
    rxBytes += Number(f[0]) || 0;
    txBytes += Number(f[8]) || 0;
  }
  return { rxBytes, txBytes };
}

const DISKSTATS_LINE = /^[ \t]*\S+[ \t]+\S+[ \t]+(\S+)[ \t]+\S+[ \t]+\S+[ \t]+(\S+)[ \t]+\S+[ \t]+\S+[ \t]+\S+[ \t]+(\S+)/gm;

/** Parses /proc/diskstats: sectors (512 B) read and written, summed over whole disks (not partitions, not loop/ram). */
export function parseDiskstats(text: string): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  // One pass of one regex over the text, read every tick: splitting each of its ~20 lines
  // into ~20 fields was a tenth of a tick's allocation. Fields: major minor name reads
  // merged sectors-read ms writes merged sectors-written …
  DISKSTATS_LINE.lastIndex = 0;
  for (let m = DISKSTATS_LINE.exec(text); m; m = DISKSTATS_LINE.exec(text)) {
    const name = m[1]!;
    if (/^(loop|ram|zram|dm-|md|sr)/.test(name)) continue;
    // Partitions: sda1, vda2, nvme0n1p1, mmcblk0p1.
    if (/^(sd|vd|hd|xvd)[a-z]+\d+$/.test(name) || /^(nvme\d+n\d+|mmcblk\d+)p\d+$/.test(name)) continue;
    readBytes += (Number(m[2]) || 0) * 512;
    writeBytes += (Number(m[3]) || 0) * 512;
  }
  return { readBytes, writeBytes };
}

/** Parses a /proc/<pid>/task/<tid>/children file: space-separated PIDs. */
export function parseChildren(text: string): number[] {
  const out: number[] = [];
  for (const s of text.split(' ')) {
    if (s.length === 0) continue;
    const n = Number(s);
    if (Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}
