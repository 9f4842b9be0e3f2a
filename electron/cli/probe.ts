// `streamcap probe`: how many instances of an app this server runs at once, measured.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ProfileSchema } from '../../shared/contract';
import { DEFAULT_THRESHOLDS, RESOURCES, resolveSettings, ProbeSettingsSchema, type ProbeLive, type ProbeRun, type ProbeWindow, type Resource } from '../../shared/probe';
import { probeReportHtml, resourceName, resultSentence } from '../../shared/probe-report';
import { Core } from '../core/core';
import { resolveExecutable } from '../core/process-control';
import { numberOption, parseWith, UsageError } from './args';
import { parseStreamFlags } from './stream-flags';
import { fmt } from './format';

export const PROBE_USAGE = `Usage: streamcap probe --exe PATH [options] -- ARGS…

Finds how many instances of PATH this server runs at once — the field's method,
automated: measure the idle load, add instances, let each warm up, average the
steady load, and stop at the first count whose load reaches a threshold.
Capacity = the largest count whose load stayed under every threshold.
The smart ramp measures 1 and 2 instances, predicts the capacity from the load
per instance, jumps just below it and confirms the boundary step by step.

Options:
  --exe PATH                  the program to run (absolute, relative, or a name on PATH)
  --cwd DIR                   working directory
  --threshold PCT             CPU, GPU and encoder threshold at once (default 85)
  --cpu-threshold PCT         CPU, % of the whole machine (default 85)
  --gpu-threshold PCT         GPU, % of the busiest device (default 85)
  --gpu-memory-threshold PCT  GPU memory, % of the fullest device (default 90)
  --memory-threshold PCT      RAM, % of the machine (default 90)
  --encoder-threshold PCT     encoder (NVENC) utilisation (default 85)
  --sessions N                most encoder sessions (default: the card's limit where known)
  --warmup SEC                time a new instance needs to reach its heavy scene (default 20)
  --settle SEC                steady window averaged per step (default 10; extended up
                              to 3 × when the readings are too unsteady to decide)
  --max N                     most instances to try (default 16, at most 64)
  --linear                    add instances one by one instead of the smart ramp
  --cpu-basis machine|app     machine (default): the whole machine's CPU; app: the idle
                              baseline plus the app's own processes (other work ignored)
  --stagger SEC               seconds between the launches of a jump (default 1)
  --interval MS               sampling interval (default 1000)
  --json                      one JSON object on stdout at the end (progress stays on stderr)
  --report FILE.html          also write the HTML report (prints well to PDF)
  --lang en|zh-CN             language of the report and the sentence (default en)

Streams (Pixel Streaming): with --signalling every instance is watched by StreamCap's
viewers while it is measured (an encode per viewer, as for real people):
  --signalling URL            signalling server players connect to (template, e.g. ws://127.0.0.1:80)
  --streamer-id ID            id each instance registers (template, default stream{n})
  --viewers N                 viewers per instance (default 1: the operator; more = spectators)
  --min-fps-ratio R           a step fails when the slowest stream falls below R × its fps
                              at 1 instance (default 0.9)
  --max-freezes-per-min N     … or a stream freezes more often than N a minute (default 1)

Placeholders in ARGS: {n} instance number, {i} index from 0, {8888+i} arithmetic, {gpu}.
Exit status: 0 a capacity was found; 3 not even one instance fits (or it exits);
2 bad input; 1 the probe failed; 130 interrupted (everything it started is stopped).
Example: streamcap probe --exe ./Game.exe --warmup 30 -- -RenderOffScreen -PixelStreamingURL=ws://127.0.0.1:{8888+i}`;

const pctOption = (v: string | undefined, name: string, dflt: number) => numberOption(v, name, { min: 1, max: 100, dflt });

/** parseArgs reads "-1" after a flag as another flag: join negative numbers to their flag so the range check can say what is wrong. */
function joinNegatives(argv: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--') return [...out, ...argv.slice(k)];
    const next = argv[k + 1];
    if (/^--[a-z-]+$/.test(a) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      k++;
    } else out.push(a);
  }
  return out;
}

export async function probeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegatives(argv),
    allowPositionals: true,
    options: {
      exe: { type: 'string' },
      cwd: { type: 'string' },
      threshold: { type: 'string' },
      'cpu-threshold': { type: 'string' },
      'gpu-threshold': { type: 'string' },
      'gpu-memory-threshold': { type: 'string' },
      'memory-threshold': { type: 'string' },
      'encoder-threshold': { type: 'string' },
      sessions: { type: 'string' },
      warmup: { type: 'string' },
      settle: { type: 'string' },
      max: { type: 'string' },
      linear: { type: 'boolean', default: false },
      'cpu-basis': { type: 'string' },
      stagger: { type: 'string' },
      interval: { type: 'string' },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
      lang: { type: 'string' },
      signalling: { type: 'string' },
      'streamer-id': { type: 'string' },
      viewers: { type: 'string' },
      'min-fps-ratio': { type: 'string' },
      'max-freezes-per-min': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(PROBE_USAGE);
    return 0;
  }
  if (!values.exe) throw new UsageError('--exe PATH is required.');
  const all = pctOption(values.threshold, 'threshold', DEFAULT_THRESHOLDS.cpu);
  const thresholds = {
    cpu: pctOption(values['cpu-threshold'], 'cpu-threshold', all),
    gpu: pctOption(values['gpu-threshold'], 'gpu-threshold', values.threshold ? all : DEFAULT_THRESHOLDS.gpu),
    gpuMemory: pctOption(values['gpu-memory-threshold'], 'gpu-memory-threshold', DEFAULT_THRESHOLDS.gpuMemory),
    memory: pctOption(values['memory-threshold'], 'memory-threshold', DEFAULT_THRESHOLDS.memory),
    encoder: pctOption(values['encoder-threshold'], 'encoder-threshold', values.threshold ? all : DEFAULT_THRESHOLDS.encoder),
    encoderSessions: values.sessions === undefined ? null : numberOption(values.sessions, 'sessions', { min: 1, max: 1000, integer: true, dflt: 8 }),
  };
  const warmupSec = numberOption(values.warmup, 'warmup', { min: 0, max: 3600, dflt: 20 });
  const settleSec = numberOption(values.settle, 'settle', { min: 0.5, max: 3600, dflt: 10 });
  const maxInstances = numberOption(values.max, 'max', { min: 1, max: 64, integer: true, dflt: 16 });
  const stagger = numberOption(values.stagger, 'stagger', { min: 0, max: 600, dflt: 1 });
  const interval = numberOption(values.interval, 'interval', { min: 100, max: 60000, integer: true, dflt: 1000 });
  const basis = values['cpu-basis'] ?? 'machine';
  if (basis !== 'machine' && basis !== 'app') throw new UsageError(`--cpu-basis must be machine or app, got "${basis}".`);
  const lang = values.lang ?? 'en';
  if (lang !== 'en' && lang !== 'zh-CN') throw new UsageError(`--lang must be en or zh-CN, got "${lang}".`);
  const report = values.report ? path.resolve(values.report) : null;
  if (report && !fs.existsSync(path.dirname(report))) throw new UsageError(`--report: folder ${path.dirname(report)} does not exist.`);
  const cwd = values.cwd ? path.resolve(values.cwd) : '';
  if (cwd && !fs.existsSync(cwd)) throw new UsageError(`--cwd: folder ${cwd} does not exist.`);
  const exe = resolveExecutable(values.exe, cwd || process.cwd()); // fails early with a clear message
  const viewers = numberOption(values.viewers, 'viewers', { min: 0, max: 8, integer: true, dflt: 1 });
  const minFpsRatio = numberOption(values['min-fps-ratio'], 'min-fps-ratio', { min: 0.1, max: 1, dflt: 0.9 });
  const maxFreezesPerMin = numberOption(values['max-freezes-per-min'], 'max-freezes-per-min', { min: 0, max: 600, dflt: 1 });
  if (!values.signalling && (values.viewers !== undefined || values['streamer-id'] !== undefined))
    throw new UsageError('--viewers and --streamer-id need --signalling URL (the signalling server players connect to).');
  const stream = parseStreamFlags(values.signalling, values['streamer-id'], undefined, viewers);
  const asked = {
    thresholds,
    warmupSec,
    settleSec,
    maxInstances,
    strategy: values.linear ? ('linear' as const) : ('smart' as const),
    cpuBasis: basis,
    viewersPerInstance: stream ? viewers : undefined,
    minFpsRatio,
    maxFreezesPerMin,
  };
  const settings = resolveSettings(parseWith(ProbeSettingsSchema, asked, 'The probe settings'));
  const profile = parseWith(
    ProfileSchema,
    { id: 'cli-probe', name: path.basename(exe), exe, args: positionals, cwd, staggerSec: stagger, ...(stream ? { stream } : {}) },
    'The program and its arguments',
  );
  const log = (msg: string) => process.stderr.write(msg + '\n');

  const core = await Core.create({ sampleIntervalMs: interval, orphanPolicy: 'ask', fleet: false });
  const orphans = core.orphanList();
  if (orphans.length > 0) {
    log(`Found ${orphans.length} instance(s) left running by a StreamCap that did not exit cleanly: stopping them first (they would skew the measurement).`);
    await core.resolveOrphans('stop');
  }
  let interrupted = 0;
  const onSignal = () => {
    interrupted++;
    if (interrupted > 1) {
      log('Second interrupt: exiting now; the next StreamCap start will clean up what is left.');
      process.exit(130);
    }
    log('Interrupted: stopping every instance the probe started…');
    void core.run('probe.cancel', {});
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const t0 = Date.now();
  log(
    `Probing ${exe} (up to ${maxInstances} instances, ${settings.strategy} ramp; warm-up ${warmupSec} s, window ${settleSec} s; ` +
      `thresholds CPU ${thresholds.cpu} %, GPU ${thresholds.gpu} %, RAM ${thresholds.memory} %) — Ctrl-C stops everything.`,
  );
  const progress = new ProgressPrinter(log, t0);
  core.subscribe((e) => {
    if (e.type === 'probe') progress.update(e.data);
  });
  await core.run('probe.start', { ...asked, profile });
  const run = await core.run('probe.wait', {});
  if (!run) throw new Error('The probe ended before it could be followed.');
  await core.shutdown({ stopInstances: true });

  const sentence = resultSentence(run, lang);
  log(`\n${sentence}`);
  if (run.result) {
    const r = run.result;
    const head = RESOURCES.filter((x) => r.headroom[x] !== null).map((x) => `${resourceName(x)} ${fmt(r.headroom[x])}${x === 'encoderSessions' ? '' : ' pts'}`);
    if (head.length) log(`Headroom at ${r.capacity}: ${head.join(', ')}.`);
    for (const n of r.notMeasured) log(`${resourceName(n.resource)} not measured: ${n.reason}.`);
    if (r.noisy) log('Readings stayed unsteady near a threshold even with the window extended: decided on the mean. Repeat on a quieter server for a firmer answer.');
  }
  log(`Took ${((Date.now() - t0) / 1000).toFixed(0)} s. Saved as ${run.id} in ${path.join(core.dataDir, 'probes')}.`);
  if (report) {
    fs.writeFileSync(report, probeReportHtml(run, lang));
    log(`Report: ${report}`);
  }
  if (values.json) process.stdout.write(JSON.stringify(probeJson(run, sentence)) + '\n');
  if (run.state === 'cancelled' || interrupted) return 130;
  if (run.state !== 'done' || !run.result) {
    log(`The probe failed: ${run.error ?? run.state}`);
    return 1;
  }
  return run.result.capacity > 0 ? 0 : 3;
}

const r1 = (v: number | null | undefined, d = 1) => (v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10 ** d) / 10 ** d);

function windowJson(w: ProbeWindow) {
  const mean = (r: Resource) => r1(w.stats[r]?.mean);
  return {
    cpu: mean('cpu'),
    memory: mean('memory'),
    gpu: mean('gpu'),
    gpuMemory: mean('gpuMemory'),
    encoder: mean('encoder'),
    encoderSessions: mean('encoderSessions'),
    p95: Object.fromEntries(RESOURCES.map((r) => [r, r1(w.stats[r]?.p95)])),
    stddev: Object.fromEntries(RESOURCES.map((r) => [r, r1(w.stats[r]?.stddev, 2)])),
    machineCpu: r1(w.machineCpu?.mean),
    appCpu: r1(w.appCpu?.mean),
    verdict: w.verdict,
    breached: w.breached,
    windowSec: r1(w.windowSec),
    extended: w.extended,
    noisy: w.noisy,
    samples: w.samples,
    ...(w.stream
      ? {
          stream: {
            slowestFps: r1(w.stream.slowestFps),
            slowestInstance: w.stream.slowestN,
            meanMbps: r1(w.stream.meanMbps, 3),
            freezesPerMin: r1(w.stream.freezesPerMin, 2),
            unmeasured: w.stream.unmeasured,
            viewerCpu: r1(w.stream.viewerCpu),
            quality: w.quality ?? null,
          },
        }
      : {}),
  };
}

/** The documented --json shape: cpu and memory in % of the machine, gpu in % of the device. */
export function probeJson(run: ProbeRun, sentence: string) {
  const r = run.result;
  return {
    capacity: r?.capacity ?? null,
    limitedBy: r?.limitedBy ?? null,
    limitAt: r?.limitAt ?? null,
    sentence,
    state: run.state,
    baseline: run.baseline ? windowJson(run.baseline) : null,
    steps: run.steps.map((s) => ({ instances: s.count, ...windowJson(s), move: s.move, exit: s.exit })),
    thresholds: run.settings.thresholds,
    headroom: r ? Object.fromEntries(RESOURCES.map((x) => [x, r1(r.headroom[x])])) : null,
    perInstance: r ? Object.fromEntries(Object.entries(r.perInstance).map(([k, v]) => [k, r1(v, 2)])) : null,
    notMeasured: r?.notMeasured ?? [],
    noisy: r?.noisy ?? false,
    exit: r?.exit ?? null,
    quality: r?.quality ?? null,
    fpsAtCapacity: r1(r?.fpsAtCapacity),
    viewerCpuAtCapacity: r1(r?.viewerCpuAtCapacity),
    durationSec: r1(run.durationSec),
    host: run.host,
    app: run.app,
    settings: run.settings,
    id: run.id,
  };
}

/** One line per phase and one per finished step, on stderr. */
class ProgressPrinter {
  private lastKey = '';
  private printedSteps = 0;
  private baselineShown = false;

  constructor(
    private readonly log: (s: string) => void,
    private readonly t0: number,
  ) {}

  private stamp(): string {
    return `[${String(Math.round((Date.now() - this.t0) / 1000)).padStart(4)} s]`;
  }

  update(live: ProbeLive): void {
    const run = live.run;
    if (run.baseline && !this.baselineShown) {
      this.baselineShown = true;
      this.log(`${this.stamp()} idle baseline: ${describe(run.baseline)}${run.otherInstances ? ` (${run.otherInstances} other instance(s) running)` : ''}`);
    }
    while (this.printedSteps < run.steps.length) {
      const s = run.steps[this.printedSteps++]!;
      const verdict = s.exit
        ? `instance #${s.exit.n} exited (${s.exit.reason})`
        : s.verdict === 'fail' && s.quality && !s.quality.ok && s.breached.length === 0
          ? `STREAM QUALITY: ${s.quality.figure === 'fps' ? `stream ${s.quality.n} at ${r1(s.quality.value)} fps (under ${r1(s.quality.limit)})` : s.quality.figure === 'freezes' ? `stream ${s.quality.n} froze ${r1(s.quality.value)}/min` : `stream ${s.quality.n} could not be watched`}`
          : s.verdict === 'fail'
            ? `OVER: ${s.breached.map((r) => resourceName(r)).join(', ')}`
            : s.verdict === 'saturated'
              ? 'encoder sessions at the limit'
              : 'under every threshold';
      const st = s.stream
        ? `; streams: slowest ${r1(s.stream.slowestFps) ?? '—'} fps (#${s.stream.slowestN ?? '—'}), ${r1(s.stream.meanMbps, 2) ?? '—'} Mbps, viewers ${r1(s.stream.viewerCpu) ?? '—'} % (left out)`
        : '';
      this.log(
        `${this.stamp()} step ${s.index}: ${s.count} instance${s.count === 1 ? '' : 's'} → ${describe(s)}${st} — ${verdict}${s.extended ? ` (window extended ×${s.extended}${s.noisy ? ', still unsteady' : ''})` : ''}`,
      );
    }
    const key = `${live.phase}:${live.target}`;
    if (key === this.lastKey || live.phase === 'settle' || live.phase === 'done' || live.phase === 'cancelled' || live.phase === 'failed') return;
    this.lastKey = key;
    const left = live.timeLeftSec === null ? '' : ` (about ${formatSec(live.timeLeftSec)} left)`;
    const max = run.settings.maxInstances;
    if (live.phase === 'baseline') this.log(`${this.stamp()} measuring the idle baseline for ${run.settings.settleSec} s…`);
    else if (live.phase === 'launching')
      this.log(`${this.stamp()} step ${run.steps.length + 1} (of at most ${max}): ${live.move === 'jump' ? 'jumping' : 'going'} to ${live.target} instance${live.target === 1 ? '' : 's'}${left}…`);
    else if (live.phase === 'scaling') this.log(`${this.stamp()} step ${run.steps.length + 1}: backing off to ${live.target} instance${live.target === 1 ? '' : 's'}${left}…`);
    else if (live.phase === 'warmup') this.log(`${this.stamp()}   warming up ${run.settings.warmupSec} s, then measuring ${run.settings.settleSec} s`);
    else if (live.phase === 'stopping') this.log(`${this.stamp()} stopping the probe's instances…`);
  }
}

function describe(w: ProbeWindow): string {
  const parts: string[] = [];
  for (const r of RESOURCES) {
    const s = w.stats[r];
    if (!s) continue;
    parts.push(r === 'encoderSessions' ? `${resourceName(r)} ${fmt(s.mean, 1)}` : `${resourceName(r)} ${fmt(s.mean)} % (p95 ${fmt(s.p95)})`);
  }
  return parts.join(', ') || 'no readings';
}

const formatSec = (s: number) => (s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);
