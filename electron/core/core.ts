// The core: everything StreamCap does, behind one command dispatcher and one
// event stream. The Electron shell, the agent and the CLI are thin doors onto it.
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { z } from 'zod';
import {
  ApiError,
  isCommandName,
  parseCommandInput,
  type AppEvent,
  type CommandInput,
  type CommandName,
  type CommandOutputs,
  type CommandParsed,
  type HostInfo,
  type OrphanInfo,
  type Profile,
  type Snapshot,
} from '../../shared/contract';
import { AdmissionService, type AdmissionOptions } from './admission/service';
import type { SessionNotice } from '../../shared/wire/sessions';
import type { MetricsSource } from './metrics';
import { ensureInstanceCopy, mapIntoCopy } from './copier';
import { openGpuSource } from './gpu/open';
import type { GpuSource } from './gpu/source';
import { Ledger, type Orphan } from './ledger';
import { ProbeRunner } from './probe-runner';
import { probeExport } from '../../shared/probe-report';
import { resolveSettings } from '../../shared/probe';
import { detectDemoProfile, ProfileStore } from './profiles';
import { Sampler } from './sampler';
import { resolveExecutable, stopTree } from './process-control';
import { InstanceOutput } from './instance-output';
import { Supervisor, type PrepareHook, type SupervisorOptions } from './supervisor';
import { ProcSystemReader } from './system-reader';
import { ChromiumViewerHost, type ViewerHost } from './streams/viewer-host';
import { StreamWatcher } from './streams/watcher';
import { defaultDataDir, ensureDir, sweepTempFiles } from './storage';
import { FleetService } from './fleet/service';
import type { JsonAnswer } from './fleet/http-client';
import type { WebSocket } from 'ws';
import type { TokenSealer } from './fleet/store';

// Read, and checked rather than cast: a package.json without a version is a broken install, said at start.
const pkg = z.object({ version: z.string() }).parse(createRequire(import.meta.url)('../../package.json'));

export type OrphanPolicy = 'ask' | 'stop' | 'adopt';

export interface CoreOptions {
  dataDir?: string;
  sampleIntervalMs?: number;
  supervisor?: Partial<SupervisorOptions>;
  orphanPolicy?: OrphanPolicy;
  /** Minutes of snapshots kept for clients that connect later (chart windows). */
  historyMinutes?: number;
  gpu?: GpuSource;
  /** Start sampling at once (default true). */
  autoStart?: boolean;
  /** Admission service options (tests shorten its timers). */
  admission?: Omit<AdmissionOptions, 'dataDir' | 'onSnapshot'>;
  /** Where the measuring viewers run (default: a headless Chromium found on the machine; Electron passes a hidden window). */
  viewers?: ViewerHost;
  /** The fleet: the servers list file (default fleet.json in the data folder), and whether this core is the front door (agent --fleet). */
  /** false: no links to the members (a one-shot CLI command); the list is still read and edited. */
  fleet?: { file?: string; frontDoor?: boolean; heartbeatTimeoutSec?: number; sealer?: TokenSealer } | false;
}

type Listener = (event: AppEvent) => void;

/** What a door may do with a fleet member: relay commands and its event socket (electron/server/fleet-proxy.ts). */
export interface FleetMemberAccess {
  name: string;
  command(name: string, payload: unknown): Promise<JsonAnswer>;
  /** A new socket on the member's /api/v1/events, opened with its token. */
  openEvents(): WebSocket;
}

/** One handler per command: its input is what the command's schema parsed, its output what the contract says it returns. */
type Handlers = { [K in CommandName]: (input: CommandParsed<K>) => CommandOutputs[K] | Promise<CommandOutputs[K]> };

/**
 * The core's whole API: `run` (typed, for code in this process) and `invoke` (an
 * untrusted name and payload, for the doors), `subscribe` to its events, and the few
 * things that are not request and answer (a person's notices, start-up facts). Its
 * subsystems are private: a door never reaches past this class.
 */
export class Core {
  readonly dataDir: string;
  private readonly profiles: ProfileStore;
  private readonly supervisor: Supervisor;
  private readonly sampler: Sampler;
  private readonly ledger: Ledger;
  private readonly probe: ProbeRunner;
  private readonly admission: AdmissionService;
  private readonly streams: StreamWatcher;
  private readonly fleet: FleetService;
  private listeners = new Set<Listener>();
  private history: Snapshot[] = [];
  private readonly historySize: number;
  private orphans: Orphan[] = [];
  private closed = false;

  private constructor(opts: CoreOptions, demo: Profile) {
    this.dataDir = opts.dataDir ?? defaultDataDir();
    ensureDir(this.dataDir);
    // Temp files of a StreamCap killed mid-write: never read, only in the way.
    for (const dir of [this.dataDir, path.join(this.dataDir, 'probes'), path.join(this.dataDir, 'ledger')]) sweepTempFiles(dir);
    const interval = opts.sampleIntervalMs ?? 1000;
    this.historySize = Math.ceil(((opts.historyMinutes ?? 10) * 60000) / interval);
    // Built in dependency order, then wired: no listener runs before what it calls exists.
    this.profiles = new ProfileStore(this.dataDir, demo);
    this.ledger = new Ledger(path.join(this.dataDir, 'ledger'));
    const outputDir = path.join(this.dataDir, 'output');
    // Output of instances no ledger lists any more (cleared, or ended while no StreamCap watched).
    InstanceOutput.prune(outputDir, this.ledger.listedIds());
    this.supervisor = new Supervisor(this.ledger, { outputDir, ...opts.supervisor }, this.copyHook);
    const gpu = opts.gpu ?? openGpuSource(interval);
    this.sampler = new Sampler(this.supervisor, new ProcSystemReader(this.dataDir), gpu, interval);
    this.streams = new StreamWatcher(opts.viewers ?? new ChromiumViewerHost());
    this.sampler.streams = this.streams;
    this.admission = new AdmissionService({
      dataDir: this.dataDir,
      ...opts.admission,
      onSnapshot: (data) => this.emit({ type: 'admission', data }),
    });
    this.probe = new ProbeRunner({
      supervisor: this.supervisor,
      sampler: this.sampler,
      hostInfo: () => this.hostInfo(),
      gpuCount: () => this.gpuCount(),
      dataDir: this.dataDir,
      emit: (data) => {
        this.emit({ type: 'probe', data });
        if (data.run.state !== 'running' && data.run.result?.capacity != null) this.admission.setProbeCapacity(data.run.result.capacity);
      },
    });
    const fleet = opts.fleet === false ? null : (opts.fleet ?? {});
    this.fleet = new FleetService({
      file: fleet?.file ?? path.join(this.dataDir, 'fleet.json'),
      sealer: fleet?.sealer,
      connect: fleet !== null,
      frontDoor: fleet?.frontDoor ? { dataDir: this.dataDir, heartbeatTimeoutSec: fleet.heartbeatTimeoutSec } : null,
      emit: (data) => this.emit({ type: 'fleet', data }),
    });
    this.supervisor.on('change', () => this.onInstancesChanged());
    this.sampler.onSample((s) => {
      this.history.push(s);
      if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
      this.emit({ type: 'sample', data: s });
    });
  }

  static async create(opts: CoreOptions = {}): Promise<Core> {
    const core = new Core(opts, await detectDemoProfile());
    core.admission.setProbeCapacity(await core.probe.latestCapacity());
    core.orphans = core.ledger.findOrphans();
    const policy = opts.orphanPolicy ?? 'ask';
    if (core.orphans.length > 0 && policy !== 'ask') await core.resolveOrphans(policy);
    // Nothing left running from before a crash: the seats follow this run's instances.
    if (core.orphans.length === 0) core.admission.instancesKnown();
    if (opts.autoStart !== false) core.sampler.start();
    return core;
  }

  /** Where a program would be started from, or an ApiError('exe_not_found') that says why not: for a door to fail fast, before a core exists. */
  static findExecutable(exe: string, cwd: string): string {
    return resolveExecutable(exe, cwd);
  }

  private onInstancesChanged(): void {
    const list = this.supervisor.list();
    this.emit({ type: 'instances', data: list });
    this.streams.sync(list);
    // Instances a capacity probe started are a measurement, not seats for people.
    const probing = this.probe.instanceIds();
    const seats = list.filter((i) => i.state === 'running' && !probing.has(i.id));
    // Pages first: someone seated by the new instance list gets its link in the same notice.
    const pages = new Map<number, string>();
    const streamers = new Map<number, { id: string; ownViewers: number }>();
    for (const i of seats) {
      if (!i.stream) continue;
      if (i.stream.playerUrl) pages.set(i.n, i.stream.playerUrl);
      streamers.set(i.n, { id: i.stream.streamerId, ownViewers: i.stream.viewers });
    }
    this.admission.setPlayerPages(pages);
    this.admission.setStreamers(streamers);
    this.admission.setRunningInstances(seats.map((i) => i.n));
  }

  private copyHook: PrepareHook = async (rec, report) => {
    const c = rec.profile.copy;
    if (!c.enabled) return null;
    const source = path.resolve(c.sourceDir);
    const { dir } = await ensureInstanceCopy(source, path.resolve(c.targetDir), rec.info.n, report);
    rec.log.push('system', `using copy ${dir}`);
    return { exe: mapIntoCopy(rec.info.exe, source, dir), cwd: mapIntoCopy(rec.info.cwd, source, dir) };
  };

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(event: AppEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(event);
      } catch {
        /* a failing listener must not stop the others */
      }
    }
  }

  /** What a client that connects now needs first: the current value of each state event (the samples follow by themselves). */
  currentState(): AppEvent[] {
    return [
      { type: 'profiles', data: this.profiles.list() },
      { type: 'instances', data: this.supervisor.list() },
      { type: 'orphans', data: this.orphanList() },
      { type: 'admission', data: this.admission.snapshot() },
      { type: 'fleet', data: this.fleet.overview() },
    ];
  }

  /** Follows one person's place: the current view at once, then every change, then how it ended. Returns the unsubscribe. */
  watchSession(id: string, fn: (notice: SessionNotice) => void): () => void {
    return this.fleet.frontDoor ? this.fleet.frontDoor.watch(id, fn) : this.admission.watch(id, fn);
  }

  /** A fleet member's link, for the door that relays its console (its token stays in the core). */
  fleetMember(name: string): FleetMemberAccess {
    const m = this.fleet.member(name);
    return { name: m.name, command: (cmd, payload) => m.command(cmd, payload), openEvents: () => m.openEvents() };
  }

  /** The fleet at start: the servers list's problem (null: read well) and the front door's restored line. */
  get fleetStart(): { problem: string | null; servers: string[]; frontDoor: boolean; restored: number } {
    return { problem: this.fleet.store.loadProblem, servers: this.fleet.store.list().map((s) => s.name), frontDoor: this.fleet.frontDoor !== null, restored: this.fleet.frontDoor?.restored ?? 0 };
  }

  /** Where people find the waiting room (the door that serves it knows its address). */
  setWaitingRoomUrl(url: string | null): void {
    this.admission.setWaitingRoomUrl(url);
  }

  /** The waiting line as the journal gave it back at start (null: nothing to restore). */
  get restoredLine(): { people: number; repaired: string | null } | null {
    return this.admission.restored;
  }

  /** Stored settings that could not be read at start (damaged, not accepted): what is in use instead, in words. */
  get settingsProblems(): string[] {
    return [this.admission.loadProblem, this.profiles.loadProblem].filter((p): p is string => p !== null);
  }

  /** What the Prometheus exposition reads (electron/core/metrics.ts). */
  metricsSource(): MetricsSource {
    return {
      version: pkg.version,
      latest: () => this.sampler.latest,
      instances: () => this.supervisor.list(),
      admission: this.admission,
      probeCapacities: () => this.probe.capacityByProfile(),
      subscribe: (fn) => this.subscribe(fn),
    };
  }

  orphanList(): OrphanInfo[] {
    return this.orphans.map(({ entry: _e, tree: _t, file: _f, ...info }) => info);
  }

  async resolveOrphans(action: 'stop' | 'adopt'): Promise<{ stopped: number; adopted: number }> {
    const list = this.orphans;
    this.orphans = [];
    let stopped = 0;
    let adopted = 0;
    if (action === 'stop') {
      await Promise.all(list.map((o) => stopTree(o.pid, o.pgid, o.tree, 3000).then(() => o.tree.close())));
      stopped = list.length;
    } else {
      adopted = await this.supervisor.adopt(list);
    }
    Ledger.forget(list.map((o) => o.file));
    this.admission.instancesKnown();
    this.emit({ type: 'orphans', data: [] });
    return { stopped, adopted };
  }

  hostInfo(): HostInfo {
    const cpus = os.cpus();
    const gpus = this.sampler.latest?.gpus;
    return {
      hostname: os.hostname(),
      platform: process.platform,
      os: `${os.type()} ${os.release()}`,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
      cores: cpus.length,
      memoryMB: Math.round(os.totalmem() / 2 ** 20),
      gpus: gpus?.ok ? gpus.value.map((g) => ({ index: g.index, name: g.name })) : [],
      locale: process.env.STREAMCAP_LOCALE ?? Intl.DateTimeFormat().resolvedOptions().locale,
      version: pkg.version,
      sampleIntervalMs: this.sampler.intervalMs,
      dataDir: this.dataDir,
    };
  }

  private gpuCount(): number {
    const g = this.sampler.latest?.gpus;
    return g?.ok ? g.value.length : 0;
  }

  /** Runs a command by name with an untrusted payload: validated here, for every door. */
  async invoke(name: string, payload: unknown): Promise<unknown> {
    if (!isCommandName(name)) throw new ApiError('unknown_command', `Unknown command "${String(name).slice(0, 64)}".`);
    return this.run(name, payload);
  }

  /** Runs a command: the payload is validated by the command's schema (a typed caller still passes through it). */
  async run<K extends CommandName>(name: K, payload: CommandInput<K> | unknown): Promise<CommandOutputs[K]> {
    if (this.closed) throw new ApiError('conflict', 'StreamCap is shutting down.');
    const handler: Handlers[K] = this.handlers[name];
    return handler(parseCommandInput(name, payload));
  }

  private saveProfile = async (input: CommandParsed<'profiles.save'>): Promise<Profile> => {
    const saved = await this.profiles.save(input);
    this.emit({ type: 'profiles', data: this.profiles.list() });
    return saved;
  };

  private readonly handlers: Handlers = {
    'host.info': () => this.hostInfo(),
    'profiles.list': () => this.profiles.list(),
    'profiles.save': this.saveProfile,
    'profiles.delete': async ({ id }) => {
      await this.profiles.delete(id);
      this.emit({ type: 'profiles', data: this.profiles.list() });
      return { deleted: id };
    },
    'instances.list': () => this.supervisor.list(),
    'instances.launch': ({ profileId, count }) => ({ ids: this.supervisor.launch(this.profiles.get(profileId), count, this.gpuCount()).ids }),
    'instances.launchExe': ({ profile, count }) => {
      // A program described ad hoc is checked now: a missing one is a clear error, not N failed instances.
      if (!profile.copy.enabled) resolveExecutable(profile.exe, profile.cwd);
      return { ids: this.supervisor.launch(profile, count, this.gpuCount()).ids };
    },
    'instances.stop': ({ id }) => this.supervisor.stop(id),
    'instances.stopAll': async () => {
      // "Stop all" means everything: a probe would otherwise read its stopped instances as exits and go on.
      await this.probe.cancel();
      return { stopped: await this.supervisor.stopAll() };
    },
    'instances.restart': ({ id }) => this.supervisor.restart(id),
    'instances.clearExited': () => ({ removed: this.supervisor.clearExited() }),
    'instances.log': ({ id }) => {
      const rec = this.supervisor.get(id);
      return { id: rec.info.id, lines: rec.log.all(), droppedLines: rec.log.dropped };
    },
    'streams.reconnect': ({ id }) => {
      this.supervisor.get(id); // 404 for an unknown instance
      return { id, viewers: this.streams.reconnect(id) };
    },
    'orphans.list': () => this.orphanList(),
    'orphans.resolve': ({ action }) => this.resolveOrphans(action),
    'metrics.history': () => this.history,
    'metrics.latest': () => this.sampler.latest,
    'probe.start': ({ profileId, profile, ...settings }) => {
      if (settings.maxSettleSec !== undefined && settings.maxSettleSec < settings.settleSec) {
        // Silently raising it to the settle window would run a probe other than the one asked for.
        const msg = `maxSettleSec: at least settleSec (${settings.settleSec} s): the window grows from the settle window up to it. Leave it out for 3 × settleSec.`;
        throw new ApiError('invalid_payload', `Invalid payload for probe.start: ${msg}`, [msg]);
      }
      return this.probe.start(profile ?? this.profiles.get(profileId ?? ''), resolveSettings(settings));
    },
    'probe.wait': () => this.probe.wait(),
    'probe.cancel': async () => ({ cancelled: await this.probe.cancel() }),
    'probe.status': () => this.probe.status(),
    'probe.history': () => this.probe.history(),
    'probe.get': ({ id }) => this.probe.get(id),
    'probe.delete': async ({ id }) => {
      await this.probe.delete(id);
      return { deleted: id };
    },
    'probe.export': async ({ id, format, compareId, lang }) => {
      if (compareId !== undefined && format !== 'html') {
        const msg = `compareId: a comparison is an HTML report; send "format": "html" with it, or leave compareId out for ${format.toUpperCase()}.`;
        throw new ApiError('invalid_payload', `Invalid payload for probe.export: ${msg}`, [msg]);
      }
      return probeExport(await this.probe.get(id), format, lang, compareId ? await this.probe.get(compareId) : undefined);
    },
    'admission.get': () => this.admission.snapshot(),
    'admission.set': (patch) => this.admission.setConfig(patch),
    'admission.kick': ({ id }) => this.admission.kick(id),
    'admission.promote': ({ id }) => this.admission.promote(id),
    'admission.move': ({ id, position }) => this.admission.move(id, position),
    'admission.simulate': (settings) => this.admission.simulate(settings),
    'admission.queue': ({ offset, limit }) => this.admission.queuePage(offset, limit),
    // The people's side: on a fleet's front door (agent --fleet) the fleet's one line, else this server's own.
    'sessions.join': ({ person, owner, maxPerOwner }) => (this.fleet.frontDoor ?? this.admission).join(person, { owner, maxPerOwner }),
    'sessions.get': ({ id }) => (this.fleet.frontDoor ?? this.admission).get(id),
    'sessions.leave': async ({ id }) => {
      await (this.fleet.frontDoor ?? this.admission).leave(id);
      return { left: id };
    },
    'sessions.heartbeat': ({ id }) => {
      const line = this.fleet.frontDoor ?? this.admission;
      return { alive: line.heartbeat(id), heartbeatTimeoutSec: line.getConfig().heartbeatTimeoutSec };
    },
    // The fleet (electron/core/fleet/service.ts runs them).
    'fleet.list': (i) => this.fleet.run('fleet.list', i),
    'fleet.add': (i) => this.fleet.run('fleet.add', i),
    'fleet.rename': (i) => this.fleet.run('fleet.rename', i),
    'fleet.remove': (i) => this.fleet.run('fleet.remove', i),
    'fleet.launch': (i) => this.fleet.run('fleet.launch', i),
    'fleet.stopAll': (i) => this.fleet.run('fleet.stopAll', i),
    'fleet.drain': (i) => this.fleet.run('fleet.drain', i),
  };

  /** Stops sampling and, unless told otherwise, every instance. */
  async shutdown(opts: { stopInstances?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fleet.close();
    await this.admission.close();
    await this.probe.close();
    if (opts.stopInstances !== false) await this.supervisor.stopAll();
    await this.streams.close();
    this.sampler.stop();
    this.listeners.clear();
  }
}
