// npm run bench:sampler [-- --seconds 60 --instances 16]
// Monitors 16 instances (each a small process tree) for a minute and compares
// StreamCap's own CPU time with `top -b -d 1` watching the same machine over the
// same minute. Prints the event-loop delay p99 of the process doing the sampling.
// `npm run bench:sampler` runs it bundled (bin/run-ts.js --bundle), as the agent and the
// desktop app run StreamCap: through tsx, tsx's own loader thread was counted too.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ProfileSchema } from '../shared/contract';
import { Core } from '../electron/core/core';
import { packageRoot } from '../electron/core/package-root';
import { internals } from '../test/core-internals';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, instances: { type: 'string', default: '16' } } });
const seconds = Number(values.seconds);
const count = Number(values.instances);
const root = packageRoot();
const workload = path.join(root, 'electron/core/workloads/cpu-load.mjs');

function cpuTicksOf(pid: number, statFile = `/proc/${pid}/stat`): number {
  const s = fs.readFileSync(statFile, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** CPU ticks of each of this process's threads, by thread id, with the thread's name. */
function threadTicks(): Map<string, { name: string; ticks: number }> {
  const out = new Map<string, { name: string; ticks: number }>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const ticks = cpuTicksOf(Number(tid), `/proc/self/task/${tid}/stat`); // /proc/<tid>/stat would be the whole process's
      out.set(tid, { name: fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), ticks });
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

/** Times the main thread went to sleep or was preempted: about one per wake-up of the event loop. */
function mainThreadSwitches(): number {
  const s = fs.readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0) + Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-bench-'));
const core = await Core.create({ dataDir: home, sampleIntervalMs: 1000 });
const profile = ProfileSchema.parse({ id: 'bench', name: 'bench', exe: process.execPath, args: [workload, '--load', '1', '--children', '1'], staggerSec: 0 });
console.log(`launching ${count} instances (each a launcher + one child, ~1 % load each)…`);
const { started } = internals(core).supervisor.launch(profile, count, 0);
await started;
// Let the trees settle, the first rescans happen and V8 finish compiling the hot path.
await new Promise((r) => setTimeout(r, 10000));

// The sampler measures its own event-loop delay (monitorEventLoopDelay) every interval; a
// second histogram here would add its own timer's cost to the figure being measured.
const loopP99: number[] = [];
const sampleMs: number[] = [];
core.subscribe((e) => {
  if (e.type !== 'sample') return;
  if (e.data.loopDelayP99Ms !== null) loopP99.push(e.data.loopDelayP99Ms);
  if (e.data.sampleMs !== undefined) sampleMs.push(e.data.sampleMs);
});
const top = spawn('top', ['-b', '-d', '1'], { stdio: ['ignore', 'ignore', 'ignore'] });
await new Promise((r) => setTimeout(r, 200));
const topStart = cpuTicksOf(top.pid!);
const ownStart = process.cpuUsage();
const threadsStart = threadTicks();
const switchesStart = mainThreadSwitches();
const wallStart = performance.now();
console.log(`measuring for ${seconds} s: StreamCap sampling ${count} trees at 1 Hz, top -b -d 1 beside it…`);
await new Promise((r) => setTimeout(r, seconds * 1000));
const own = process.cpuUsage(ownStart);
const switches = mainThreadSwitches() - switchesStart;
const threadsEnd = threadTicks();
const topTicks = cpuTicksOf(top.pid!) - topStart;
const wall = (performance.now() - wallStart) / 1000;
top.kill();
const samples = loopP99.length;
const sorted = [...loopP99].sort((a, b) => a - b);
const ticks = [...sampleMs].sort((a, b) => a - b);
const last = internals(core).sampler.latest!;
await core.shutdown({ stopInstances: true });

const ownMs = (own.user + own.system) / 1000;
const topMs = topTicks * 10;
console.log(`samples taken:              ${samples} in ${wall.toFixed(1)} s (${last.instances.filter((i) => i.processes >= 2).length}/${count} trees of 2+ processes seen)`);
console.log(`StreamCap CPU time:         ${ownMs.toFixed(0)} ms (${((ownMs / (wall * 1000)) * 100).toFixed(2)} % of one core)`);
console.log(`top -b -d 1 CPU time:       ${topMs.toFixed(0)} ms (${((topMs / (wall * 1000)) * 100).toFixed(2)} % of one core)`);
const byName = new Map<string, number>();
for (const [tid, t] of threadsEnd) {
  const name = tid === String(process.pid) ? 'main' : t.name;
  byName.set(name, (byName.get(name) ?? 0) + t.ticks - (threadsStart.get(tid)?.ticks ?? 0));
}
const mainTicks = byName.get('main') ?? 0;
const others = [...byName].filter(([n, t]) => n !== 'main' && t > 0).sort((a, b) => b[1] - a[1]);
const otherTicks = others.reduce((a, [, t]) => a + t, 0);
console.log(`  of which (clock ticks):   main thread ${mainTicks * 10} ms, other threads ${otherTicks * 10} ms (${others.map(([n, t]) => `${n} ${t * 10}`).join(', ') || 'none'})`);
console.log(`main thread wake-ups:       ${(switches / wall).toFixed(1)}/s (context switches)`);
console.log(`one sample of 16 trees:     median ${ticks[Math.floor(ticks.length / 2)]?.toFixed(2)} ms, slowest ${ticks[ticks.length - 1]?.toFixed(2)} ms`);
console.log(`main event-loop delay:      median second p99 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, worst second p99 ${sorted[sorted.length - 1]?.toFixed(1)} ms (target p99 < 50 ms)`);
console.log(`sampler/top cpu ratio: ${(ownMs / Math.max(topMs, 1)).toFixed(2)}`);
process.exit(0);
