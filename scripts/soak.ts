// npm run soak [-- --minutes N] [-- --no-tests]
//
// The long versions of the reliability tests, then a long run with figures:
//   1. the fuzz and kill tests with their counts raised: API and IPC fuzz 60 s per interface,
//      5000 raw-HTTP cases per listener, 10000 CLI cases per command, 1000 journal
//      replays, 500 kill -9 cycles;
//   2. --minutes N (default 10; 0 skips it): the agent as a user runs it
//      (`streamcap agent`, sampling at 1 Hz) with 16 instances of the cpu-load workload
//      (--load, 2 % of a core each by default), the web console open in Chromium,
//      visitors simulated (admission.simulate) and a light churn of real people joining
//      and leaving over HTTP and their sockets. Every minute, from its /metrics
//      (prom-client's process metrics): its RSS and heap, and the event-loop delay p99
//      of that minute; at the end the growth per hour after the first 10 minutes (a
//      least-squares slope) and the worst minute's p99. Targets: < 5 MB/h, < 50 ms.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { WebSocket } from 'ws';
import { ensureUiBuilt } from '../electron/server/ui-build';
import type { AdmissionSnapshot } from '../shared/admission-rules';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'no-tests': { type: 'boolean', default: false },
    instances: { type: 'string', default: '16' },
    load: { type: 'string', default: '2' },
    'no-console': { type: 'boolean', default: false },
    // Where the agent writes heap snapshots (kill -USR2 <agent pid>) and, with --cpu-prof, a CPU profile at its exit: to find a leak or a stall.
    'profile-dir': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    // Extra Node/V8 flags for the agent (repeatable), to compare heap settings: --node-flag=--optimize-for-size.
    'node-flag': { type: 'string', multiple: true, default: [] },
  },
});
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes < 0) {
  console.error(`--minutes must be a number of minutes (0 skips the long run), got "${values.minutes}".`);
  process.exit(2);
}
const INSTANCES = Number(values.instances);
const LOAD = Number(values.load);
if (!Number.isInteger(INSTANCES) || INSTANCES < 0 || INSTANCES > 64 || !(LOAD >= 0 && LOAD <= 100)) {
  console.error(`--instances must be 0–64 and --load 0–100 (% of one core per instance), got ${values.instances} and ${values.load}.`);
  process.exit(2);
}
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
let failed = false;

if (!values['no-tests']) {
  const env = { ...process.env, FUZZ_API_MS: '60000', FUZZ_RAW_RUNS: '5000', FUZZ_CLI_RUNS: '10000', FUZZ_REPLAY_RUNS: '1000', KILL_CYCLES: '500' };
  const files = [
    'test/agent/api-fuzz.test.ts',
    'test/main/ipc-fuzz.test.ts',
    'test/agent/raw-http-fuzz.test.ts',
    'test/cli/flags-fuzz.test.ts',
    'test/core/journal.test.ts',
    'test/agent/kill-anywhere.test.ts',
  ];
  console.log(
    `soak: ${files.join(' ')} with ${Object.entries(env)
      .filter(([k]) => /^(FUZZ|KILL)_/.test(k))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...files, '--testTimeout', '14400000', '--hookTimeout', '600000'], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed = true;
}

if (minutes > 0) failed = (await longRun(minutes)) || failed;
process.exit(failed ? 1 : 0);

/** The agent as a user starts it: `streamcap agent`, its own data folder, the waiting room on a second loopback listener. */
async function startRealAgent(home: string): Promise<{ proc: ChildProcess; base: string; token: string; sessions: string; output: () => string }> {
  const dir = values['profile-dir'] ? path.resolve(values['profile-dir']) : null;
  const extra = values['node-flag'] ?? [];
  const prof = dir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`, ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', dir] : [])] : [];
  // Run the bin itself, as the `streamcap` command does: its shebang gives Node the
  // agent's heap flags (--max-semi-space-size=2). With profiling or extra flags, Node is named.
  const bin = path.join(ROOT, 'bin/streamcap.js');
  const [cmd, pre] = prof.length || extra.length ? [process.execPath, [...prof, ...extra, '--max-semi-space-size=2', bin]] : [bin, []];
  const proc = spawn(cmd, [...pre, 'agent', '--port', '0', '--interval', '1000', '--sessions-host', '127.0.0.1', '--sessions-port', '0', '--sessions-per-address', '10000'], {
    env: { ...process.env, STREAMCAP_HOME: home, STREAMCAP_NO_GPU: '1', STREAMCAP_LOCALE: 'en-US' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out = (out + d).slice(-200_000)));
  proc.stderr!.on('data', (d) => (out = (out + d).slice(-200_000)));
  const urls = await new Promise<{ base: string; token: string; sessions: string }>((resolve, reject) => {
    const look = () => {
      const c = /Web console: (http:\/\/\S+?)\/#token=(\S+)/.exec(out);
      const w = /Waiting room: (http:\/\/\S+?)\/wait/.exec(out);
      if (c && w) {
        proc.stdout!.off('data', look);
        resolve({ base: c[1]!, token: c[2]!, sessions: w[1]! });
      }
    };
    proc.stdout!.on('data', look);
    proc.once('exit', (code) => reject(new Error(`the agent exited (${code}) before listening:\n${out}`)));
  });
  return { proc, ...urls, output: () => out };
}

/**
 * The machine's own share of the delay: an idle Node process beside the agent, at the same
 * nice level, with the same event-loop histogram (100 ms timer). On a shared machine the
 * scheduler alone delays a process's timers; what the agent adds is its p99 above this one.
 */
function startControl(): { read: () => Promise<number>; stop: () => void } {
  const code = `const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 100 }); h.enable();
process.stdin.on('data', () => { process.stdout.write(JSON.stringify(Math.max(0, h.percentile(99) / 1e6 - 100)) + '\\n'); h.reset(); });`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const waiting: ((v: number) => void)[] = [];
  proc.stdout!.on('data', (d) => {
    buf += d;
    for (let k = buf.indexOf('\n'); k >= 0; k = buf.indexOf('\n')) {
      const line = buf.slice(0, k);
      buf = buf.slice(k + 1);
      waiting.shift()?.(Number(line));
    }
  });
  return {
    read: () =>
      new Promise<number>((resolve) => {
        waiting.push(resolve);
        proc.stdin!.write('\n');
      }),
    stop: () => proc.kill('SIGKILL'),
  };
}

/** One figure of a Prometheus text scrape (an unlabelled series). */
function series(text: string, name: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? Number(line.slice(name.length + 1)) : null;
}

function sign(x: number, digits = 2): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}

/** Least-squares slope of y over x. */
function slope(pts: { x: number; y: number }[]): number {
  const n = pts.length;
  if (n < 2) return NaN;
  const mx = pts.reduce((a, p) => a + p.x, 0) / n;
  const my = pts.reduce((a, p) => a + p.y, 0) / n;
  const sxx = pts.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxx === 0 ? NaN : pts.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
}

async function longRun(mins: number): Promise<boolean> {
  // Built here, not by the agent on its first start: a Vite build inside it would leave its RSS some 350 MB higher from the first minute.
  await ensureUiBuilt((m) => console.log(`soak: ${m}`));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-soak-'));
  const agent = await startRealAgent(home);
  const child = agent.proc;
  const pid = child.pid!;
  const auth = { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' };
  const call = async (name: string, body: unknown = {}): Promise<unknown> => {
    const r = await fetch(`${agent.base}/api/v1/commands/${name}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    const j = (await r.json()) as { data?: unknown; error?: { message: string } };
    if (!r.ok || j.error) throw new Error(`${name}: ${r.status} ${j.error?.message ?? ''}`);
    return j.data;
  };
  const scrape = async () => {
    const r = await fetch(`${agent.base}/metrics`, { headers: auth });
    if (!r.ok) throw new Error(`/metrics answered ${r.status}`);
    return r.text();
  };
  let browser: Browser | null = null;
  const consoleErrors: string[] = [];
  let failed = false;
  let stopControl = () => {};
  try {
    // 16 instances of the cpu-load workload, a small share of a core each (2 cores must carry them and the rest).
    await call('profiles.save', {
      id: 'soak',
      name: 'Soak: cpu-load',
      exe: process.execPath,
      args: [path.join(ROOT, 'electron/core/workloads/cpu-load.mjs'), '--load', String(LOAD), '--name', 'soak{n}'],
      staggerSec: 0,
    });
    if (INSTANCES > 0) await call('instances.launch', { profileId: 'soak', count: INSTANCES });
    const running = async () => ((await call('instances.list')) as { state: string }[]).filter((i) => i.state === 'running').length;
    for (const t = Date.now(); (await running()) < INSTANCES;) {
      if (Date.now() - t > 120_000) throw new Error(`only ${await running()} of ${INSTANCES} instances running after 2 min`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Seats from the running instances; simulated visitors arriving and leaving all the time.
    await fetch(`${agent.base}/api/v1/admission`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ seatsFrom: 'instances', spectatorsPerInstance: 2, policy: 'open', heartbeatTimeoutSec: 60 }),
    });
    await call('admission.simulate', { running: true, arrivalsPerMin: 60, meanSessionSec: 60, operateShare: 0.3 });

    // The console, open in Chromium the whole time (loopback only).
    if (!values['no-console']) {
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
      page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text().slice(0, 300)));
      page.on('pageerror', (e) => consoleErrors.push(e.message.slice(0, 300)));
      await page.goto(`${agent.base}/#token=${agent.token}`);
      await page.getByTestId('connection').and(page.locator('[data-state="open"]')).waitFor({ timeout: 60_000 });
    }

    // The admin socket: every 1 Hz sample carries the agent's event-loop p99 of that second.
    let worstSecond = 0;
    const admin = new WebSocket(`${agent.base.replace(/^http/, 'ws')}/api/v1/events`, ['streamcap.v1', `streamcap-token.${agent.token}`]);
    admin.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { event?: { type: string; data: { loopDelayP99Ms?: number | null } } };
      if (m.event?.type === 'sample') worstSecond = Math.max(worstSecond, m.event.data.loopDelayP99Ms ?? 0);
    });
    admin.on('error', () => undefined);

    // A light churn of real people (within the per-address rate limit): a join every
    // 500 ms, a third holding a socket, the others heard from every 20 s; 100 in line at most.
    const sessionsApi = `${agent.sessions}/api/v1/sessions`;
    const inLine: { id: string; ws: WebSocket | null; seen: number }[] = [];
    let joins = 0;
    let errors = 0;
    let busy = false;
    const churn = setInterval(() => {
      if (busy) return; // a slow round never overlaps the next
      busy = true;
      void (async () => {
        const r = await fetch(sessionsApi, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Soak ${joins}`, want: joins % 3 ? 'any' : 'operate' }),
        }).catch(() => null);
        if (r?.status === 201) {
          const { id } = (await r.json()) as { id: string };
          const ws = joins++ % 3 === 0 ? new WebSocket(`${agent.sessions.replace(/^http/, 'ws')}/api/v1/sessions/${id}/socket`) : null;
          ws?.on('error', () => undefined);
          inLine.push({ id, ws, seen: Date.now() });
        } else errors++;
        while (inLine.length > 100) {
          const gone = inLine.shift()!;
          gone.ws?.close();
          const d = await fetch(`${sessionsApi}/${gone.id}`, { method: 'DELETE' }).catch(() => null);
          // 404: the admin's side (the simulation's churn of seats) may have ended it already.
          if (!d || (d.status >= 300 && d.status !== 404)) errors++;
        }
        for (const p of inLine) {
          if (p.ws || Date.now() - p.seen < 20_000) continue;
          p.seen = Date.now();
          const h = await fetch(`${sessionsApi}/${p.id}`).catch(() => null);
          if (!h || h.status >= 500) errors++;
        }
      })().finally(() => (busy = false));
    }, 500);

    type Row = {
      min: number;
      rss: number;
      heap: number;
      heapTotal: number;
      external: number;
      fds: number;
      p99: number;
      control: number;
      cpu: number;
      worstSecond: number;
      people: number;
      running: number;
    };
    const rows: Row[] = [];
    const machine = startControl();
    stopControl = machine.stop;
    let lastCpu = 0;
    let lastAt = Date.now();
    const row = async (min: number): Promise<Row> => {
      const [text, control] = await Promise.all([scrape(), machine.read()]);
      const lagP99 = series(text, 'nodejs_eventloop_lag_p99_seconds');
      const cpuSec = series(text, 'process_cpu_seconds_total') ?? NaN;
      const adm = (await call('admission.get')) as AdmissionSnapshot;
      const r: Row = {
        min,
        rss: (series(text, 'process_resident_memory_bytes') ?? NaN) / 2 ** 20,
        heap: (series(text, 'nodejs_heap_size_used_bytes') ?? NaN) / 2 ** 20,
        // RSS less these two is what the heap does not hold: native allocations, stacks, the code, malloc's free lists.
        heapTotal: (series(text, 'nodejs_heap_size_total_bytes') ?? NaN) / 2 ** 20,
        external: (series(text, 'nodejs_external_memory_bytes') ?? NaN) / 2 ** 20,
        fds: series(text, 'process_open_fds') ?? NaN,
        // The histogram's timer interval (100 ms) is in every figure: what is left is the delay.
        p99: lagP99 == null ? NaN : Math.max(0, lagP99 * 1000 - 100),
        control,
        // The agent's CPU time in the minute, as a share of one core.
        cpu: ((cpuSec - lastCpu) / Math.max(1e-3, (Date.now() - lastAt) / 1000)) * 100,
        worstSecond,
        // Seated and watching from the snapshot, the line from its total (the snapshot pages the line).
        people: adm.seats.reduce((a, x) => a + (x.operator ? 1 : 0) + x.spectators.length, 0) + adm.queueTotal,
        running: await running(),
      };
      worstSecond = 0;
      lastCpu = cpuSec;
      lastAt = Date.now();
      return r;
    };
    await scrape(); // starts the first minute's event-loop histogram afresh
    const start = await row(0);
    const t0 = Date.now();
    console.log(
      `\nsoak: ${mins} min, agent pid ${pid}: ${INSTANCES} instances at ${LOAD} % of a core, sampled at 1 Hz; console ${browser ? 'open in Chromium' : 'not open'}; visitors simulated; a join every 500 ms${(values['node-flag'] ?? []).length ? `; agent flags ${values['node-flag']!.join(' ')}` : ''}`,
    );
    console.log(`  start: RSS ${start.rss.toFixed(1)} MB, heap ${start.heap.toFixed(1)} MB, ${start.fds} open files`);
    console.log('   min   RSS MB   heap MB   heap total MB   external MB   open files   CPU %   loop p99 ms (minute)   idle process beside it   worst second   people   running');
    for (let m = 1; m <= mins; m++) {
      const due = t0 + m * 60_000;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the agent exited (${child.exitCode ?? child.signalCode}) in minute ${m}:\n${agent.output().slice(-3000)}`);
      const r = await row((Date.now() - t0) / 60_000);
      rows.push(r);
      console.log(
        `  ${r.min.toFixed(1).padStart(4)}   ${r.rss.toFixed(1).padStart(6)}   ${r.heap.toFixed(1).padStart(7)}   ${r.heapTotal.toFixed(1).padStart(13)}   ${r.external.toFixed(1).padStart(11)}   ${String(r.fds).padStart(10)}   ${r.cpu.toFixed(1).padStart(5)}   ${r.p99.toFixed(1).padStart(20)}   ${r.control.toFixed(1).padStart(22)}   ${r.worstSecond.toFixed(1).padStart(12)}   ${String(r.people).padStart(6)}   ${String(r.running).padStart(7)}`,
      );
    }
    clearInterval(churn);
    for (const p of inLine) p.ws?.terminate();
    admin.terminate();

    const end = rows.at(-1) ?? start;
    // Growth after the first 10 minutes (a third of a shorter run): the slope of a least-squares line, per hour.
    const warm = mins >= 20 ? 10 : mins / 3;
    const after = rows.filter((r) => r.min >= warm);
    const rssPerH = slope(after.map((r) => ({ x: r.min / 60, y: r.rss })));
    const heapPerH = slope(after.map((r) => ({ x: r.min / 60, y: r.heap })));
    const fdsPerH = slope(after.map((r) => ({ x: r.min / 60, y: r.fds })));
    const worst = rows.reduce((w, r) => (r.p99 > w.p99 ? r : w), rows[0] ?? start);
    const worstSec = Math.max(0, ...rows.map((r) => r.worstSecond));
    const lost = rows.filter((r) => r.running < INSTANCES).length;
    console.log(`  end:   RSS ${end.rss.toFixed(1)} MB, heap ${end.heap.toFixed(1)} MB, ${end.fds} open files`);
    // Memory a collector frees comes and goes in a sawtooth (V8 returns pages to the system
    // minutes apart): what stays is the floor. The lowest reading of the second half against
    // the first half's, per hour between the halves' middles; the slope is printed beside it.
    const floorPerH = (key: 'rss' | 'heap') => {
      const half = Math.floor(after.length / 2);
      const a = after.slice(0, half);
      const b = after.slice(half);
      if (!a.length || !b.length) return NaN;
      const mid = (xs: Row[]) => xs.reduce((t, r) => t + r.min, 0) / xs.length;
      return (Math.min(...b.map((r) => r[key])) - Math.min(...a.map((r) => r[key]))) / ((mid(b) - mid(a)) / 60);
    };
    const rssFloor = floorPerH('rss');
    const heapFloor = floorPerH('heap');
    const ok = {
      rss: rssFloor < 5,
      heap: heapFloor < 5,
      p99: rows.every((r) => r.p99 < 50),
    };
    console.log(
      `soak: RSS ${start.rss.toFixed(1)} → ${end.rss.toFixed(1)} MB, heap ${start.heap.toFixed(1)} → ${end.heap.toFixed(1)} MB; ` +
        `after minute ${warm.toFixed(0)}: growth of the floor (lowest reading, second half vs first) RSS ${sign(rssFloor)} MB/h (${ok.rss ? 'under' : 'OVER'} 5), heap ${sign(heapFloor)} MB/h (${ok.heap ? 'under' : 'OVER'} 5); least-squares slope RSS ${sign(rssPerH)} MB/h, heap ${sign(heapPerH)} MB/h, open files ${sign(fdsPerH, 1)}/h; ` +
        `event-loop p99: worst minute ${worst.p99.toFixed(1)} ms at minute ${worst.min.toFixed(0)} (${ok.p99 ? 'under' : 'OVER'} 50; an idle process beside it ${worst.control.toFixed(1)} ms that minute, ${Math.max(0, ...rows.map((r) => r.control)).toFixed(1)} ms at worst), worst second ${worstSec.toFixed(1)} ms; agent CPU ${(rows.reduce((a, r) => a + r.cpu, 0) / Math.max(1, rows.length)).toFixed(1)} % of a core on average; load average ${os.loadavg()[0]!.toFixed(1)} at the end; ` +
        `${joins} joins, ${errors} failed requests, ${lost} minutes with an instance down, ${consoleErrors.length} console errors${consoleErrors.length ? `: ${consoleErrors.slice(0, 3).join(' | ')}` : ''}`,
    );
    failed = !(ok.rss && ok.heap && ok.p99 && errors === 0 && lost === 0 && consoleErrors.length === 0);
  } finally {
    stopControl();
    await browser?.close().catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    }
  }
  return failed;
}
