// npm run bench:probe [-- --k 10 --load 10 --warmup 2 --settle 3 --interval 500 --basis app]
// The smart ramp against the plain one-by-one ramp, on the same workload, in one run.
// The workload is cpu-load.mjs; the CPU threshold is set halfway between the measured
// load of K and K + 1 instances, so the right capacity is K (10 by default).
// CPU basis "app" (the idle baseline plus the probe's own processes) by default: on a
// machine shared with other work, whole-machine CPU would measure the neighbours too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Core } from '../electron/core/core';
import { ProfileSchema, type Snapshot } from '../shared/contract';
import { ProbeSettingsSchema, resolveSettings, type ProbeRun } from '../shared/probe';
import { internals } from '../test/core-internals';

const { values } = parseArgs({
  options: {
    k: { type: 'string', default: '10' },
    load: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    settle: { type: 'string', default: '3' },
    interval: { type: 'string', default: '500' },
    basis: { type: 'string', default: 'app' },
  },
});
const K = Number(values.k);
const basis = values.basis === 'machine' ? 'machine' : 'app';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workload = path.join(root, 'electron/core/workloads/cpu-load.mjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-bench-probe-'));
const core = await Core.create({ dataDir: home, sampleIntervalMs: Number(values.interval) });
const profile = ProfileSchema.parse({ id: 'bench', name: `cpu-load ${values.load} %`, exe: process.execPath, args: [workload, '--load', values.load!], staggerSec: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cores = os.cpus().length;

/** Mean of a sampler reading over `ms`. */
async function measure(ms: number, read: (s: Snapshot) => number | null): Promise<number> {
  const xs: number[] = [];
  const off = internals(core).sampler.onSample((s) => {
    const v = read(s);
    if (v !== null) xs.push(v);
  });
  await sleep(ms);
  off();
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/** Machine CPU % over a second, from /proc/stat (independent of the sampler). */
async function machineCpu(): Promise<number> {
  const read = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3]! + f[4]!, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await sleep(1000);
  const b = read();
  return 100 * (1 - (b.idle - a.idle) / Math.max(1, b.total - a.total));
}

/** A machine shared with other work: wait (up to 2 minutes) for two quiet seconds before measuring. */
async function quiet(): Promise<void> {
  if (process.platform !== 'linux') return;
  let calm = 0;
  let last = 0;
  for (let k = 0; k < 120 && calm < 2; k++) {
    last = await machineCpu();
    calm = last < 20 ? calm + 1 : 0;
  }
  if (calm < 2) console.warn(`(the machine is busy: ${last.toFixed(0)} % CPU from other work; figures will be noisy)`);
}

/** Median of a sampler reading over `ms`: the idle level, as the app basis takes it. */
async function median(ms: number, read: (s: Snapshot) => number): Promise<number> {
  const xs: number[] = [];
  const off = internals(core).sampler.onSample((s) => xs.push(read(s)));
  await sleep(ms);
  off();
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)] ?? 0;
}

// Calibration: the app's load (its process trees, % of the machine) at K and K + 1 instances.
await quiet();
const idle = await median(3000, (s) => s.system.cpu);
const ids: string[] = [];
const loads: number[] = [];
const machine: number[] = [];
for (const n of [K, K + 1]) {
  const { ids: more, started } = internals(core).supervisor.launch({ ...profile, id: 'calibration' }, n - ids.length, 0);
  ids.push(...more);
  await started;
  await sleep(Number(values.warmup) * 1000 + 1000);
  const app = (s: Snapshot) => {
    const trees = s.instances.filter((i) => ids.includes(i.id)).map((i) => i.cpu);
    return trees.length === ids.length && trees.every((v) => v !== null) ? trees.reduce((a, b) => a! + b!, 0)! / cores : null;
  };
  loads.push(await measure(4000, app));
  machine.push(await measure(2000, (s) => s.system.cpu));
}
await Promise.all(ids.map((id) => internals(core).supervisor.stop(id)));
internals(core).supervisor.forget(ids);
const threshold = basis === 'app' ? idle + (loads[0]! + loads[1]!) / 2 : (machine[0]! + machine[1]!) / 2;
console.log(
  `calibration: idle ${idle.toFixed(1)} %; ${K} instances ${loads[0]!.toFixed(1)} %, ${K + 1} instances ${loads[1]!.toFixed(1)} % of the machine ` +
    `(whole machine ${machine[0]!.toFixed(1)} / ${machine[1]!.toFixed(1)} %) → CPU threshold ${threshold.toFixed(1)} % (${basis} basis), expected capacity ${K}`,
);
if (threshold >= 100) {
  console.error('The threshold would be 100 % or more: use a smaller --load or --k.');
  process.exit(2);
}

async function probe(strategy: 'smart' | 'linear'): Promise<{ run: ProbeRun; seconds: number }> {
  await quiet();
  const t0 = performance.now();
  internals(core).probe.start(
    profile,
    resolveSettings(ProbeSettingsSchema.parse({ strategy, cpuBasis: basis, thresholds: { cpu: threshold }, warmupSec: Number(values.warmup), settleSec: Number(values.settle), maxInstances: 32 })),
  );
  const run = (await internals(core).probe.wait())!;
  const seconds = (performance.now() - t0) / 1000;
  const r = run.result;
  // Other work during the run: whole machine − the probe's trees − the idle level.
  const idleLevel = run.baseline?.machineCpu?.median ?? 0;
  const foreign = Math.max(0, ...run.steps.map((s) => (s.machineCpu && s.appCpu ? s.machineCpu.mean - s.appCpu.mean - idleLevel : 0)));
  console.log(
    `${strategy.padEnd(6)}  capacity ${r?.capacity ?? '—'} (limited by ${r?.limitedBy ?? run.state}${r?.limitAt ? ` at ${r.limitAt}` : ''}), ` +
      `${run.steps.length} steps [${run.steps.map((s) => `${s.count}${s.move === 'jump' ? '↑' : ''}${s.verdict === 'fail' ? '✕' : ''}${s.extended ? `+${s.extended}` : ''}`).join(' ')}], ${seconds.toFixed(1)} s` +
      (foreign > 5 ? `  (other work took up to ${foreign.toFixed(0)} % of the machine during this run: figures skewed)` : ''),
  );
  return { run, seconds };
}

const smart = await probe('smart');
const linear = await probe('linear');
await core.shutdown({ stopInstances: true });
fs.rmSync(home, { recursive: true, force: true });
console.log('(↑ jump, ✕ over a threshold, +n window extended n times because the readings were unsteady)');
console.log(`smart/linear time ratio: ${(smart.seconds / linear.seconds).toFixed(2)} (capacity ${smart.run.result?.capacity ?? '—'} vs ${linear.run.result?.capacity ?? '—'})`);
