import { describe, expect, it } from 'vitest';
import { busyPercent, parseChildren, parseCpuStat, parseDiskstats, parseMeminfo, parseNetDev, parsePidStat, parseStatTimes, type StatTimes } from '../../electron/core/proc/parse';
import { RingLog } from '../../electron/core/ring-log';

// Captured from this machine's /proc (Linux 6.x), trimmed.
const STAT = '5096 (sleep) S 5085 5082 1117 0 -1 4194304 93 0 0 0 12 3 4 5 20 0 1 0 1234567 2347008 131 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
const STAT_WEIRD = '77 (Game (Win64) x) R 1 77 77 0 -1 4194304 93 0 0 0 700 300 10 20 20 0 9 0 999 2347008 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

describe('/proc parsers', () => {
  it.each([
    [STAT, { pid: 5096, comm: 'sleep', state: 'S', ppid: 5085, pgid: 5082, utime: 12, stime: 3, cutime: 4, cstime: 5, startTime: 1234567, rssPages: 131 }],
    [STAT_WEIRD, { pid: 77, comm: 'Game (Win64) x', state: 'R', ppid: 1, pgid: 77, utime: 700, stime: 300, startTime: 999, rssPages: 2048 }],
  ])('parses pid stat %#', (text, expected) => {
    expect(parsePidStat(text)).toMatchObject(expected);
  });
  it('rejects torn stat lines', () => {
    expect(parsePidStat('12 (x) S 1 2')).toBeNull();
    expect(parsePidStat('')).toBeNull();
  });
  // The per-tick parser reads the bytes in place: it must agree with parsePidStat on every line.
  const timesOf = (text: string): StatTimes | null => {
    const bytes = Buffer.from(text + '\n', 'latin1');
    const out: StatTimes = { state: 0, ticks: -1, rssPages: -1 };
    return parseStatTimes(bytes, bytes.length, out) ? out : null;
  };
  it.each([STAT, STAT_WEIRD, STAT.replace(' 4 5 20 ', ' -4 5 20 ')])('reads the tick fields of pid stat %# from bytes as parsePidStat does', (text) => {
    const s = parsePidStat(text)!;
    expect(timesOf(text)).toEqual({ state: s.state.charCodeAt(0), ticks: s.utime + s.stime + s.cutime + s.cstime, rssPages: s.rssPages });
  });
  it.each(['12 (x) S 1 2', '', '12 (x)', '12 (x) S 1 2 3 4 5 6 7 8 9 10 1x 3 4 5 20 0 1 0 99 2347008 131 0'])('rejects torn or damaged stat bytes %#', (text) => {
    expect(timesOf(text)).toBeNull();
  });
  it('reads only the bytes it is given (the buffer is shared and holds older, longer reads)', () => {
    const bytes = Buffer.from(STAT + ' ' + STAT, 'latin1');
    const out: StatTimes = { state: 0, ticks: 0, rssPages: 0 };
    expect(parseStatTimes(bytes, 40, out)).toBe(false);
  });
  it('parses /proc/stat and computes busy share', () => {
    const a = parseCpuStat('cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 400 0 0 0 0 0 0\nintr 1 2\n')!;
    const b = parseCpuStat('cpu  250 0 150 900 0 0 0 0 0 0\ncpu0 150 0 100 450 0 0 0 0 0 0\ncpu1 100 0 50 450 0 0 0 0 0 0\n')!;
    expect(a.cores).toHaveLength(2);
    expect(busyPercent(a.all, b.all)).toBeCloseTo(66.67, 1);
    expect(busyPercent(a.cores[0]!, b.cores[0]!)).toBeCloseTo(75, 5);
    expect(busyPercent(a.all, a.all)).toBeNull();
  });
  it('parses meminfo with and without MemAvailable', () => {
    expect(parseMeminfo('MemTotal:       2048000 kB\nMemFree:  100 kB\nMemAvailable:   1024000 kB\n')).toEqual({ totalMB: 2000, usedMB: 1000 });
    expect(parseMeminfo('MemTotal: 1024 kB\nMemFree: 512 kB\nBuffers: 0 kB\nCached: 0 kB\n')).toEqual({ totalMB: 1, usedMB: 0.5 });
    expect(parseMeminfo('garbage')).toBeNull();
  });
  it('sums network bytes without loopback', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 9999999    100    0    0    0     0          0         0 9999999     100    0    0    0     0       0          0
  eth0: 1000    10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0
  eth1: 500    10    0    0    0     0          0         0     500      20    0    0    0     0       0          0`;
    expect(parseNetDev(text)).toEqual({ rxBytes: 1500, txBytes: 2500 });
  });
  it('counts whole disks only', () => {
    const text = ` 253       0 vda 100 0 10 0 200 0 20 0 0 0 0
 253       1 vda1 100 0 10 0 200 0 20 0 0 0 0
   7       0 loop0 5 0 999 0 0 0 0 0 0 0 0
 259       0 nvme0n1 1 0 2 0 3 0 4 0 0 0 0
 259       1 nvme0n1p1 1 0 2 0 3 0 4 0 0 0 0`;
    expect(parseDiskstats(text)).toEqual({ readBytes: (10 + 2) * 512, writeBytes: (20 + 4) * 512 });
  });
  it('parses children lists', () => {
    expect(parseChildren('12 13 14 ')).toEqual([12, 13, 14]);
    expect(parseChildren('')).toEqual([]);
  });
});

describe('ring log', () => {
  it('keeps the last lines and cuts long ones', () => {
    const log = new RingLog(3, 10);
    log.write('stdout', 'a\nb\r\nc\nd\n');
    log.write('stderr', 'x'.repeat(25));
    expect(log.tail(3)).toEqual(['c', 'd', 'xxxxxxxxxxxxxxxxxxxxxxxxx'.slice(0, 10) + ' …']);
    expect(log.dropped).toBe(2);
    log.write('stdout', 'partial');
    log.flush();
    expect(log.tail(1)).toEqual(['partial']);
  });
});
