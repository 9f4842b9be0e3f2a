// The sampler against an independent reading of /proc, with real workloads.
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import type { Snapshot } from '../../shared/contract';
import { CPU_LOAD, groupPids, have, profile, sleep, ticksOf, tmpDir, waitFor } from '../helpers';
import { internals } from '../core-internals';

let core: Core | null = null;
afterEach(async () => {
  await core?.shutdown({ stopInstances: true });
  core = null;
});

/** Collects snapshots for `ms`, and reads each process group's CPU ticks before and after, independently. */
async function measure(c: Core, pgids: number[], ms: number) {
  const samples: Snapshot[] = [];
  const off = internals(c).sampler.onSample((s) => samples.push(s));
  // Align with a tick so both windows cover the same time.
  await waitFor(() => samples.length > 0, 'a sample');
  const t0 = performance.now();
  const before = pgids.map((g) => groupPids(g).reduce((a, p) => a + ticksOf(p), 0));
  await sleep(ms);
  const after = pgids.map((g) => groupPids(g).reduce((a, p) => a + ticksOf(p), 0));
  const seconds = (performance.now() - t0) / 1000;
  off();
  const independent = after.map((a, k) => ((a - before[k]!) / 100 / seconds) * 100);
  return { samples: samples.slice(1), independent };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('sampler', () => {
  it('reads each instance’s CPU in agreement with /proc (3 real workloads)', async () => {
    const c = (core = await Core.create({ dataDir: tmpDir(), sampleIntervalMs: 500, gpu: new NoGpuSource('test') }));
    const { ids, started } = internals(c).supervisor.launch(profile({ args: [CPU_LOAD, '--load', '25'] }), 3, 0);
    await started;
    await sleep(1200);
    const pids = ids.map((id) => internals(c).supervisor.instances.get(id)!.info.pid!);
    const { samples, independent } = await measure(c, pids, 6000);
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
    await sleep(1000);
    const rootBefore = ticksOf(pid);
    const { samples, independent } = await measure(c, [pid], 5000);
    const rootOnly = ((ticksOf(pid) - rootBefore) / 100 / 5) * 100;
    const ours = mean(samples.map((s) => s.instances[0]!.cpu).filter((v): v is number => v !== null));
    console.log(`stress-ng tree: StreamCap ${ours.toFixed(1)} %, independent ${independent[0]!.toFixed(1)} %, launcher alone ${rootOnly.toFixed(1)} %`);
    expect(rootOnly).toBeLessThan(5);
    expect(ours).toBeGreaterThan(25);
    expect(Math.abs(ours - independent[0]!)).toBeLessThan(6);
    expect(samples[samples.length - 1]!.instances[0]!.processes).toBeGreaterThanOrEqual(2);
  });

  it('marks rates unmeasured on the first reading instead of showing 0', async () => {
    const c = (core = await Core.create({ dataDir: tmpDir(), sampleIntervalMs: 60000, gpu: new NoGpuSource('no GPU here'), autoStart: false }));
    const s = (await internals(c).sampler.tick())!;
    expect(s.system.net).toEqual({ ok: false, reason: expect.stringMatching(/first reading/) });
    const s2 = (await internals(c).sampler.tick())!;
    expect(s2.system.net.ok).toBe(true);
    expect(s2.gpus).toEqual({ ok: false, reason: 'no GPU here' });
  });
});
