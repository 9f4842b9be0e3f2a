// The sampler against an independent reading of /proc, with real workloads.
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import type { Snapshot } from '../../shared/contract';
import { CPU_LOAD, groupPids, have, NODE, nextEvent, nextEvents, profile, ticksOf, tmpDir, waitFor } from '../helpers';
import { ALL_THREADS_EVERY_MS, childrenOf, CLK_TCK, processIndex, ProcessTree } from '../../electron/core/proc/linux';
import { internals } from '../core-internals';
import { LoopDelayMeter, STALL_MS } from '../../electron/core/loop-delay';

const block = (ms: number) => {
  const t = performance.now();
  while (performance.now() - t < ms) {
    /* a stall */
  }
};

let core: Core | null = null;
const leftovers: number[] = [];
afterEach(async () => {
  await core?.shutdown({ stopInstances: true });
  core = null;
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/**
 * Collects `count` snapshots (the core's sample events), and reads each process group's
 * CPU ticks independently at the first tick and at the last, so both cover the same window.
 */
async function measure(c: Core, pgids: number[], count: number) {
  // Align with a tick so both windows cover the same time.
  await nextEvent(c, 'sample');
  const t0 = performance.now();
  const before = pgids.map((g) => groupPids(g).reduce((a, p) => a + ticksOf(p), 0));
  const samples: Snapshot[] = await nextEvents(c, 'sample', count);
  const after = pgids.map((g) => groupPids(g).reduce((a, p) => a + ticksOf(p), 0));
  const seconds = (performance.now() - t0) / 1000;
  const independent = after.map((a, k) => ((a - before[k]!) / 100 / seconds) * 100);
  return { samples, independent };
}

/** Waits until the sampler has read `ids` for `count` ticks running: warmed up, past the first (unmeasured) reading. */
const measuredFor = (c: Core, ids: string[], count: number) =>
  nextEvents(c, 'sample', count, (s) => ids.every((id) => s.instances.find((i) => i.id === id)?.cpu != null), `a sample measuring ${ids.join(', ')}`);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('sampler', () => {
  it('reads each instance’s CPU in agreement with /proc (3 real workloads)', async () => {
    const c = (core = await Core.create({ dataDir: tmpDir(), sampleIntervalMs: 500, gpu: new NoGpuSource('test') }));
    const { ids, started } = internals(c).supervisor.launch(profile({ args: [CPU_LOAD, '--load', '25'] }), 3, 0);
    await started;
    await measuredFor(c, ids, 2); // warmed up: two measured ticks (1 s at 500 ms)
    const pids = ids.map((id) => internals(c).supervisor.instances.get(id)!.info.pid!);
    const { samples, independent } = await measure(c, pids, 12); // 6 s at 500 ms
    const ours = ids.map((id) => mean(samples.map((s) => s.instances.find((i) => i.id === id)!.cpu).filter((v): v is number => v !== null)));
    console.log('instance CPU, % of one core — StreamCap:', ours.map((v) => v.toFixed(1)).join(', '), '| independent /proc:', independent.map((v) => v.toFixed(1)).join(', '));
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(ours[k]! - independent[k]!)).toBeLessThan(5);
      expect(ours[k]).toBeGreaterThan(12);
      expect(ours[k]).toBeLessThan(40);
    }
    const last = samples[samples.length - 1]!;
    expect(last.system.cpu).toBeGreaterThan(0);
    expect(last.system.cores.length).toBeGreaterThan(0);
    expect(last.system.memory.totalMB).toBeGreaterThan(100);
    expect(last.gpus).toEqual({ ok: false, reason: 'test' });
    expect(last.instances.every((i) => i.memoryMB! > 5)).toBe(true);
  });

  it.skipIf(!have('stress-ng'))('sums the tree: stress-ng’s load runs in a child worker', async () => {
    const c = (core = await Core.create({ dataDir: tmpDir(), sampleIntervalMs: 500, gpu: new NoGpuSource('test') }));
    const { ids } = internals(c).supervisor.launch(profile({ exe: 'stress-ng', args: ['--cpu', '1', '--cpu-load', '40', '--quiet'] }), 1, 0);
    const pid = await waitFor(() => internals(c).supervisor.instances.get(ids[0]!)!.info.pid, 'pid');
    await waitFor(() => groupPids(pid).length >= 2, 'stress-ng worker');
    await measuredFor(c, ids, 2); // warmed up: two measured ticks (1 s at 500 ms)
    const rootBefore = ticksOf(pid);
    const t0 = performance.now();
    const { samples, independent } = await measure(c, [pid], 10); // 5 s at 500 ms
    const rootOnly = ((ticksOf(pid) - rootBefore) / 100 / ((performance.now() - t0) / 1000)) * 100;
    const ours = mean(samples.map((s) => s.instances[0]!.cpu).filter((v): v is number => v !== null));
    console.log(`stress-ng tree: StreamCap ${ours.toFixed(1)} %, independent ${independent[0]!.toFixed(1)} %, launcher alone ${rootOnly.toFixed(1)} %`);
    expect(rootOnly).toBeLessThan(5);
    expect(ours).toBeGreaterThan(25);
    expect(Math.abs(ours - independent[0]!)).toBeLessThan(6);
    expect(samples[samples.length - 1]!.instances[0]!.processes).toBeGreaterThanOrEqual(2);
  });

  it('finds a child that a worker thread forked, through the process index, and counts its load', async () => {
    // A launcher whose child is forked by a worker thread: not in its main thread's children list.
    const { spawn } = await import('node:child_process');
    const src = `require('child_process').spawn(process.execPath, [${JSON.stringify(CPU_LOAD)}, '--load', '30'], { stdio: 'ignore' }); setInterval(() => {}, 1000);`;
    const launcher = spawn(NODE, ['-e', `new (require('node:worker_threads').Worker)(${JSON.stringify(src)}, { eval: true }); setInterval(() => {}, 1000);`], { detached: true, stdio: 'ignore' });
    leftovers.push(launcher.pid!);
    const pid = launcher.pid!;
    const child = await waitFor(() => processIndex(Date.now()).children.get(pid)?.[0] ?? null, 'the worker’s child');
    expect(childrenOf(pid)).not.toContain(child); // the main thread's list misses it
    const tree = ProcessTree.forPid(pid)!;
    try {
      // Readings within one ALL_THREADS_EVERY_MS period after the first see what that first rescan saw.
      const t0 = Math.ceil(Date.now() / ALL_THREADS_EVERY_MS) * ALL_THREADS_EVERY_MS + 1;
      expect(tree.read(t0, 3000).processes).toBe(2);
      const before = performance.now();
      await new Promise((r) => setTimeout(r, 2000));
      const r = tree.read(t0 + 2000, 3000);
      const cpu = (r.deltaTicks / CLK_TCK / ((performance.now() - before) / 1000)) * 100;
      expect(cpu).toBeGreaterThan(15); // the child's 30 %; the launcher alone idles
    } finally {
      tree.close();
    }
  });

  it('marks rates unmeasured on the first reading instead of showing 0', async () => {
    const c = (core = await Core.create({ dataDir: tmpDir(), sampleIntervalMs: 60000, gpu: new NoGpuSource('no GPU here'), autoStart: false }));
    const s = (await internals(c).sampler.tick())!;
    expect(s.system.net).toEqual({ ok: false, reason: expect.stringMatching(/first reading/) });
    const s2 = (await internals(c).sampler.tick())!;
    expect(s2.system.net.ok).toBe(true);
    expect(s2.gpus).toEqual({ ok: false, reason: 'no GPU here' });
  });

  it('shows a 60 ms stall in its interval’s loop delay: in full in a quiet loop, less the histogram’s 20 ms period in a busy one', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const meter = new LoopDelayMeter();
    meter.start();
    const interval = async () => {
      await sleep(20 + Math.random() * 200);
      block(60);
      await sleep(50);
      return meter.read(0)!;
    };
    const quiet = await interval(); // no timer of its own yet: bounded by the loop's active time
    const busy = await interval(); // that interval was busy: the histogram runs now
    meter.stop();
    console.log(`60 ms stall: quiet loop read ${quiet.toFixed(1)} ms, busy loop ${busy.toFixed(1)} ms`);
    expect(quiet).toBeGreaterThanOrEqual(59);
    expect(busy).toBeGreaterThanOrEqual(39);
  });

  it('runs the histogram all the time where the loop keeps no idle time (its active time bounds nothing there)', async () => {
    let active = 0;
    const meter = new LoopDelayMeter(() => ({ idle: 0, active: (active += 1000) }));
    meter.start();
    expect(meter.read(3)).toBe(3); // not the 1000 ms of "active" time
    await new Promise((r) => setTimeout(r, 350));
    expect(meter.read(0)).toBeLessThan(STALL_MS); // the histogram's figure of a quiet loop
    meter.stop();
  });

  it('puts a stall anywhere in an interval into that interval’s sample', async () => {
    const c = (core = await Core.create({ dataDir: tmpDir(), sampleIntervalMs: 500, gpu: new NoGpuSource('test') }));
    for (let k = 0; k < 2; k++) {
      const at = (await nextEvent(c, 'sample')).seq;
      setTimeout(() => block(60), 50 + Math.random() * 350);
      const s = await nextEvent(c, 'sample', (x) => x.seq > at);
      expect(s.seq).toBe(at + 1);
      expect(s.loopDelayP99Ms).toBeGreaterThanOrEqual(39);
    }
  });
});
