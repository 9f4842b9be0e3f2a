// `streamcap launch`: start N instances of an executable, watch them live, stop them all at the end.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isFinished, ProfileSchema, type InstanceInfo, type Snapshot } from '../../shared/contract';
import { Core } from '../core/core';
import { numberOption, parseWith, UsageError } from './args';
import { parseStreamFlags } from './stream-flags';
import { fmt, gpuSummary, measured, sampleRecord, streamCell } from './format';

export const LAUNCH_USAGE = `Usage: streamcap launch --exe PATH [options] -- ARGS…

Launches N instances of PATH, shows their load live, and stops every instance
(the whole process tree) at the end of --duration or on Ctrl-C.

Options:
  --exe PATH        the program to run (absolute, relative, or a name on PATH)
  --count N         instances to launch (default 1, at most 64)
  --stagger SEC     seconds between launches (default 2)
  --duration SEC    stop everything after SEC seconds (default: run until Ctrl-C)
  --cwd DIR         working directory
  --interval MS     sampling interval (default 1000)
  --grace SEC       time a stopped instance gets before it is killed (default 5)
  --restart K       restart a crashed instance, with backoff, up to K times
  --json            one JSON line per sample on stdout (NDJSON) instead of the table

Stream (Pixel Streaming) — StreamCap watches each instance as a player does:
  --signalling URL  signalling server players connect to, a template:
                    ws://127.0.0.1:80 (one Wilbur for all) or ws://127.0.0.1:{8080+i}
  --streamer-id ID  the id each instance registers, a template (default stream{n},
                    as in -PixelStreamingID=stream{n})
  --viewers N       measuring viewers per instance (default 0; each is a player, so an
                    encode of its own); figures per instance: fps, Mbps, freezes, …

Placeholders in ARGS: {n} instance number, {i} index from 0, {8888+i} arithmetic, {gpu}.
Example: streamcap launch --exe ./Game.exe --count 4 -- -PixelStreamingURL=ws://127.0.0.1:{8888+i} -RenderOffScreen`;

export async function launchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      exe: { type: 'string' },
      count: { type: 'string' },
      stagger: { type: 'string' },
      duration: { type: 'string' },
      cwd: { type: 'string' },
      interval: { type: 'string' },
      grace: { type: 'string' },
      restart: { type: 'string' },
      json: { type: 'boolean', default: false },
      signalling: { type: 'string' },
      'streamer-id': { type: 'string' },
      'player-url': { type: 'string' },
      viewers: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(LAUNCH_USAGE);
    return 0;
  }
  if (!values.exe) throw new UsageError('--exe PATH is required.');
  const count = numberOption(values.count, 'count', { min: 1, max: 64, integer: true, dflt: 1 });
  const stagger = numberOption(values.stagger, 'stagger', { min: 0, max: 600, dflt: 2 });
  const duration = numberOption(values.duration, 'duration', { min: 0.1, max: 7 * 86400, dflt: Infinity });
  const interval = numberOption(values.interval, 'interval', { min: 100, max: 60000, integer: true, dflt: 1000 });
  const grace = numberOption(values.grace, 'grace', { min: 0, max: 600, dflt: 5 });
  const restart = numberOption(values.restart, 'restart', { min: 1, max: 100, integer: true, dflt: 0 });
  const viewers = numberOption(values.viewers, 'viewers', { min: 0, max: 8, integer: true, dflt: 0 });
  if ((values['streamer-id'] !== undefined || viewers > 0) && !values.signalling)
    throw new UsageError('--viewers and --streamer-id need --signalling URL (the signalling server players connect to, e.g. ws://127.0.0.1:80).');
  const stream = parseStreamFlags(values.signalling, values['streamer-id'], values['player-url'], viewers);
  const cwd = values.cwd ? path.resolve(values.cwd) : '';
  const exe = Core.findExecutable(values.exe, cwd || process.cwd()); // fails early with a clear message
  const json = values.json;
  const log = (msg: string) => process.stderr.write(msg + '\n');

  const profile = parseWith(
    ProfileSchema,
    {
      id: 'cli',
      name: path.basename(exe),
      exe,
      args: positionals,
      cwd,
      staggerSec: stagger,
      autoRestart: { enabled: restart > 0, maxRetries: Math.max(1, restart) },
      ...(stream ? { stream } : {}),
    },
    'The program and its arguments',
  );

  const core = await Core.create({ sampleIntervalMs: interval, orphanPolicy: 'ask', supervisor: { graceMs: grace * 1000 }, fleet: false });
  const orphans = core.orphanList();
  if (orphans.length > 0) {
    log(`Found ${orphans.length} instance(s) left running by a StreamCap that did not exit cleanly: stopping them.`);
    for (const o of orphans) log(`  pid ${o.pid}  #${o.n} ${o.profileName}  (${o.processes} process${o.processes === 1 ? '' : 'es'})`);
    await core.resolveOrphans('stop');
  }

  let stopping = false;
  let interrupted = 0;
  let finish!: (reason: string) => void;
  const done = new Promise<string>((r) => (finish = r));
  const onSignal = (sig: string) => {
    interrupted++;
    if (interrupted > 1) {
      log('Second interrupt: exiting now; the next StreamCap start will clean up what is left.');
      process.exit(130);
    }
    finish(`${sig} received`);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  // The latest instance list, from the core's events (the table shows it on every sample).
  let list: InstanceInfo[] = [];
  core.subscribe((ev) => {
    if (ev.type === 'instances') list = ev.data;
  });
  try {
    await core.run('instances.launchExe', { profile, count });
  } catch (e) {
    await core.shutdown({ stopInstances: true });
    throw e;
  }
  const t0 = Date.now();
  if (Number.isFinite(duration)) setTimeout(() => finish(`--duration ${duration}s reached`), duration * 1000).unref();
  log(`Launching ${count} × ${exe}${Number.isFinite(duration) ? ` for ${duration} s` : ''} — Ctrl-C stops everything.`);

  const tty = !json && process.stdout.isTTY;
  core.subscribe((ev) => {
    if (ev.type !== 'sample' || stopping) return;
    if (json) process.stdout.write(JSON.stringify(sampleRecord(ev.data)) + '\n');
    else printTable(ev.data, list, (Date.now() - t0) / 1000, duration, tty);
    // Every instance is listed from the launch on (waiting ones as starting): all finished means all ended.
    if (list.length > 0 && list.every((i) => isFinished(i.state))) finish('every instance has ended');
  });

  const reason = await done;
  stopping = true;
  log(`Stopping (${reason})…`);
  const before = list;
  await core.shutdown({ stopInstances: true });
  for (const i of list) log(`  #${i.n}  pid ${i.pid ?? '—'}  ${i.state}: ${i.reason ?? ''}`);
  const failed = before.some((i) => i.state === 'crashed' || i.state === 'failed');
  return failed ? 3 : 0;
}

let lastLines = 0;
function printTable(s: Snapshot, list: InstanceInfo[], elapsed: number, duration: number, tty: boolean): void {
  const lines: string[] = [];
  const sys = s.system;
  lines.push(
    `StreamCap  ${elapsed.toFixed(0)} s${Number.isFinite(duration) ? ` / ${duration} s` : ''}   CPU ${fmt(sys.cpu)} % of machine   RAM ${fmt(sys.memory.percent)} %   ` +
      `net ${measured(sys.net, (n) => `↓${fmt(n.rxMbps, 2)} ↑${fmt(n.txMbps, 2)} Mbps`)}`,
  );
  lines.push(gpuSummary(s.gpus));
  const streams = s.instances.some((i) => i.stream);
  lines.push(`   #  PID      STATE      CPU (% of 1 core)  MEM MB  PROCS  ${streams ? 'STREAM' : 'NOTE'}`);
  const byId = new Map(s.instances.map((i) => [i.id, i]));
  for (const info of list) {
    const smp = byId.get(info.id);
    lines.push(
      `${String(info.n).padStart(4)}  ${String(info.pid ?? '—').padEnd(8)} ${info.state.padEnd(10)} ${fmt(smp?.cpu).padStart(17)}  ${fmt(smp?.memoryMB, 0).padStart(6)}  ${String(smp?.processes ?? 0).padStart(5)}  ${smp?.stream ? streamCell(smp.stream) : (info.reason ?? '')}`,
    );
  }
  if (s.viewers) lines.push(`StreamCap's ${s.viewers.viewers} viewer(s): ${fmt(s.viewers.cpu)} % of 1 core, ${fmt(s.viewers.memoryMB, 0)} MB (not counted in any instance)`);
  if (tty && lastLines > 0) process.stdout.write(`\x1b[${lastLines}A\x1b[J`);
  process.stdout.write(lines.join('\n') + '\n' + (tty ? '' : '\n'));
  lastLines = lines.length;
}
