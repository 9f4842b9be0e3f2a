#!/usr/bin/env node
// A stand-in render instance: holds a steady share of one CPU core and prints a
// status line now and then, like a game server's log.
//   --load PCT        share of one core to keep busy (default 30)
//   --name NAME       name to print
//   --children N      also start N child processes, each with the same load (a launcher's tree)
//   --exit-after SEC  exit by itself after SEC seconds
//   --exit-code N     the exit code to use then (default 0)
//   --crash-file F    exit with code 42 as soon as file F exists (a crash on demand)
//   --argv-out F      write the received argv as JSON to F (argument passing tests)
//   --chatty N        print N kilobytes of output per second
//   --ignore-term     ignore SIGTERM (to test the kill after the grace period)
import fs from 'node:fs';
import { spawn } from 'node:child_process';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const k = argv.indexOf(`--${name}`);
  return k >= 0 && k + 1 < argv.length ? argv[k + 1] : dflt;
};
const load = Math.max(0, Math.min(100, Number(opt('load', '30'))));
const name = opt('name', `pid${process.pid}`);
const argvOut = opt('argv-out', null);
if (argvOut) fs.writeFileSync(argvOut, JSON.stringify(argv));
if (argv.includes('--ignore-term')) process.on('SIGTERM', () => console.log(`${name}: ignoring SIGTERM`));

const children = Number(opt('children', '0'));
for (let k = 0; k < children; k++) {
  const rest = argv.filter((_, j) => !(argv[j] === '--children' || argv[j - 1] === '--children' || argv[j] === '--argv-out' || argv[j - 1] === '--argv-out'));
  spawn(process.execPath, [process.argv[1], ...rest, '--name', `${name}.child${k}`], { stdio: 'inherit' });
}

const exitAfter = Number(opt('exit-after', '0'));
const exitCode = Number(opt('exit-code', '0'));
if (exitAfter > 0)
  setTimeout(() => {
    console.error(`${name}: exiting with code ${exitCode}`);
    process.exit(exitCode);
  }, exitAfter * 1000);

const crashFile = opt('crash-file', null);
const chatty = Number(opt('chatty', '0'));
const line = 'x'.repeat(99) + '\n';

console.log(`${name}: started, load ${load}% of one core`);
let ticks = 0;
// Burn load% of each period in CPU time. Periods vary (50-150 ms) so the busy slices
// don't line up with the kernel's accounting tick (tick-based CPU accounting would miss
// them). The slice is counted in this process's own CPU time, not in wall time: on a
// shared VM the host steals time from a spinning guest, and a wall-clock spin then used
// less CPU the busier the host was — the same instance read 35 % one minute and 52 % the
// next. Capped at the period, so a starved instance never spins on.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const tick = () => {
  const period = 50 + Math.random() * 100;
  const started = performance.now();
  const from = cpuMs();
  const slice = (period * load) / 100;
  // CPU time is asked for every quarter millisecond of spinning: a system call per loop
  // would itself be most of the load.
  while (cpuMs() - from < slice && performance.now() - started < period) {
    const chunk = performance.now() + 0.25;
    while (performance.now() < chunk) {
      /* burn */
    }
  }
  if (crashFile && fs.existsSync(crashFile)) {
    console.error(`${name}: fatal error: simulated crash`);
    process.exit(42);
  }
  if (chatty > 0) process.stdout.write(line.repeat(Math.ceil(chatty)));
  if (++ticks % 50 === 0) console.log(`${name}: frame ${ticks * 3}, load ${load}%`);
  setTimeout(tick, Math.max(0, period - (performance.now() - started)));
};
tick();
