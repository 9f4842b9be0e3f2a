// The GPU readers as processes: one long-running reader each, restarted with a
// backoff, killed when it hangs; nvidia-smi replaced by a script that replays the
// real recordings (no GPU here); a fake sysfs folder for AMD; and the sampler
// attributing pmon's per-process rows to instances through their process trees.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Core } from '../../electron/core/core';
import { LineProcess } from '../../electron/core/gpu/line-process';
import { NvidiaSmiReader, PmonReader } from '../../electron/core/gpu/nvidia-reader';
import { openGpuSource } from '../../electron/core/gpu/open';
import { NO_PER_PROCESS, type GpuSource } from '../../electron/core/gpu/source';
import { findBusyPercentCards, SysfsGpuReader } from '../../electron/core/gpu/sysfs-reader';
import { adaptersToDevices, counterScript, WINDOWS_COUNTERS } from '../../electron/core/gpu/windows-counters-reader';
import { parsePdhCsv, summarizeWindowsGpu } from '../../shared/gpu/windows-counters';
import { CPU_LOAD, groupPids, NODE, profile, ROOT, sleep, tmpDir, waitFor } from '../helpers';
import { internals } from '../core-internals';

const FAKE_SMI = path.join(ROOT, 'test/core/fake-nvidia-smi.mjs');
fs.chmodSync(FAKE_SMI, 0o755);

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const k of ['FAKE_SMI_OLD', 'FAKE_SMI_HANG_AFTER', 'FAKE_SMI_PIDS', 'FAKE_SMI_QUERY']) delete process.env[k];
});
function track<T extends { close(): void }>(x: T): T {
  cleanups.push(() => x.close());
  return x;
}

/** A node one-liner as a reader process. */
const script = (code: string) => ['-e', code];

describe('LineProcess', () => {
  it('hands on whole lines, however the output is chunked', async () => {
    const got: string[] = [];
    // The printer's own timing: a line split across two writes 50 ms apart, then it stays alive.
    track(
      new LineProcess({
        name: 'printer',
        exe: NODE,
        args: script("process.stdout.write('a,1\\nb,'); setTimeout(() => process.stdout.write('2\\r\\nc'), 50); setTimeout(() => {}, 5000)"),
        stallMs: 5000,
        onLines: (l) => got.push(...l),
      }),
    );
    await waitFor(() => got.length >= 2, 'two lines');
    // Proving a negative: the unfinished 'c' (written with '2\r\n') is not handed on as a line later.
    await sleep(100);
    expect(got).toEqual(['a,1', 'b,2']);
  });

  it('starts it again after it exits, with a backoff, and says why in the meantime', async () => {
    const lines: string[] = [];
    const p = track(
      new LineProcess({
        name: 'quitter',
        exe: NODE,
        args: script("console.log('hi'); console.error('driver went away'); process.exit(3)"),
        stallMs: 5000,
        backoffMs: 100,
        onLines: (l) => lines.push(...l),
      }),
    );
    await waitFor(() => p.starts >= 3, 'three starts', 5000);
    expect(lines.filter((l) => l === 'hi').length).toBeGreaterThanOrEqual(2);
    await waitFor(() => p.problem, 'a problem');
    expect(p.problem).toMatch(/^quitter exited \(code 3\): driver went away$/);
  });

  it('says so when the program does not exist, and keeps trying', async () => {
    const p = track(new LineProcess({ name: 'nvidia-smi', exe: '/nonexistent/nvidia-smi', args: [], stallMs: 5000, backoffMs: 50, onLines: () => {} }));
    await waitFor(() => p.starts >= 2, 'a retry');
    expect(p.problem).toMatch(/nvidia-smi could not start: .*ENOENT/);
  });

  it('kills one that stops printing, and starts it again', async () => {
    const pids: number[] = [];
    const p = track(
      new LineProcess({ name: 'hanger', exe: NODE, args: script('console.log(process.pid); setInterval(() => {}, 1000)'), stallMs: 300, backoffMs: 50, onLines: (l) => pids.push(...l.map(Number)) }),
    );
    // It never exits by itself: a second PID means the watchdog killed the first.
    await waitFor(() => pids.length >= 2, 'a second start', 5000);
    expect(p.starts).toBeGreaterThanOrEqual(2);
    await waitFor(() => {
      try {
        process.kill(pids[0]!, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the hung one killed');
  });

  it('close() ends the process and every restart', async () => {
    const pids: number[] = [];
    const p = new LineProcess({ name: 'x', exe: NODE, args: script('console.log(process.pid); setInterval(() => {}, 1000)'), stallMs: 5000, onLines: (l) => pids.push(...l.map(Number)) });
    await waitFor(() => pids.length === 1, 'a start');
    // Fake timers from here: a restart planned on the exit would be a timer, and a minute
    // of backoff runs at once. The clock still moves with real time, for waitFor's polling.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    try {
      p.close();
      await waitFor(() => {
        try {
          process.kill(pids[0]!, 0);
          return false;
        } catch {
          return true;
        }
      }, 'exit');
      await vi.advanceTimersByTimeAsync(120_000); // past the longest backoff (a minute)
      expect(p.starts).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('NvidiaSmiReader (replaying GeForce RTX 4080 SUPER, Linux, driver 595.71)', () => {
  it('one long-running query-gpu: devices with card class, how old, from which source', async () => {
    const r = track(new NvidiaSmiReader(FAKE_SMI, 200));
    expect(r.latest(Date.now())).toEqual({ ok: false, reason: 'waiting for the first nvidia-smi reading' });
    await waitFor(() => r.latest(Date.now()).ok, 'a reading');
    const g = r.latest(Date.now());
    expect(g).toMatchObject({ ok: true, stale: false, source: 'nvidia-smi' });
    if (!g.ok) throw new Error('unreachable');
    expect(g.value).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 4080 SUPER',
        utilization: 7,
        memoryUsedMB: 1474,
        memoryTotalMB: 16376,
        encoderUtilization: 72,
        decoderUtilization: 0,
        encoderSessions: 2,
        encoderAverageFps: 184,
        temperatureC: 46,
        powerW: 84.24,
        cardClass: 'geforce',
        encoderSessionLimit: 8,
      },
    ]);
    expect(g.ageMs).toBeLessThan(1000);
  });

  it('falls back to the basic fields when the driver refuses one: unknown figures are null, not 0', async () => {
    process.env.FAKE_SMI_OLD = '1';
    const r = track(new NvidiaSmiReader(FAKE_SMI, 200, { brands: false }));
    await waitFor(() => r.latest(Date.now()).ok, 'a reading after the fallback', 10000);
    const g = r.latest(Date.now());
    if (!g.ok) throw new Error(g.reason);
    expect(g.value[0]).toMatchObject({ utilization: 7, memoryUsedMB: 1474, encoderUtilization: null, encoderSessions: null, cardClass: 'geforce' });
  });

  it('marks the reading stale when nvidia-smi stops printing, and drops it after a while', async () => {
    process.env.FAKE_SMI_HANG_AFTER = '1';
    const r = track(new NvidiaSmiReader(FAKE_SMI, 100, { brands: false }));
    await waitFor(() => r.latest(Date.now()).ok, 'a reading');
    // latest() is told the time: 500 ms on (5 intervals) the one reading, with no other since, is stale.
    const now = Date.now() + 500;
    expect(r.latest(now)).toMatchObject({ ok: true, stale: true });
    expect(r.latest(now + 60_000)).toEqual({ ok: false, reason: expect.stringMatching(/^no nvidia-smi reading for \d+ s/) });
  });
});

describe('PmonReader (replaying pmon of the GeForce RTX 4080 SUPER)', () => {
  it('keeps each process’s latest row; processes not in the latest samples drop out', async () => {
    const r = track(new PmonReader(FAKE_SMI, 1000));
    expect(r.processes(Date.now())).toEqual({ ok: false, reason: 'waiting for the first NVIDIA pmon reading' });
    await waitFor(() => r.processes(Date.now()).ok, 'a pmon sample', 5000);
    const t = r.processes(Date.now());
    if (!t.ok) throw new Error(t.reason);
    expect(t.value.source).toBe('NVIDIA pmon');
    expect([...t.value.byPid.keys()].sort()).toEqual([2165, 2496, 2620, 2954, 3527, 5021, 5022]);
    expect(t.value.byPid.get(5022)).toEqual({ pid: 5022, gpu: 5, encoder: 54, decoder: null, memoryMB: null });
    expect(r.processes(Date.now() + 10_000)).toEqual({ ok: false, reason: expect.stringMatching(/^NVIDIA pmon readings are stale/) });
  });
});

describe('sysfs gpu_busy_percent (a fake /sys/class/drm in a temp folder)', () => {
  function fakeSysfs() {
    const root = tmpDir('sc-drm-');
    const card = (name: string, files: Record<string, string>) => {
      fs.mkdirSync(path.join(root, name, 'device'), { recursive: true });
      for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(root, name, 'device', f), v + '\n');
    };
    card('card0', { vendor: '0x1002', gpu_busy_percent: '37', mem_info_vram_used: String(2048 * 2 ** 20), mem_info_vram_total: String(20464 * 2 ** 20) });
    fs.mkdirSync(path.join(root, 'card0-DP-1')); // a connector, not a card
    card('card1', { vendor: '0x8086' }); // Intel: no busy figure
    card('card2', { vendor: '0x10de', gpu_busy_percent: '5' }); // NVIDIA: left to nvidia-smi
    return root;
  }

  it('reads AMD cards that expose it; not Intel without it, not NVIDIA', () => {
    const root = fakeSysfs();
    const cards = findBusyPercentCards(root);
    expect(cards.map((c) => c.card)).toEqual(['card0']);
    const r = new SysfsGpuReader(cards, 1000);
    expect(r.latest(Date.now())).toMatchObject({
      ok: true,
      source: 'sysfs gpu_busy_percent',
      value: [{ index: 0, name: 'AMD GPU (card0)', utilization: 37, memoryUsedMB: 2048, memoryTotalMB: 20464, encoderSessions: null, cardClass: 'other', encoderSessionLimit: null }],
    });
    fs.writeFileSync(path.join(root, 'card0/device/gpu_busy_percent'), '81\n');
    const later = Date.now() + 1000;
    expect(r.latest(later)).toMatchObject({ value: [{ utilization: 81 }] });
  });

  it('openGpuSource on Linux without nvidia-smi uses it, and says per-process GPU is not measured', () => {
    const src = track(openGpuSource(1000, { platform: 'linux', nvidiaSmi: null, sysfsRoot: fakeSysfs(), env: {} }));
    expect(src.latest(Date.now()).ok).toBe(true);
    expect(src.processes!(Date.now())).toEqual({ ok: false, reason: NO_PER_PROCESS });
  });
});

describe('Windows counter reader (its parts; it cannot run here)', () => {
  it('its PowerShell asks for every counter the parser reads, once per loop so new PIDs appear', () => {
    const script = counterScript(1);
    for (const c of WINDOWS_COUNTERS) expect(script).toContain(`'${c}'`);
    expect(script).toMatch(/while \(\$true\)/);
    expect(script).toContain('-MaxSamples 1');
    expect(script).not.toContain('-Continuous');
    expect(script).toContain('InvariantCulture');
  });

  it('adapters from the real typeperf recording (AMD RX 7900 XT, Windows 11) become devices without invented figures', () => {
    const text = fs.readFileSync(path.join(ROOT, 'test/fixtures/gpu/typeperf-gpu-adapter-memory-dedicated_rx7900xt-win11-de.csv'), 'utf8');
    const devices = adaptersToDevices(summarizeWindowsGpu(parsePdhCsv(text)[0]!).adapters);
    expect(devices).toHaveLength(2);
    expect(devices[1]).toEqual({
      index: 1,
      name: 'GPU luid_0x00000000_0x679bdd95_phys_0',
      utilization: null,
      memoryUsedMB: 5764141056 / 2 ** 20,
      memoryTotalMB: null,
      encoderUtilization: null,
      encoderSessions: null,
      temperatureC: null,
      powerW: null,
      cardClass: 'unknown',
      encoderSessionLimit: null,
      decoderUtilization: null,
    });
  });
});

describe('openGpuSource: no GPU, no reader, and the reason', () => {
  it.each([
    ['linux', { platform: 'linux' as const, nvidiaSmi: null, sysfsRoot: '/nonexistent', env: {} }, /^no NVIDIA GPU found \(nvidia-smi is not installed\); no AMD GPU/],
    ['darwin', { platform: 'darwin' as const, nvidiaSmi: null, env: {} }, /^no NVIDIA GPU found \(nvidia-smi is not installed\)/],
    ['turned off', { env: { STREAMCAP_NO_GPU: '1' } }, /STREAMCAP_NO_GPU=1/],
  ])('%s', (_w, opts, reason) => {
    const src = track(openGpuSource(1000, opts));
    expect(src.latest(Date.now())).toEqual({ ok: false, reason: expect.stringMatching(reason) });
    expect(src.processes!(Date.now())).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });
});

describe('the sampler attributes per-process GPU to instances through their process trees', () => {
  let core: Core | null = null;
  afterEach(async () => {
    await core?.shutdown({ stopInstances: true });
    core = null;
  });

  it('pmon’s rows for a launcher and its child add up in the instance; another instance is "not measured", never 0', async () => {
    // The replayed pmon recording has two ffmpeg NVENC processes, PIDs 5021 and 5022;
    // they are replaced by instance 1's launcher and its child worker.
    const pidsFile = path.join(tmpDir(), 'pids.json');
    process.env.FAKE_SMI_PIDS = pidsFile;
    const gpu: GpuSource = openGpuSource(1000, { platform: 'linux', nvidiaSmi: FAKE_SMI, env: {} });
    const c = (core = await Core.create({ dataDir: tmpDir(), sampleIntervalMs: 500, gpu }));
    const { ids, started } = internals(c).supervisor.launch(profile({ args: [CPU_LOAD, '--load', '5', '--children', '1'] }), 2, 0);
    await started;
    const root = internals(c).supervisor.instances.get(ids[0]!)!.info.pid!;
    const child = await waitFor(() => groupPids(root).find((p) => p !== root), 'the child worker');
    fs.writeFileSync(pidsFile, JSON.stringify({ 5021: root, 5022: child }));

    const s = await waitFor(
      async () => {
        const snap = await internals(c).sampler.tick();
        // The tree finds new descendants on its next rescan; until then only the launcher counts.
        return snap?.instances[0]?.gpu.ok && snap.instances[0].processes >= 2 && snap.gpus.ok ? snap : null;
      },
      'instance 1 measured over its whole tree',
      15000,
      300,
    );
    const [one, two] = s.instances;
    // Recorded per-sample sums of sm: 5, 5, 6, 5, 5; of enc: 69, 70, 69, 70, 69.
    expect(one!.gpu).toEqual({ ok: true, value: expect.toBeOneOf([5, 6]) });
    expect(one!.gpuDetail).toEqual({ encoder: expect.toBeOneOf([69, 70]), decoder: null, memoryMB: null });
    expect(two!.gpu).toEqual({ ok: false, reason: expect.stringMatching(/^NVIDIA pmon reports no process of this instance/) });
    expect(two!.gpuDetail).toBeUndefined();
    expect(s.gpus).toMatchObject({
      ok: true,
      source: 'nvidia-smi',
      stale: false,
      value: [{ name: 'NVIDIA GeForce RTX 4080 SUPER', encoderSessions: 2, cardClass: 'geforce', encoderSessionLimit: 8 }],
    });
  });
});
