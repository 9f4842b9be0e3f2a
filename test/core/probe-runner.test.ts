// The capacity probe against real processes: workloads of known load, a workload
// that dies at instance k, cancel mid-probe, history and exports. GPU scenarios use
// a synthetic GPU source (this machine has none) with real instances.
//
// The machine is a shared 2-core VM: before measuring CPU, tests wait for it to be
// quiet, calibrate one instance's load, and pick thresholds half an instance away
// from the boundary so the right capacity follows from arithmetic with a margin.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GpuDevice, Profile, Snapshot } from '../../shared/contract';
import { Core, type CoreOptions } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { ProbeSettingsSchema, resolveSettings, type ProbeLive, type ProbeRun, type ProbeSettingsInput } from '../../shared/probe';
import { alive, CPU_LOAD, groupPids, nextEvents, profile, ROOT, sleep, tmpDir, waitFor } from '../helpers';
import { internals } from '../core-internals';

const DIES_AT = path.join(ROOT, 'test/fixtures/probe/dies-at.mjs');
const INTERVAL = 250;

let core: Core | null = null;
afterEach(async () => {
  await core?.shutdown({ stopInstances: true });
  core = null;
});

async function makeCore(opts: Partial<CoreOptions> = {}): Promise<Core> {
  core = await Core.create({ dataDir: tmpDir(), sampleIntervalMs: INTERVAL, gpu: new NoGpuSource('no GPU in this test'), ...opts });
  return core;
}

const settings = (over: ProbeSettingsInput) => resolveSettings(ProbeSettingsSchema.parse({ warmupSec: 1, settleSec: 2, ...over }));

async function probe(c: Core, p: Profile, over: ProbeSettingsInput): Promise<ProbeRun> {
  internals(c).probe.start(p, settings(over));
  return (await internals(c).probe.wait())!;
}

/** Machine CPU %, read from /proc/stat over `ms` (independent of the sampler). */
async function machineCpu(ms = 1000): Promise<number> {
  const read = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3]! + f[4]!;
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await sleep(ms); // a measurement window of the machine, not a wait for something
  const b = read();
  return 100 * (1 - (b.idle - a.idle) / Math.max(1, b.total - a.total));
}

/**
 * The host's steal (% of the machine) over time windows, read from /proc/stat every 250 ms
 * while recording. A virtual machine's host takes cycles from a busy guest, and /proc/stat
 * counts them as busy: that is the host's doing, not other work on this machine.
 */
function stealRecorder(): { stop(): void; during(from: number, to: number): number } {
  const marks: { t: number; steal: number; total: number }[] = [];
  const mark = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    marks.push({ t: Date.now(), steal: f[7] ?? 0, total: f.slice(0, 8).reduce((a, b) => a + b, 0) });
  };
  mark();
  const timer = setInterval(mark, 250);
  return {
    stop: () => clearInterval(timer),
    during(from, to) {
      const a = [...marks].reverse().find((m) => m.t <= from) ?? marks[0]!;
      const b = marks.find((m) => m.t >= to) ?? marks.at(-1)!;
      return b.total > a.total ? (100 * (b.steal - a.steal)) / (b.total - a.total) : 0;
    },
  };
}

/** Waits (up to `maxMs`) until other engineers' work leaves the machine quiet for two readings running. */
async function quiet(limit = 30, maxMs = 90_000, everyMs = 1000): Promise<number> {
  const end = Date.now() + maxMs;
  let calm = 0;
  let last = 100;
  while (Date.now() < end) {
    last = await machineCpu(everyMs);
    calm = last < limit ? calm + 1 : 0;
    if (calm >= 2) return last;
  }
  console.warn(`machine still busy (${last.toFixed(0)} % CPU) after ${maxMs / 1000} s: measuring anyway`);
  return last;
}

/**
 * Tests about exits, cancel, exports and GPU limits set the CPU threshold to 100 % so CPU
 * never decides; a machine saturated by other work (a 100 % idle baseline) still would.
 */
const notSaturated = () => quiet(90, 30_000, 500);

/**
 * The app's CPU (its process trees, % of the machine) with `counts[k]` instances running,
 * from the sampler's per-tree readings: per-instance load is not quite linear on a VM
 * (contention, steal), so the test measures the two counts around the boundary.
 */
async function calibrate(c: Core, p: Profile, counts: number[]): Promise<number[]> {
  const ids: string[] = [];
  const out: number[] = [];
  for (const n of counts) {
    const { ids: more, started } = internals(c).supervisor.launch({ ...p, id: 'calibration' }, n - ids.length, 0);
    ids.push(...more);
    await started;
    // Settle for 10 ticks (2.5 s), then average over 24 (6 s): on this shared VM a 3 s window
    // of a few samples read 4 instances anywhere from 34 % to 61 %, and the threshold set from it missed.
    const everyTree = (s: Snapshot) => {
      const trees = s.instances.filter((i) => ids.includes(i.id));
      return trees.length === ids.length && trees.every((i) => i.cpu !== null);
    };
    await nextEvents(c, 'sample', 10, undefined, 'a settling tick');
    const samples = await nextEvents(c, 'sample', 24, everyTree, `a sample measuring all ${ids.length} instances`, 60_000);
    const values = samples.map((s) => s.instances.filter((i) => ids.includes(i.id)).reduce((a, i) => a + i.cpu!, 0) / s.system.cores.length);
    out.push(values.reduce((a, b) => a + b, 0) / values.length);
  }
  await Promise.all(ids.map((id) => internals(c).supervisor.stop(id)));
  internals(c).supervisor.forget(ids);
  return out;
}

describe('capacity probe (real processes)', () => {
  it('smart and one-by-one ramps find the capacity that follows from the measured load of 4 and 5 instances', { retry: 3, timeout: 240_000 }, async () => {
    const c = await makeCore();
    const p = profile({ args: [CPU_LOAD, '--load', '30'] });
    await quiet();
    // App basis: CPU = idle baseline + the probe's own trees. The threshold sits halfway
    // between the load of K and of K + 1 instances: K fit, K + 1 reach it.
    const K = 4;
    const [atK, atK1] = await calibrate(c, p, [K, K + 1]);
    const base = await machineCpu(1500);
    const threshold = Math.min(100, base + (atK! + atK1!) / 2);
    console.log(`${K} instances: ${atK!.toFixed(1)} %, ${K + 1}: ${atK1!.toFixed(1)} % of the machine; idle ${base.toFixed(1)} %; threshold ${threshold.toFixed(1)} %`);
    expect(atK1! - atK!).toBeGreaterThan(3);
    if (base > 15) throw new Error(`the machine got busy (${base.toFixed(0)} % idle load): measuring again`);
    const common = { thresholds: { cpu: threshold }, cpuBasis: 'app' as const, maxInstances: 12, settleSec: 2.5 };
    // Other work during a probe (whole machine − the probe's trees − the idle level) skews
    // what each instance gets: say so and measure again rather than report a wrong failure.
    // The host's steal during a step (stealRecorder) is not other work: it is taken off.
    const steal = stealRecorder();
    const foreign = (r: ProbeRun) => Math.max(0, ...r.steps.map((st) => st.machineCpu!.mean - (st.appCpu?.mean ?? 0) - r.baseline!.machineCpu!.median - steal.during(st.startedAt, st.endedAt)));
    await quiet();
    const t0 = Date.now();
    const smart = await probe(c, p, { ...common, strategy: 'smart' });
    const smartSec = (Date.now() - t0) / 1000;
    await quiet();
    const t1 = Date.now();
    const linear = await probe(c, p, { ...common, strategy: 'linear' });
    const linearSec = (Date.now() - t1) / 1000;
    const show = (r: ProbeRun) => r.steps.map((s) => `${s.count}:${s.stats.cpu?.mean.toFixed(1)}${s.verdict === 'fail' ? '✕' : '✓'}`).join(' ');
    console.log(`smart  ${smartSec.toFixed(1)} s, baseline ${smart.baseline!.stats.cpu!.mean.toFixed(1)}: ${show(smart)}`);
    console.log(`linear ${linearSec.toFixed(1)} s, baseline ${linear.baseline!.stats.cpu!.mean.toFixed(1)}: ${show(linear)}`);
    steal.stop();
    for (const r of [smart, linear]) if (foreign(r) > 12) throw new Error(`other work took ${foreign(r).toFixed(0)} % of the machine during a probe: measuring again`);
    for (const r of [smart, linear]) {
      expect(r.state).toBe('done');
      expect(r.result).toMatchObject({ capacity: K, limitedBy: 'cpu', limitAt: K + 1 });
      expect(r.result!.headroom.cpu).toBeGreaterThan(0);
      expect(r.result!.perInstance.cpu).toBeGreaterThan((atK1! - atK!) * 0.5);
      expect(r.result!.notMeasured.map((n) => n.resource)).toEqual(['gpu', 'gpuMemory', 'encoder', 'encoderSessions']);
    }
    expect(linear.steps.map((s) => s.count)).toEqual([1, 2, 3, 4, 5]);
    // Where the load per instance falls off (2 cores, contention) the fit from the first two
    // steps predicts low and the smart ramp steps on one by one; the jump is shown below.
    expect(smart.steps.length).toBeLessThanOrEqual(linear.steps.length);
    expect(
      internals(c)
        .supervisor.list()
        .filter((i) => i.state === 'running'),
    ).toHaveLength(0);
  });

  it('whole-machine CPU (the field method): one busy core per instance on 2 cores fits once at 75 %', { retry: 2, timeout: 120_000 }, async () => {
    const c = await makeCore();
    await quiet(20);
    const run = await probe(c, profile({ args: [CPU_LOAD, '--load', '100'] }), { thresholds: { cpu: 75 }, maxInstances: 4 });
    console.log(`baseline ${run.baseline!.stats.cpu!.mean.toFixed(1)} %; steps`, run.steps.map((s) => `${s.count}: ${s.stats.cpu?.mean.toFixed(1)} %`).join(', '));
    expect(run.result).toMatchObject({ capacity: 1, limitedBy: 'cpu', limitAt: 2 });
    expect(run.steps.map((s) => s.count)).toEqual([1, 2]);
  });

  it.each(['linear', 'smart'] as const)('a workload that dies at instance 3 (%s): instanceExit, capacity 2, its exit code', async (strategy) => {
    const c = await makeCore();
    await notSaturated();
    // Threshold 100 on the app's own load: only the exit can stop this probe.
    const p = profile({ args: [DIES_AT, '{n}', '3', '7', '--load', '2'] });
    const run = await probe(c, p, { thresholds: { cpu: 100 }, cpuBasis: 'app', strategy, maxInstances: 6, warmupSec: 1.5, settleSec: 1 });
    expect(run.result).toMatchObject({ capacity: 2, limitedBy: 'instanceExit', limitAt: 3 });
    expect(run.result!.exit).toMatchObject({ n: 3, exitCode: 7 });
    expect(run.result!.exit!.lastLines.join('\n')).toMatch(/cannot start beside 2 others/);
    const failed = run.steps.filter((s) => s.exit);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    if (strategy === 'linear') expect(run.steps.map((s) => s.count)).toEqual([1, 2, 3]);
    else expect(run.steps.map((s) => s.count).slice(0, 2)).toEqual([1, 2]);
    // Nothing of the probe is left, and its ended records are gone from the list.
    expect(internals(c).supervisor.list()).toHaveLength(0);
  });

  it('cancel mid-probe stops every process the probe started (grandchildren too), and only those', async () => {
    const c = await makeCore();
    await notSaturated();
    const other = internals(c).supervisor.launch(profile({ id: 'other', args: [CPU_LOAD, '--load', '2'] }), 1, 0);
    await other.started;
    const otherPid = internals(c).supervisor.instances.get(other.ids[0]!)!.info.pid!;
    const p = profile({ args: [CPU_LOAD, '--load', '3', '--children', '1'] });
    let live: ProbeLive | null = null;
    c.subscribe((e) => {
      if (e.type === 'probe') {
        live = e.data;
        if (process.env.PROBE_DEBUG) console.log(live.phase, live.count, live.target, live.run.steps.length);
      }
    });
    internals(c).probe.start(p, settings({ strategy: 'linear', thresholds: { cpu: 100 }, cpuBasis: 'app', maxInstances: 8, warmupSec: 1, settleSec: 1.5 }));
    await waitFor(() => live && live.count >= 3 && live.phase === 'warmup', 'three probe instances warming up', 60_000);
    const probePids = internals(c)
      .supervisor.list()
      .filter((i) => i.profileId === 'test' && i.pid)
      .map((i) => i.pid!);
    expect(probePids.length).toBeGreaterThanOrEqual(3);
    await waitFor(() => probePids.every((pid) => groupPids(pid).length >= 2), 'each tree to have its child');
    const all = probePids.flatMap((pid) => groupPids(pid));
    expect(all.length).toBeGreaterThanOrEqual(6);
    const t0 = Date.now();
    expect(await internals(c).probe.cancel()).toBe(true);
    console.log(`cancel took ${Date.now() - t0} ms for ${all.length} processes`);
    for (const pid of all) expect(alive(pid)).toBe(false);
    for (const pgid of probePids) expect(groupPids(pgid)).toEqual([]);
    expect(alive(otherPid)).toBe(true);
    expect(
      internals(c)
        .supervisor.list()
        .map((i) => i.profileId),
    ).toEqual(['other']);
    const runs = await internals(c).probe.history();
    expect(runs[0]).toMatchObject({ state: 'cancelled', capacity: null });
    expect(await c.invoke('probe.cancel', {})).toEqual({ cancelled: false });
  });

  it('"Stop all" in the Instances view cancels a running probe too', async () => {
    const c = await makeCore();
    await notSaturated();
    internals(c).probe.start(profile({ args: [CPU_LOAD, '--load', '2'] }), settings({ thresholds: { cpu: 100 }, cpuBasis: 'app', maxInstances: 8, warmupSec: 3, settleSec: 1 }));
    await waitFor(
      () =>
        internals(c)
          .supervisor.list()
          .some((i) => i.state === 'running'),
      'a probe instance',
    );
    expect(await c.invoke('instances.stopAll', {})).toEqual({ stopped: 0 });
    expect(internals(c).probe.status()).toMatchObject({ phase: 'cancelled', run: { state: 'cancelled' } });
    expect(
      internals(c)
        .supervisor.list()
        .filter((i) => i.state === 'running'),
    ).toEqual([]);
  });

  it('a missing program is refused at once with a clear message', async () => {
    const c = await makeCore();
    await c.invoke('profiles.save', { ...profile(), id: 'missing', exe: '/opt/no/Game.exe' });
    await expect(c.invoke('probe.start', { profileId: 'missing' })).rejects.toMatchObject({ code: 'exe_not_found', message: expect.stringMatching(/Executable not found: \/opt\/no\/Game.exe/) });
    expect(internals(c).probe.status()).toBeNull();
  });

  it('history, exports and the command contract', async () => {
    const c = await makeCore();
    await notSaturated();
    const good = profile({ args: [CPU_LOAD, '--load', '2'] });
    await c.invoke('profiles.save', { ...good, id: 'tiny', name: 'Tiny <app> & "co"' });
    const started = (await c.invoke('probe.start', { profileId: 'tiny', maxInstances: 2, warmupSec: 0.5, settleSec: 1, thresholds: { cpu: 100 }, cpuBasis: 'app' })) as ProbeLive;
    expect(started.run.state).toBe('running');
    await expect(c.invoke('probe.start', { profileId: 'tiny' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(c.invoke('probe.start', { profileId: 'tiny', thresholds: { cpu: 0 } })).rejects.toMatchObject({ code: 'invalid_payload' });
    await expect(c.invoke('probe.start', { profileId: 'tiny', warmupSec: -1 })).rejects.toMatchObject({ code: 'invalid_payload' });
    await expect(c.invoke('probe.start', { profileId: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    const run = (await internals(c).probe.wait())!;
    expect(run.result).toMatchObject({ capacity: 2, limitedBy: 'maxInstances', limitAt: null });
    expect((await c.invoke('probe.status', {})) as ProbeLive).toMatchObject({ phase: 'done', run: { id: run.id, state: 'done' } });

    const history = (await c.invoke('probe.history', {})) as { id: string; capacity: number }[];
    expect(history).toEqual([expect.objectContaining({ id: run.id, capacity: 2, appName: 'Tiny <app> & "co"', state: 'done' })]);
    const file = path.join(c.dataDir, 'probes', `${run.id}.json`);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ format: 'streamcap.probe/1', id: run.id, state: 'done', result: { capacity: 2 }, host: { cores: expect.any(Number) } });
    expect(await c.invoke('probe.get', { id: run.id })).toMatchObject({ id: run.id, steps: [{ count: 1 }, { count: 2 }] });

    const csv = (await c.invoke('probe.export', { id: run.id, format: 'csv' })) as { content: string; filename: string };
    const lines = csv.content.trim().split('\r\n');
    expect(lines).toHaveLength(4); // header, baseline, 2 steps
    expect(lines[0]).toMatch(/^step,instances,move,verdict/);
    expect(lines[1]).toMatch(/^0,0,baseline,/);
    expect(csv.filename).toBe(`streamcap-probe-${run.id}.csv`);
    const html = (await c.invoke('probe.export', { id: run.id, format: 'html', lang: 'zh-CN' })) as { content: string };
    expect(html.content).toContain('本服务器可同时运行至少 2 路');
    expect(html.content).toContain('Tiny &lt;app&gt; &amp; &quot;co&quot;');
    expect(html.content).not.toMatch(/<(script|link|img)\b|src=|href=/i);
    const json = (await c.invoke('probe.export', { id: run.id, format: 'json' })) as { content: string };
    expect(JSON.parse(json.content).id).toBe(run.id);

    // A second run to compare with.
    internals(c).probe.start(good, settings({ maxInstances: 1, warmupSec: 0.5, settleSec: 1, thresholds: { cpu: 100 }, cpuBasis: 'app' }));
    const second = (await internals(c).probe.wait())!;
    const cmp = (await c.invoke('probe.export', { id: run.id, format: 'html', compareId: second.id })) as { content: string; filename: string };
    expect(cmp.filename).toBe(`streamcap-compare-${run.id}-vs-${second.id}.html`);
    expect(cmp.content).toContain('runs at least 2 concurrent streams');
    expect(cmp.content).toContain('runs at least 1 concurrent stream of');

    await expect(c.invoke('probe.get', { id: '../../etc/passwd' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(c.invoke('probe.export', { id: run.id, format: 'pdf' })).rejects.toMatchObject({ code: 'invalid_payload' });
    expect(await c.invoke('probe.delete', { id: run.id })).toEqual({ deleted: run.id });
    expect(fs.existsSync(file)).toBe(false);
    expect(((await c.invoke('probe.history', {})) as unknown[]).length).toBe(1);
  });

  it('a run cut short (StreamCap killed) reads back as interrupted', async () => {
    const c = await makeCore();
    await notSaturated();
    const dir = path.join(c.dataDir, 'probes');
    fs.mkdirSync(dir, { recursive: true });
    internals(c).probe.start(profile({ args: [CPU_LOAD, '--load', '2'] }), settings({ maxInstances: 1, warmupSec: 0.5, settleSec: 1, thresholds: { cpu: 100 }, cpuBasis: 'app' }));
    const run = (await internals(c).probe.wait())!;
    const raw = JSON.parse(fs.readFileSync(path.join(dir, `${run.id}.json`), 'utf8'));
    const id = '20200101-000000-abcd';
    fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify({ ...raw, id, startedAt: raw.startedAt - 60_000, state: 'running', result: null }));
    fs.writeFileSync(path.join(dir, '20200101-000001-zzzz.json'), '{ torn');
    expect((await internals(c).probe.get(id)).state).toBe('interrupted');
    expect((await internals(c).probe.history()).map((h) => h.id)).toEqual([run.id, id]);
  });
});

/** A GPU whose load follows the number of running probe instances: deterministic GPU scenarios. */
function fakeGpu(read: () => number, shape: (n: number, tick: number) => Partial<GpuDevice>): NonNullable<CoreOptions['gpu']> {
  let tick = 0;
  return {
    latest: () => {
      const n = read();
      return {
        ok: true,
        value: [
          {
            index: 0,
            name: 'NVIDIA GeForce RTX 3070 Ti (simulated)',
            utilization: 5,
            memoryUsedMB: 500,
            memoryTotalMB: 8192,
            encoderUtilization: 0,
            encoderSessions: 0,
            temperatureC: 50,
            powerW: 80,
            cardClass: 'geforce',
            encoderSessionLimit: 8,
            ...shape(n, tick++),
          } as GpuDevice,
        ],
        ageMs: 0,
      };
    },
    close() {},
  };
}

describe('capacity probe: GPU limits (simulated GPU, real instances)', () => {
  const running = () => (core ? internals(core).supervisor.list() : []).filter((i) => i.state === 'running' && i.profileId === 'test').length;
  const p = () => profile({ args: [CPU_LOAD, '--load', '2'] });
  const base: ProbeSettingsInput = { thresholds: { cpu: 100 }, cpuBasis: 'app', warmupSec: 0.5, settleSec: 1, maxInstances: 12 };

  it('GPU at 5 + 20 % per instance: capacity 3, limited by the GPU at 4; leaves 3 running when asked', async () => {
    const c = await makeCore({ gpu: fakeGpu(running, (n) => ({ utilization: 5 + 20 * n, memoryUsedMB: 500 + 300 * n })) });
    await notSaturated();
    const run = await probe(c, p(), { ...base, leaveRunning: true });
    expect(run.result).toMatchObject({ capacity: 3, limitedBy: 'gpu', limitAt: 4 });
    expect(run.result!.headroom.gpu).toBeCloseTo(20, 0);
    expect(run.result!.perInstance.gpu).toBeCloseTo(20, 0);
    expect(run.result!.notMeasured).toEqual([]);
    // The jump aims at the first count predicted over (4), then backs off to 3.
    expect(run.steps.map((s) => s.count)).toEqual([1, 2, 4, 3]);
    expect(running()).toBe(3);
  });

  it('GPU at 5 + 8 % per instance: the smart ramp measures 1, 2, jumps to 10 (the first count predicted over), backs off to 9; the plain ramp agrees', async () => {
    const c = await makeCore({ gpu: fakeGpu(running, (n) => ({ utilization: 5 + 8 * n })) });
    await notSaturated();
    const smart = await probe(c, p(), { ...base, strategy: 'smart' });
    const linear = await probe(c, p(), { ...base, strategy: 'linear', warmupSec: 0.2, settleSec: 0.8 });
    expect(smart.steps.map((s) => [s.count, s.move])).toEqual([
      [1, 'step'],
      [2, 'step'],
      [10, 'jump'],
      [9, 'backoff'],
    ]);
    expect(smart.steps[2]!.added).toBe(8);
    expect(linear.steps.map((s) => s.count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const r of [smart, linear]) expect(r.result).toMatchObject({ capacity: 9, limitedBy: 'gpu', limitAt: 10 });
  });

  it('GeForce encoder sessions (one per instance, cap 3): capacity 3, limited by sessions', async () => {
    const c = await makeCore({ gpu: fakeGpu(running, (n) => ({ utilization: 5 + 2 * n, encoderSessions: Math.min(n, 3), encoderSessionLimit: 3 })) });
    await notSaturated();
    const run = await probe(c, p(), base);
    expect(run.result).toMatchObject({ capacity: 3, limitedBy: 'encoderSessions', limitAt: 4 });
    expect(run.steps.at(-1)!.verdict).toBe('saturated');
    expect(running()).toBe(0);
  });

  // 66 / 100 alternating: the mean stays under 85 whatever the parity of the window (83 to 84.3).
  it('readings that wobble around the threshold extend the window, then decide on the mean and say so', async () => {
    const c = await makeCore({ gpu: fakeGpu(running, (n, tick) => ({ utilization: n === 0 ? 5 : tick % 2 ? 66 : 100 })) });
    await notSaturated();
    const run = await probe(c, p(), { ...base, maxInstances: 1, settleSec: 1, maxSettleSec: 3 });
    const step = run.steps[0]!;
    expect(step.extended).toBe(4); // half a window at a time, up to 3 windows
    expect(step.windowSec).toBeGreaterThanOrEqual(3);
    expect(step.noisy).toBe(true);
    expect(step.uncertain).toContain('gpu');
    expect(run.result).toMatchObject({ capacity: 1, limitedBy: 'maxInstances', noisy: true });
  });
});
