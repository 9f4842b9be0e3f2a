// Supervises instances: launch N with a stagger, stop (whole tree, grace then kill),
// restart, auto-restart with exponential backoff that gives up, and adoption of
// instances a previous StreamCap left behind. Emits 'change' whenever an
// instance's public state changed.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { ApiError, isFinished, type InstanceInfo, type InstanceState, type InstanceStream, type Profile } from '../../shared/contract';
import { expandPlaceholders, instanceContext } from '../../shared/placeholders';
import type { Ledger, Orphan } from './ledger';
import { resolveExecutable, spawnInstance, stopTree } from './process-control';
import { openTree, type InstanceTree } from './proc/tree';
import { transition } from './instance-states';
import { RingLog } from './ring-log';
import { InstanceOutput } from './instance-output';

export interface SupervisorOptions {
  graceMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A run this long resets the failure count. */
  stableMs: number;
  /** Lines kept per instance. */
  logLines: number;
  /** Where instances' stdout and stderr files go (instance-output.ts); null: pipes. */
  outputDir: string | null;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = {
  graceMs: 5000,
  backoffBaseMs: 1000,
  backoffMaxMs: 15000,
  stableMs: 30000,
  logLines: 1000,
  outputDir: null,
};

/** What a launch needs before the process starts (copy per instance may move the exe and cwd). */
export type PrepareHook = (rec: Instance, report: (done: number, total: number) => void) => Promise<{ exe: string; cwd: string } | null>;

export interface Instance {
  info: InstanceInfo;
  profile: Profile;
  env: Record<string, string>;
  child: ChildProcess | null;
  tree: InstanceTree | null;
  log: RingLog;
  /** The files its output goes to, while it runs (null: pipes, or not running). */
  output: InstanceOutput | null;
  failures: number;
  stableTimer: NodeJS.Timeout | null;
  restartTimer: NodeJS.Timeout | null;
  stopping: Promise<void> | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An instance's stream target, from its profile's templates (null: the profile has no stream settings). */
export function instanceStream(profile: Profile, expand: (s: string) => string): InstanceStream | null {
  const st = profile.stream;
  if (!st || st.signallingUrl.trim() === '') return null;
  return { signallingUrl: expand(st.signallingUrl), streamerId: expand(st.streamerId), playerUrl: expand(st.playerUrl), viewers: st.viewers };
}

export class Supervisor extends EventEmitter {
  readonly instances = new Map<string, Instance>();
  private readonly opts: SupervisorOptions;
  private launchGeneration = 0;
  private changeQueued = false;

  constructor(
    private readonly ledger: Ledger,
    opts: Partial<SupervisorOptions> = {},
    private readonly prepare: PrepareHook | null = null,
  ) {
    super();
    this.opts = { ...DEFAULT_SUPERVISOR_OPTIONS, ...opts };
  }

  list(): InstanceInfo[] {
    return [...this.instances.values()].map((r) => ({ ...r.info, lastLines: r.log.tail(5) }));
  }

  get(id: string): Instance {
    const rec = this.instances.get(id);
    if (!rec) throw new ApiError('not_found', `No instance ${id}. It may have been cleared; refresh the list.`);
    return rec;
  }

  private changed(): void {
    if (this.changeQueued) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      this.emit('change');
    });
  }

  /**
   * The one place an instance changes state: through the transition table
   * (instance-states.ts). An illegal change is refused and logged in the instance's
   * log. `quiet`: no 'change' event (the launch's own copying and starting steps).
   */
  private setState(rec: Instance, state: InstanceState, reason: string | null = rec.info.reason, quiet = false): void {
    const result = transition(rec.info, state, reason);
    if (!result.ok) {
      rec.log.push('system', result.message);
      return;
    }
    if (!quiet) this.changed();
  }

  /** The one constructor of an instance record: what is not given starts empty (no process, no exit, no restarts). */
  private newInstance(profile: Profile, info: Pick<InstanceInfo, 'id' | 'n' | 'state' | 'reason'> & Partial<InstanceInfo>, env: Record<string, string>): Instance {
    return {
      info: {
        profileId: profile.id,
        profileName: profile.name,
        exe: profile.exe,
        args: [],
        cwd: '',
        gpu: null,
        pid: null,
        startedAt: null,
        endedAt: null,
        exitCode: null,
        signal: null,
        restarts: 0,
        restartAt: null,
        adopted: false,
        launcherExited: false,
        copyProgress: null,
        lastLines: [],
        stream: null,
        ...info,
      },
      profile,
      env,
      child: null,
      tree: null,
      log: new RingLog(this.opts.logLines),
      output: null,
      failures: 0,
      stableTimer: null,
      restartTimer: null,
      stopping: null,
    };
  }

  /**
   * Creates `count` instances of a profile and starts them one after another,
   * `staggerSec` apart. Resolves with their ids at once; `started` resolves when the
   * last one was started (or the launch was cancelled by stopAll).
   */
  launch(profile: Profile, count: number, gpuCount: number): { ids: string[]; started: Promise<void> } {
    const used = new Set([...this.instances.values()].filter((r) => r.profile.id === profile.id && !isFinished(r.info.state)).map((r) => r.info.n));
    const recs: Instance[] = [];
    for (let n = 1; recs.length < count; n++) {
      if (used.has(n)) continue;
      const ctx = instanceContext(n - 1, count, gpuCount);
      const expand = (s: string) => expandPlaceholders(s, ctx);
      const rec = this.newInstance(
        profile,
        {
          id: `${profile.id}-${n}-${randomUUID().slice(0, 6)}`,
          n,
          args: profile.args.map(expand),
          cwd: expand(profile.cwd),
          gpu: profile.gpuPinning && gpuCount > 0 ? ctx.gpu : null,
          state: 'starting',
          reason: 'waiting to start',
          stream: instanceStream(profile, expand),
        },
        Object.fromEntries(Object.entries(profile.env).map(([k, v]) => [k, expand(v)])),
      );
      this.instances.set(rec.info.id, rec);
      recs.push(rec);
    }
    this.changed();
    const generation = this.launchGeneration;
    const started = (async () => {
      for (let k = 0; k < recs.length; k++) {
        const rec = recs[k]!;
        if (generation !== this.launchGeneration || rec.info.state !== 'starting') {
          if (rec.info.state === 'starting') this.setState(rec, 'stopped', 'launch cancelled');
          continue;
        }
        if (this.prepare) {
          try {
            this.setState(rec, 'copying', rec.info.reason, true);
            const prepared = await this.prepare(rec, (done, total) => {
              rec.info.copyProgress = { done, total };
              this.changed();
            });
            rec.info.copyProgress = null;
            // Stopped while its folder was being copied: it stays stopped.
            if ((rec.info.state as InstanceState) !== 'copying') continue;
            if (prepared) {
              rec.info.exe = prepared.exe;
              rec.info.cwd = prepared.cwd;
            }
            this.setState(rec, 'starting', rec.info.reason, true);
          } catch (e) {
            rec.info.copyProgress = null;
            if ((rec.info.state as InstanceState) === 'copying') this.fail(rec, (e as Error).message);
            continue;
          }
          if (generation !== this.launchGeneration) {
            this.setState(rec, 'stopped', 'launch cancelled');
            continue;
          }
        }
        this.start(rec);
        if (k < recs.length - 1 && profile.staggerSec > 0) await sleep(profile.staggerSec * 1000);
      }
    })();
    return { ids: recs.map((r) => r.info.id), started };
  }

  private fail(rec: Instance, reason: string): void {
    rec.info.endedAt = Date.now();
    rec.log.push('system', reason);
    this.setState(rec, 'failed', reason);
  }

  /** Starts (or restarts) the process of an instance record. */
  private start(rec: Instance): void {
    let exe: string;
    let child: ChildProcess;
    const output = this.openOutput(rec);
    try {
      exe = resolveExecutable(rec.info.exe, rec.info.cwd);
      // On disk before the spawn: a kill -9 right after it must not lose the instance.
      this.ledger.intend({ id: rec.info.id, startedAt: Date.now(), exe, n: rec.info.n, profileId: rec.profile.id, profileName: rec.profile.name });
      child = spawnInstance(exe, rec.info.args, { cwd: rec.info.cwd, env: { ...rec.env, ...this.ledger.markerEnv(rec.info.id) }, stdio: output?.stdio() });
    } catch (e) {
      output?.close();
      this.ledger.remove(rec.info.id);
      this.fail(rec, (e as Error).message);
      return;
    } finally {
      output?.closeChildEnds();
    }
    rec.child = child;
    rec.info.pid = child.pid ?? null;
    rec.info.startedAt = Date.now();
    rec.info.endedAt = null;
    rec.info.exitCode = null;
    rec.info.signal = null;
    rec.info.restartAt = null;
    rec.info.launcherExited = false;
    this.attachOutput(rec, output);
    // Pipes only where the files could not be opened.
    child.stdout?.setEncoding('utf8').on('data', (d: string) => rec.log.write('stdout', d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => rec.log.write('stderr', d));
    child.on('error', (err) => {
      // 'error' may come without 'exit' (spawn failure).
      if (rec.child === child && child.pid === undefined) this.fail(rec, `Could not start ${exe}: ${err.message}`);
      else rec.log.push('system', `process error: ${err.message}`);
    });
    child.on('exit', (code, signal) => this.onExit(rec, child, code, signal));
    if (child.pid === undefined) {
      this.ledger.remove(rec.info.id);
      return; // 'error' follows
    }
    rec.tree = openTree(child.pid, child.pid);
    rec.log.push('system', `started pid ${child.pid}: ${exe} ${JSON.stringify(rec.info.args)}`);
    this.setState(rec, 'running', null);
    this.ledger.add({
      id: rec.info.id,
      pid: child.pid,
      pgid: child.pid,
      startTime: rec.tree?.rootStartTime ?? 0,
      startedAt: rec.info.startedAt,
      exe,
      n: rec.info.n,
      profileId: rec.profile.id,
      profileName: rec.profile.name,
    });
    if (this.ledger.lastError) rec.log.push('system', this.ledger.lastError);
    if (rec.stableTimer) clearTimeout(rec.stableTimer);
    rec.stableTimer = setTimeout(() => {
      rec.failures = 0;
    }, this.opts.stableMs);
    rec.stableTimer.unref();
  }

  /** New output files for a start; null (pipes, with the reason in the log) where they cannot be made. */
  private openOutput(rec: Instance): InstanceOutput | null {
    if (!this.opts.outputDir) return null;
    try {
      return InstanceOutput.create(this.opts.outputDir, rec.info.id);
    } catch (e) {
      rec.log.push('system', `output files not opened in ${this.opts.outputDir} (${(e as Error).message}): output goes through pipes, and stops if StreamCap does`);
      return null;
    }
  }

  private attachOutput(rec: Instance, output: InstanceOutput | null): void {
    rec.output?.close();
    rec.output = output;
    rec.log.source = output;
  }

  private onExit(rec: Instance, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (rec.child !== child) return;
    rec.output?.drain(rec.log);
    rec.log.flush();
    rec.info.exitCode = code;
    rec.info.signal = signal;
    if (rec.info.state === 'stopping') return; // stop() finishes the job
    // A launcher (bootstrapper EXE) may exit while the real process it started runs on.
    if (rec.tree) {
      rec.tree.rescan(Date.now(), true);
      const alive = rec.tree.aliveNow().filter((p) => p !== rec.info.pid);
      if (alive.length > 0) {
        rec.child = null; // from now on poll() watches the tree
        rec.info.launcherExited = true;
        rec.log.push('system', `launcher exited (${describeExit(code, signal)}); ${alive.length} process(es) it started still run`);
        this.setState(rec, 'running', `launcher exited (${describeExit(code, signal)})`);
        return;
      }
    }
    this.finish(rec, code, signal);
  }

  /** Lets go of an instance's processes: its tree is gone or was stopped. */
  private release(rec: Instance): void {
    rec.output?.drain(rec.log);
    this.attachOutput(rec, null);
    rec.child = null;
    rec.tree?.close();
    rec.tree = null;
    rec.info.endedAt = Date.now();
    if (rec.stableTimer) clearTimeout(rec.stableTimer);
    this.ledger.remove(rec.info.id);
  }

  /** The whole tree is gone: record how it ended, and restart if the profile asks. */
  private finish(rec: Instance, code: number | null, signal: string | null): void {
    this.release(rec);
    const crashed = signal !== null || (code !== null && code !== 0);
    const reason = code === null && signal === null ? 'ended (exit code unknown: adopted process)' : describeExit(code, signal);
    rec.log.push('system', `ended: ${reason}`);
    const auto = rec.profile.autoRestart;
    if (!crashed || !auto.enabled) {
      this.setState(rec, crashed ? 'crashed' : 'exited', reason);
      return;
    }
    rec.failures++;
    if (rec.failures > auto.maxRetries) {
      this.setState(rec, 'failed', `gave up after ${auto.maxRetries} restart${auto.maxRetries === 1 ? '' : 's'}; last: ${reason}`);
      return;
    }
    const delay = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** (rec.failures - 1));
    rec.info.restartAt = Date.now() + delay;
    rec.log.push('system', `restarting in ${(delay / 1000).toFixed(1)} s (attempt ${rec.failures} of ${auto.maxRetries})`);
    this.setState(rec, 'backoff', `${reason}; restart ${rec.failures}/${auto.maxRetries} in ${(delay / 1000).toFixed(1)} s`);
    rec.restartTimer = setTimeout(() => {
      rec.restartTimer = null;
      if (rec.info.state !== 'backoff') return;
      rec.info.restarts++;
      this.start(rec);
    }, delay);
  }

  /** Checks instances StreamCap has no child handle for (launcher gone, or adopted): is their tree still alive? */
  poll(): void {
    for (const rec of this.instances.values()) {
      rec.output?.drain(rec.log);
      if (rec.info.state === 'running' && !rec.child && rec.tree && rec.tree.aliveNow().length === 0) {
        this.finish(rec, rec.info.exitCode, rec.info.signal);
      }
    }
  }

  async stop(id: string): Promise<InstanceInfo> {
    const rec = this.get(id);
    await this.stopRecord(rec, 'stopped by user');
    return { ...rec.info, lastLines: rec.log.tail(5) };
  }

  private stopRecord(rec: Instance, reason: string): Promise<void> {
    if (rec.stopping) return rec.stopping;
    if (rec.restartTimer) {
      clearTimeout(rec.restartTimer);
      rec.restartTimer = null;
    }
    if (isFinished(rec.info.state)) return Promise.resolve();
    if (rec.info.state === 'backoff' || rec.info.state === 'starting' || rec.info.state === 'copying' || rec.info.pid === null) {
      rec.info.restartAt = null;
      rec.info.endedAt = Date.now();
      this.setState(rec, 'stopped', reason);
      return Promise.resolve();
    }
    this.setState(rec, 'stopping', 'stopping');
    const pid = rec.info.pid;
    rec.stopping = (async () => {
      const { forced } = await stopTree(pid, pid, rec.tree, this.opts.graceMs);
      rec.log.push('system', forced ? `killed after the ${this.opts.graceMs / 1000} s grace period` : 'stopped');
      // Let the child's 'exit' land so the exit code is known.
      if (rec.child && rec.child.exitCode === null && rec.child.signalCode === null) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, 1000);
          rec.child!.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      this.release(rec);
      const how = rec.info.exitCode !== null || rec.info.signal !== null ? ` (${describeExit(rec.info.exitCode, rec.info.signal)})` : '';
      this.setState(rec, 'stopped', reason + how);
    })().finally(() => {
      rec.stopping = null;
    });
    return rec.stopping;
  }

  /** Stops everything, including launches still staggering. */
  async stopAll(): Promise<number> {
    this.launchGeneration++;
    const live = [...this.instances.values()].filter((r) => !isFinished(r.info.state));
    await Promise.all(live.map((r) => this.stopRecord(r, 'stopped by user')));
    return live.length;
  }

  async restart(id: string): Promise<InstanceInfo> {
    const rec = this.get(id);
    if (rec.info.adopted)
      throw new ApiError('conflict', `Instance ${rec.info.n} was adopted from an earlier run: StreamCap does not know its arguments. Stop it and launch it again from its profile.`);
    if (rec.info.state === 'copying') throw new ApiError('conflict', `Instance ${rec.info.n} is still being copied; restart it once it runs.`);
    await this.stopRecord(rec, 'restarting');
    rec.failures = 0;
    rec.info.restarts++;
    this.start(rec);
    return { ...rec.info, lastLines: rec.log.tail(5) };
  }

  clearExited(): number {
    let removed = 0;
    for (const [id, rec] of this.instances) {
      if (isFinished(rec.info.state)) {
        this.instances.delete(id);
        this.removeOutput(id);
        removed++;
      }
    }
    if (removed) this.changed();
    return removed;
  }

  /** Removes ended instances by id, leaving every other record alone (the probe tidies up after itself). */
  forget(ids: Iterable<string>): number {
    let removed = 0;
    for (const id of ids) {
      const rec = this.instances.get(id);
      if (rec && isFinished(rec.info.state) && !rec.stopping) {
        this.instances.delete(id);
        this.removeOutput(id);
        removed++;
      }
    }
    if (removed) this.changed();
    return removed;
  }

  private removeOutput(id: string): void {
    if (this.opts.outputDir) InstanceOutput.remove(this.opts.outputDir, id);
  }

  /** Takes over instances found in a dead StreamCap's ledger. */
  async adopt(orphans: Orphan[]): Promise<number> {
    for (const o of orphans) {
      const e = o.entry;
      // The ledger keeps no profile: an adopted instance is known by its program and number only, and its stream not at all.
      const profile: Profile = {
        id: e.profileId,
        name: e.profileName,
        exe: e.exe,
        args: [],
        cwd: '',
        env: {},
        staggerSec: 0,
        gpuPinning: false,
        autoRestart: { enabled: false, maxRetries: 1 },
        copy: { enabled: false, sourceDir: '', targetDir: '' },
        stream: { signallingUrl: '', streamerId: '', playerUrl: '', viewers: 0 },
      };
      const rec = this.newInstance(profile, { id: e.id, n: e.n, state: 'running', pid: e.pid, startedAt: e.startedAt, reason: 'adopted from a previous StreamCap run', adopted: true }, {});
      rec.tree = o.tree;
      const output = this.opts.outputDir ? InstanceOutput.reopen(this.opts.outputDir, e.id) : null;
      this.attachOutput(rec, output);
      rec.log.push('system', `adopted pid ${e.pid}${output ? '' : ' (its output is not captured: it went to pipes of the StreamCap that started it)'}`);
      this.instances.set(e.id, rec);
      this.ledger.add(e);
    }
    this.changed();
    return orphans.length;
  }

  /** Instances whose process tree is up, for the sampler. */
  live(): Instance[] {
    return [...this.instances.values()].filter((r) => r.tree && (r.info.state === 'running' || r.info.state === 'stopping'));
  }
}

export function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `killed by ${signal}`;
  if (code === null) return 'exit code unknown';
  return `exit code ${code}`;
}
