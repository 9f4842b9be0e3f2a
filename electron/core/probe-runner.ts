// The capacity probe's runner: measures the idle baseline, then adds instances
// (several at once for a jump), lets each warm up, averages the steady load over a
// settle window and asks shared/probe/ what to do next. It only ever stops the
// instances it started. Runs are kept as one JSON file each under <dataData>/probes/.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ApiError, isFinished, type HostInfo, type Profile, type Snapshot } from '../../shared/contract';
import {
  composeResult,
  estimateSecondsLeft,
  judgeStreams,
  judgeWindow,
  planInputOf,
  planNext,
  PROBE_FORMAT,
  readingOf,
  resolveSettings,
  stepSeconds,
  summarize,
  windowStats,
  ProbeSettingsSchema,
  type InstanceExit,
  type Move,
  type ProbeHost,
  type ProbeLive,
  type ProbePhase,
  type ProbeResult,
  type ProbeRun,
  type ProbeSettings,
  type ProbeStep,
  type ProbeSummary,
  type ProbeWindow,
  type Reading,
  type Resource,
} from '../../shared/probe';
import { resolveExecutable } from './process-control';
import { PROBE_ID, ProbeStore } from './probe-store';
import { supervisorPort, type ProbeInstancePort } from './probe-instances';
import type { Supervisor } from './supervisor';

export interface ProbeRunnerDeps {
  supervisor: Supervisor;
  sampler: { onSample(fn: (s: Snapshot) => void): () => void; readonly intervalMs: number; readonly latest: Snapshot | null };
  hostInfo(): HostInfo;
  gpuCount(): number;
  dataDir: string;
  emit(live: ProbeLive): void;
}

/** What one probe session needs: the instances through a narrow port, not the supervisor itself. */
type ProbeSessionDeps = Omit<ProbeRunnerDeps, 'supervisor' | 'dataDir'> & { instances: ProbeInstancePort };

/** A window needs this many samples whatever its length: a mean of one reading decides nothing. */
const MIN_SAMPLES = 3;

class Cancelled extends Error {}

function newId(now: number): string {
  const iso = new Date(now).toISOString(); // 2025-01-02T03:04:05.678Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(2).toString('hex')}`;
}

/** One probe from start to end. */
class ProbeSession {
  readonly run: ProbeRun;
  /** Every instance this probe launched, in launch order. */
  private readonly ids: string[] = [];
  /** The instances this probe started (the admission service gives them no seats). */
  instanceIds(): readonly string[] {
    return this.ids;
  }
  private readonly stoppedByProbe = new Set<string>();
  /** Instances whose end is already accounted for (stopped by the probe, or reported as an exit). */
  private readonly accounted = new Set<string>();
  /** The instances running at the last count that passed. */
  private trusted: ReadonlySet<string> = new Set();
  private readonly launches: Promise<void>[] = [];
  private readonly abort = new AbortController();
  private readonly profile: Profile;
  private phase: ProbePhase = 'baseline';
  private target: number | null = 0;
  private move: Move | null = null;
  private phaseEndsAt: number | null = null;
  private stepStartedAt = Date.now();
  private stepCost = 0;
  private reading: ProbeLive['reading'] = null;
  private collector: Reading[] | null = null;
  private wake: (() => void) | null = null;
  private notMeasured: Partial<Record<Resource, string>> = {};
  private writes: Promise<void> = Promise.resolve();
  private exit: InstanceExit | null = null;
  readonly finished: Promise<ProbeRun>;

  constructor(
    private readonly deps: ProbeSessionDeps,
    profile: Profile,
    readonly settings: ProbeSettings,
    private readonly store: ProbeStore,
  ) {
    // An instance that crashes must fail its step, not come back.
    // With stream settings every instance gets its viewers (1 by default: its operator; more
    // stand for spectators, each an encode of its own): the encoder's cost is in the load.
    const hasStream = profile.stream.signallingUrl.trim() !== '';
    this.profile = {
      ...profile,
      autoRestart: { enabled: false, maxRetries: 1 },
      stream: hasStream ? { ...profile.stream, viewers: settings.viewersPerInstance ?? 1 } : profile.stream,
    };
    const now = Date.now();
    this.run = {
      format: PROBE_FORMAT,
      id: newId(now),
      state: 'running',
      error: null,
      startedAt: now,
      endedAt: null,
      durationSec: null,
      host: this.hostNow(),
      app: { profileId: profile.id, name: profile.name, exe: profile.exe, args: profile.args, cwd: profile.cwd },
      settings,
      otherInstances: deps.instances.list().filter((i) => !isFinished(i.state)).length,
      sampleIntervalMs: deps.sampler.intervalMs,
      baseline: null,
      steps: [],
      result: null,
    };
    const offSample = deps.sampler.onSample((s) => this.onSample(s));
    const offChange = deps.instances.onChange(() => this.poke());
    this.finished = this.main().finally(() => {
      offSample();
      offChange();
    });
  }

  /** The server's facts; GPUs are known once the sampler has read them (refreshed after the baseline). */
  private hostNow(): ProbeHost {
    const { dataDir: _d, locale: _l, sampleIntervalMs: _s, ...host } = this.deps.hostInfo();
    const gpus = this.deps.sampler.latest?.gpus;
    return { ...host, gpuMemoryMB: gpus?.ok ? gpus.value.map((g) => g.memoryTotalMB) : [] };
  }

  cancel(): void {
    this.abort.abort();
    this.poke();
  }

  live(): ProbeLive {
    return {
      run: this.run,
      phase: this.phase,
      count: this.liveIds().length,
      target: this.target,
      move: this.move,
      phaseEndsAt: this.phaseEndsAt,
      timeLeftSec: this.timeLeft(),
      reading: this.reading,
    };
  }

  // ---- The loop --------------------------------------------------------------------

  private async main(): Promise<ProbeRun> {
    const { run, settings } = this;
    try {
      this.persist();
      run.baseline = await this.measureWindow(null, 'baseline');
      run.host = this.hostNow();
      this.persist();
      let result: ProbeResult;
      for (;;) {
        const decision = planNext(planInputOf(run));
        if (decision.kind === 'done') {
          result = composeResult(run, decision, this.notMeasured);
          break;
        }
        run.steps.push(await this.step(decision.count, decision.move));
        this.persist();
      }
      run.result = result;
      this.setPhase('stopping', null);
      // Left running: the capacity, from the instances trusted at a passing count.
      await this.scaleTo(settings.leaveRunning ? result.capacity : 0, run.steps.at(-1)?.exit ? this.trusted : null);
      run.state = 'done';
      this.phase = 'done';
    } catch (e) {
      const cancelled = e instanceof Cancelled || this.abort.signal.aborted;
      run.state = cancelled ? 'cancelled' : 'failed';
      run.error = cancelled ? null : (e as Error).message;
      this.phase = 'stopping';
      this.emit();
      await this.stopEverything();
      this.phase = cancelled ? 'cancelled' : 'failed';
    }
    run.endedAt = Date.now();
    run.durationSec = (run.endedAt - run.startedAt) / 1000;
    this.target = null;
    this.phaseEndsAt = null;
    this.collector = null;
    this.deps.instances.forget(this.ids.filter((id) => !this.liveIds().includes(id)));
    this.persist();
    await this.writes;
    this.emit();
    return run;
  }

  /** Brings the probe to `count` instances, warms new ones up, measures the window. */
  private async step(count: number, move: Move): Promise<ProbeStep> {
    const { settings } = this;
    const startedAt = Date.now();
    const before = this.liveIds().length;
    const previous = this.run.steps.at(-1);
    this.target = count;
    this.move = move;
    this.exit = null;
    const earlier = [...this.ids];
    this.stepStartedAt = startedAt;
    this.stepCost = stepSeconds(settings, Math.max(0, count - before), this.profile.staggerSec);
    // After an exit, instances launched since the last passing count may be doomed like the
    // one that died (a licence, a port): start over from the trusted ones with fresh launches.
    const launched = await this.scaleTo(count, previous?.exit ? this.trusted : null);
    // Instances of earlier steps that ended by now (a jump where several died) belong to those steps.
    for (const id of earlier) if (this.ended(id)) this.accounted.add(id);
    if (launched > 0 && !this.exit) {
      const warmEnd = Date.now() + settings.warmupSec * 1000;
      this.setPhase('warmup', warmEnd);
      await this.waitUntil(() => this.exit !== null || Date.now() >= warmEnd, warmEnd);
    } else if (launched === 0 && count < before) {
      // Readings that straddle the stop describe neither count.
      const until = Date.now() + this.deps.sampler.intervalMs * 1.5;
      await this.waitUntil(() => Date.now() >= until, until);
    }
    const window = this.exit ? this.failedWindow() : await this.measureWindow(this.run.baseline?.machineCpu?.median ?? null, 'settle');
    if (!this.exit && window.verdict !== 'fail') this.trusted = new Set(this.liveIds());
    return { ...window, index: this.run.steps.length + 1, count, added: count - before, move, startedAt, endedAt: Date.now(), exit: this.exit };
  }

  /** Averages the load over the settle window; extends it while the readings are too unsteady to decide. */
  private async measureWindow(baselineCpu: number | null, phase: 'baseline' | 'settle'): Promise<ProbeWindow> {
    const { settings } = this;
    const readings: Reading[] = [];
    this.collector = readings;
    const start = Date.now();
    let length = settings.settleSec;
    let extended = 0;
    try {
      for (;;) {
        const end = start + length * 1000;
        this.setPhase(phase, end);
        await this.waitUntil(() => this.exit !== null || (Date.now() >= end && readings.length >= MIN_SAMPLES), end);
        if (this.exit) return this.failedWindow(readings, baselineCpu);
        const w = windowStats(readings, settings.thresholds, settings.cpuBasis, baselineCpu);
        // Half a window at a time: the decision comes as soon as the readings allow it.
        const more = settings.settleSec / 2;
        const canExtend = length + more <= settings.maxSettleSec + 1e-9;
        const v = judgeWindow(w, canExtend);
        if (v.decision === 'extend') {
          length += more;
          extended++;
          continue;
        }
        // Streams: the slowest must keep its frame rate against the one measured at 1 instance.
        const reference = this.run.steps.find((st) => st.count === 1 && st.stream?.slowestFps != null)?.stream?.slowestFps ?? null;
        const quality = phase === 'settle' && w.stream ? judgeStreams(w.stream, reference, settings) : undefined;
        return {
          ...w,
          ...(quality ? { quality } : {}),
          windowSec: (Date.now() - start) / 1000,
          extended,
          verdict: v.decision === 'fail' || (quality && !quality.ok) ? 'fail' : v.saturated ? 'saturated' : 'pass',
          breached: v.breached,
          uncertain: v.uncertain,
          noisy: v.noisy,
        };
      }
    } finally {
      this.collector = null;
    }
  }

  private failedWindow(readings: Reading[] = [], baselineCpu: number | null = this.run.baseline?.machineCpu?.median ?? 0): ProbeWindow {
    const w = windowStats(readings, this.settings.thresholds, this.settings.cpuBasis, baselineCpu);
    return { ...w, windowSec: 0, extended: 0, verdict: 'fail', breached: [], uncertain: [], noisy: false };
  }

  // ---- Instances -----------------------------------------------------------------------

  /** Probe instances not ended and not being stopped, in launch order. */
  private liveIds(): string[] {
    return this.ids.filter((id) => {
      const info = this.deps.instances.info(id);
      return info && !isFinished(info.state) && !this.stoppedByProbe.has(id);
    });
  }

  /**
   * Brings the probe to `count` running instances; returns how many it launched. Scaling
   * down stops the newest first (the rest stay warm); with `keep`, every instance outside
   * it is stopped first.
   */
  private async scaleTo(count: number, keep: ReadonlySet<string> | null = null): Promise<number> {
    let live = this.liveIds();
    const victims: string[] = [];
    if (keep) for (const id of live) if (!keep.has(id)) victims.push(id);
    live = live.filter((id) => !victims.includes(id));
    if (count < live.length) {
      // The newest (highest-numbered) go first.
      const byN = live.map((id) => this.deps.instances.info(id)!).sort((a, b) => b.n - a.n);
      victims.push(...byN.slice(0, live.length - count).map((i) => i.id));
      live = live.filter((id) => !victims.includes(id));
    }
    if (victims.length > 0) {
      this.setPhase('scaling', null);
      for (const id of victims) this.stoppedByProbe.add(id);
      await Promise.all(victims.map((id) => this.deps.instances.stop(id).catch(() => undefined)));
    }
    if (count > live.length) {
      this.setPhase('launching', null);
      const { ids, started } = this.deps.instances.launch(this.profile, count - live.length, this.deps.gpuCount());
      this.ids.push(...ids);
      this.launches.push(started);
      await this.race(started);
      return ids.length;
    }
    return 0;
  }

  /** Stops every instance this probe started, including launches still staggering. */
  private async stopEverything(): Promise<void> {
    for (let round = 0; round < 3; round++) {
      const left = this.ids.filter((id) => {
        const info = this.deps.instances.info(id);
        return info && !isFinished(info.state);
      });
      if (left.length === 0 && round > 0) return;
      for (const id of left) this.stoppedByProbe.add(id);
      await Promise.all(left.map((id) => this.deps.instances.stop(id).catch(() => undefined)));
      // A staggered launch may still be between two starts (or copying): let it finish, then look again.
      await Promise.race([Promise.all(this.launches), new Promise((r) => setTimeout(r, 5000))]);
    }
  }

  private ended(id: string): boolean {
    const info = this.deps.instances.info(id);
    return !info || isFinished(info.state);
  }

  /** An instance of this probe ended without being asked to: the step fails with its exit (the lowest-numbered one). */
  private checkExits(): void {
    if (this.exit) return;
    const ended = this.ids.filter((id) => !this.stoppedByProbe.has(id) && !this.accounted.has(id) && this.ended(id));
    if (ended.length === 0) return;
    for (const id of ended) this.accounted.add(id);
    const infos = ended.map((id) => this.deps.instances.info(id)).filter((i) => i !== undefined);
    infos.sort((a, b) => a.n - b.n);
    const info = infos[0];
    if (!info) {
      this.exit = { n: 0, exitCode: null, signal: null, reason: 'the instance was removed during the probe', lastLines: [] };
      return;
    }
    this.exit = {
      n: info.n,
      exitCode: info.exitCode,
      signal: info.signal,
      reason: info.reason ?? info.state,
      lastLines: this.deps.instances.tail(info.id, 8),
    };
  }

  // ---- Samples, waiting, events ------------------------------------------------------------

  private onSample(s: Snapshot): void {
    const cores = Math.max(1, s.system.cores.length || this.run.host.cores);
    const live = new Set(this.liveIds());
    const reading = readingOf(s, live, cores);
    // Per-tree CPU needs two samples: a tree seen once has no rate yet, so the app's share is incomplete.
    if (s.instances.some((i) => live.has(i.id) && i.state === 'running' && i.cpu === null)) reading.appCpu = null;
    if (!s.gpus.ok) for (const r of ['gpu', 'gpuMemory', 'encoder', 'encoderSessions'] as const) this.notMeasured[r] = s.gpus.reason;
    else if (s.gpus.stale) for (const r of ['gpu', 'gpuMemory', 'encoder', 'encoderSessions'] as const) this.notMeasured[r] = 'GPU readings were stale';
    else {
      if (reading.gpu === null) this.notMeasured.gpu = 'the driver reports no GPU utilisation (MIG?)';
      if (reading.encoder === null) this.notMeasured.encoder = 'the driver reports no encoder utilisation';
      if (reading.encoderSessions === null) this.notMeasured.encoderSessions = 'the driver reports no encoder sessions';
      if (reading.gpuMemory === null) this.notMeasured.gpuMemory = 'the driver reports no GPU memory';
    }
    this.collector?.push(reading);
    const baselineCpu = this.run.baseline?.machineCpu?.median ?? null;
    const decisionCpu = this.settings.cpuBasis === 'app' && baselineCpu !== null && reading.appCpu !== null ? baselineCpu + reading.appCpu : reading.cpu;
    this.reading = { ...reading, count: live.size, decisionCpu };
    this.checkExits();
    this.poke();
    this.emit();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Resolves once `done()` holds, checked on every sample, instance change and at `deadline`. */
  private async waitUntil(done: () => boolean, deadline: number | null): Promise<void> {
    for (;;) {
      if (this.abort.signal.aborted) throw new Cancelled();
      this.checkExits();
      if (done()) return;
      await new Promise<void>((resolve) => {
        const timer = deadline === null ? null : setTimeout(resolve, Math.max(5, deadline - Date.now()));
        this.wake = () => {
          if (timer) clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async race<T>(p: Promise<T>): Promise<T> {
    let settled = false;
    const out = p.finally(() => {
      settled = true;
      this.poke();
    });
    await this.waitUntil(() => settled || this.exit !== null, null);
    return out;
  }

  private setPhase(phase: ProbePhase, endsAt: number | null): void {
    this.phase = phase;
    this.phaseEndsAt = endsAt;
    this.emit();
  }

  private timeLeft(): number | null {
    if (this.run.state !== 'running') return 0;
    const now = Date.now();
    if (this.phase === 'baseline') return null;
    const rest = estimateSecondsLeft(this.run, this.profile.staggerSec);
    if (rest === null) return null;
    const inStep = Math.max(0, this.stepCost - (now - this.stepStartedAt) / 1000);
    const phaseLeft = this.phaseEndsAt ? Math.max(0, (this.phaseEndsAt - now) / 1000) : 0;
    return Math.round(Math.max(phaseLeft, inStep + Math.max(0, rest - this.stepCost)));
  }

  private emit(): void {
    this.deps.emit(this.live());
  }

  /** Writes the run as it stands; writes are queued so the last state always lands last. */
  private persist(): void {
    const snapshot = structuredClone(this.run);
    this.writes = this.writes.then(() =>
      this.store.save(snapshot).catch((e: Error) => {
        // The probe goes on (its result is on screen and in the CLI's output); say it is not in the history.
        this.run.error ??= `This run could not be saved: ${e.message}`;
      }),
    );
  }
}

export class ProbeRunner {
  private session: ProbeSession | null = null;
  private last: ProbeLive | null = null;
  readonly dir: string;
  private readonly store: ProbeStore;

  constructor(private readonly deps: ProbeRunnerDeps) {
    this.dir = path.join(deps.dataDir, 'probes');
    this.store = new ProbeStore(this.dir);
  }

  get running(): boolean {
    return this.session !== null;
  }

  /** Instances started by the probe in progress: a measurement, not seats for people. */
  instanceIds(): Set<string> {
    return new Set(this.session?.instanceIds() ?? []);
  }

  /** Starts a probe of `profile`; resolves at once with its first state. One probe at a time. */
  start(profile: Profile, settings: ProbeSettings = resolveSettings(ProbeSettingsSchema.parse({}))): ProbeLive {
    if (this.session) throw new ApiError('conflict', 'A probe is already running: wait for it to end or cancel it.');
    // A missing program is a clear error now, not "capacity 0" after the baseline. (A
    // relative path or a copy per instance is resolved per instance: its launch reports it.)
    if (!profile.copy.enabled && (path.isAbsolute(profile.exe) || !/[\\/]/.test(profile.exe))) resolveExecutable(profile.exe, '');
    const { supervisor, dataDir: _dataDir, ...deps } = this.deps;
    const session = new ProbeSession({ ...deps, instances: supervisorPort(supervisor), emit: (live) => this.onLive(live) }, profile, settings, this.store);
    this.session = session;
    void session.finished.then(
      () => {
        if (this.session === session) this.session = null;
      },
      () => {
        if (this.session === session) this.session = null;
      },
    );
    return session.live();
  }

  /** The run in progress ends when this resolves. */
  async wait(): Promise<ProbeRun | null> {
    return this.session ? this.session.finished : null;
  }

  /** Stops the probe and every instance it started; resolves when they are stopped. */
  async cancel(): Promise<boolean> {
    const s = this.session;
    if (!s) return false;
    s.cancel();
    await s.finished;
    return true;
  }

  status(): ProbeLive | null {
    return this.session?.live() ?? this.last;
  }

  private onLive(live: ProbeLive): void {
    this.last = live;
    this.deps.emit(live);
  }

  async history(): Promise<ProbeSummary[]> {
    const out: ProbeSummary[] = [];
    for (const id of await this.store.ids()) {
      const run = await this.read(id);
      if (run) out.push(summarize(run));
    }
    return out.sort((a, b) => b.startedAt - a.startedAt);
  }

  /** The capacity the newest run found: reads runs newest first and stops at the first with one (start-up reads one file, not the history). */
  async latestCapacity(): Promise<number | null> {
    for (const id of await this.store.ids()) {
      const capacity = (await this.read(id))?.result?.capacity;
      if (capacity != null) return capacity;
    }
    return null;
  }

  /** Finished runs' profile and capacity by id: a run is read once, not on every call. */
  private capacityMemo = new Map<string, { profileId: string; capacity: number | null }>();

  /**
   * The newest capacity found per profile (metrics). Lists the folder on every call (one
   * readdir) and reads only runs not seen before, so a scrape stays cheap with a long history.
   */
  async capacityByProfile(): Promise<Map<string, number>> {
    const ids = await this.store.ids(); // newest first
    const keep = new Set(ids);
    for (const id of this.capacityMemo.keys()) if (!keep.has(id)) this.capacityMemo.delete(id);
    const out = new Map<string, number>();
    for (const id of ids) {
      let m = this.capacityMemo.get(id);
      if (!m) {
        const run = await this.read(id);
        if (!run) continue;
        m = { profileId: run.app.profileId, capacity: run.result?.capacity ?? null };
        if (run.state !== 'running') this.capacityMemo.set(id, m);
      }
      if (m.capacity != null && !out.has(m.profileId)) out.set(m.profileId, m.capacity);
    }
    return out;
  }

  async get(id: string): Promise<ProbeRun> {
    const run = PROBE_ID.test(id) ? await this.read(id) : null;
    if (!run) throw new ApiError('not_found', `No probe run "${id.slice(0, 40)}". It may have been deleted; refresh the history.`);
    return run;
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    if (this.session?.run.id === id) throw new ApiError('conflict', 'This probe is still running: cancel it first.');
    await this.store.remove(id);
    if (this.last?.run.id === id) this.last = null;
  }

  /** The run in progress as it stands, else the saved one. */
  private read(id: string): Promise<ProbeRun | null> {
    if (this.session?.run.id === id) return Promise.resolve(this.session.run);
    return this.store.read(id);
  }

  /** Cancels a running probe (StreamCap is closing). */
  async close(): Promise<void> {
    await this.cancel();
  }
}
