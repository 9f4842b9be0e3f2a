// The core: everything StreamCap does, behind one command dispatcher and one
// event stream. The Electron shell, the agent and the CLI are thin doors onto it.
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { z } from 'zod';
import {
  ApiError,
  commandInputs,
  isCommandName,
  parseCommandInput,
  type AppEvent,
  type CommandName,
  type CommandOutputs,
  type HostInfo,
  type OrphanInfo,
  type Profile,
  type Snapshot,
} from '../../shared/contract';
import { AdmissionService, type AdmissionOptions } from './admission';
import { ensureInstanceCopy, mapIntoCopy } from './copier';
import { openGpuSource } from './gpu/open';
import type { GpuSource } from './gpu/source';
import { Ledger, type Orphan } from './ledger';
import { ProbeRunner } from './probe-runner';
import { probeExport } from '../../shared/probe-report';
import { resolveSettings } from '../../shared/probe';
import { detectDemoProfile, ProfileStore } from './profiles';
import { Sampler } from './sampler';
import { stopTree } from './process-control';
import { Supervisor, type PrepareHook, type SupervisorOptions } from './supervisor';
import { ProcSystemReader } from './system-reader';
import { ChromiumViewerHost, type ViewerHost } from './streams/viewer-host';
import { StreamWatcher } from './streams/watcher';
import { defaultDataDir, ensureDir, sweepTempFiles } from './storage';
import { FleetService, isFleetCommandName } from './fleet/service';
import type { TokenSealer } from './fleet/store';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

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
  fleet?: { file?: string; frontDoor?: boolean; heartbeatTimeoutSec?: number; sealer?: TokenSealer };
}

type Listener = (event: AppEvent) => void;

export class Core {
  readonly dataDir: string;
  readonly profiles: ProfileStore;
  readonly supervisor: Supervisor;
  readonly sampler: Sampler;
  readonly ledger: Ledger;
  readonly probe: ProbeRunner;
  readonly admission: AdmissionService;
  readonly streams: StreamWatcher;
  readonly fleet: FleetService;
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
    this.profiles = new ProfileStore(this.dataDir, demo);
    this.ledger = new Ledger(path.join(this.dataDir, 'ledger'));
    this.supervisor = new Supervisor(this.ledger, opts.supervisor, this.copyHook);
    const gpu = opts.gpu ?? openGpuSource(interval);
    this.sampler = new Sampler(this.supervisor, new ProcSystemReader(this.dataDir), gpu, interval);
    this.streams = new StreamWatcher(opts.viewers ?? new ChromiumViewerHost());
    this.sampler.streams = this.streams;
    this.admission = new AdmissionService({
      dataDir: this.dataDir,
      ...opts.admission,
      onSnapshot: (data) => this.emit({ type: 'admission', data }),
    });
    this.supervisor.on('change', () => {
      const list = this.supervisor.list();
      this.emit({ type: 'instances', data: list });
      this.streams.sync(list);
      // Instances a capacity probe started are a measurement, not seats for people.
      const probing = this.probe?.instanceIds() ?? new Set<string>();
      const seats = list.filter((i) => i.state === 'running' && !probing.has(i.id));
      // Pages first: someone seated by the new instance list gets its link in the same notice.
      this.admission.setPlayerPages(new Map(seats.filter((i) => i.stream?.playerUrl).map((i) => [i.n, i.stream!.playerUrl])));
      this.admission.setStreamers(new Map(seats.filter((i) => i.stream).map((i) => [i.n, { id: i.stream!.streamerId, ownViewers: i.stream!.viewers }])));
      this.admission.setRunningInstances(seats.map((i) => i.n));
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
    this.admission.setProbeCapacity(this.probe.latestCapacity());
    this.fleet = new FleetService({
      file: opts.fleet?.file ?? path.join(this.dataDir, 'fleet.json'),
      sealer: opts.fleet?.sealer,
      frontDoor: opts.fleet?.frontDoor ? { dataDir: this.dataDir, heartbeatTimeoutSec: opts.fleet.heartbeatTimeoutSec } : null,
      emit: (data) => this.emit({ type: 'fleet', data }),
    });
    this.sampler.onSample((s) => {
      this.history.push(s);
      if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
      this.emit({ type: 'sample', data: s });
    });
  }

  static async create(opts: CoreOptions = {}): Promise<Core> {
    const core = new Core(opts, await detectDemoProfile());
    core.orphans = core.ledger.findOrphans();
    const policy = opts.orphanPolicy ?? 'ask';
    if (core.orphans.length > 0 && policy !== 'ask') await core.resolveOrphans(policy);
    // Nothing left running from before a crash: the seats follow this run's instances.
    if (core.orphans.length === 0) core.admission.instancesKnown();
    if (opts.autoStart !== false) core.sampler.start();
    return core;
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
    if (this.closed) throw new ApiError('conflict', 'StreamCap is shutting down.');
    if (!isCommandName(name)) throw new ApiError('unknown_command', `Unknown command "${String(name).slice(0, 64)}".`);
    if (isFleetCommandName(name)) return this.fleet.run(name, parseCommandInput(name, payload));
    return this.run(name, payload);
  }

  private async run<K extends CommandName>(name: K, payload: unknown): Promise<CommandOutputs[K]> {
    const input = parseCommandInput(name, payload) as never;
    type Out = CommandOutputs[K];
    switch (name) {
      case 'host.info':
        return this.hostInfo() as Out;
      case 'profiles.list':
        return this.profiles.list() as Out;
      case 'profiles.save': {
        const saved = await this.profiles.save(input);
        this.emit({ type: 'profiles', data: this.profiles.list() });
        return saved as Out;
      }
      case 'profiles.delete': {
        const { id } = input as { id: string };
        await this.profiles.delete(id);
        this.emit({ type: 'profiles', data: this.profiles.list() });
        return { deleted: id } as Out;
      }
      case 'instances.list':
        return this.supervisor.list() as Out;
      case 'instances.launch': {
        const { profileId, count } = input as { profileId: string; count: number };
        const profile = this.profiles.get(profileId);
        return { ids: this.supervisor.launch(profile, count, this.gpuCount()).ids } as Out;
      }
      case 'instances.stop':
        return (await this.supervisor.stop((input as { id: string }).id)) as Out;
      case 'instances.stopAll':
        // "Stop all" means everything: a probe would otherwise read its stopped instances as exits and go on.
        await this.probe.cancel();
        return { stopped: await this.supervisor.stopAll() } as Out;
      case 'instances.restart':
        return (await this.supervisor.restart((input as { id: string }).id)) as Out;
      case 'instances.clearExited':
        return { removed: this.supervisor.clearExited() } as Out;
      case 'instances.log': {
        const rec = this.supervisor.get((input as { id: string }).id);
        return { id: rec.info.id, lines: rec.log.all(), droppedLines: rec.log.dropped } as Out;
      }
      case 'streams.reconnect': {
        const { id } = input as { id: string };
        this.supervisor.get(id); // 404 for an unknown instance
        return { id, viewers: this.streams.reconnect(id) } as Out;
      }
      case 'orphans.list':
        return this.orphanList() as Out;
      case 'orphans.resolve':
        return (await this.resolveOrphans((input as { action: 'stop' | 'adopt' }).action)) as Out;
      case 'metrics.history':
        return this.history as Out;
      case 'probe.start': {
        const { profileId, ...settings } = input as z.output<(typeof commandInputs)['probe.start']>;
        if (settings.maxSettleSec !== undefined && settings.maxSettleSec < settings.settleSec) {
          // Silently raising it to the settle window would run a probe other than the one asked for.
          const msg = `maxSettleSec: at least settleSec (${settings.settleSec} s): the window grows from the settle window up to it. Leave it out for 3 × settleSec.`;
          throw new ApiError('invalid_payload', `Invalid payload for probe.start: ${msg}`, [msg]);
        }
        return this.probe.start(this.profiles.get(profileId), resolveSettings(settings)) as Out;
      }
      case 'probe.cancel':
        return { cancelled: await this.probe.cancel() } as Out;
      case 'probe.status':
        return this.probe.status() as Out;
      case 'probe.history':
        return this.probe.history() as Out;
      case 'probe.get':
        return this.probe.get((input as { id: string }).id) as Out;
      case 'probe.delete': {
        const { id } = input as { id: string };
        this.probe.delete(id);
        return { deleted: id } as Out;
      }
      case 'probe.export': {
        const { id, format, compareId, lang } = input as z.output<(typeof commandInputs)['probe.export']>;
        if (compareId !== undefined && format !== 'html') {
          const msg = `compareId: a comparison is an HTML report; send "format": "html" with it, or leave compareId out for ${format.toUpperCase()}.`;
          throw new ApiError('invalid_payload', `Invalid payload for probe.export: ${msg}`, [msg]);
        }
        return probeExport(this.probe.get(id), format, lang, compareId ? this.probe.get(compareId) : undefined) as Out;
      }
      case 'admission.get':
        return this.admission.snapshot() as Out;
      case 'admission.set':
        return (await this.admission.setConfig(input)) as Out;
      case 'admission.kick':
        return this.admission.kick((input as { id: string }).id) as Out;
      case 'admission.promote':
        return this.admission.promote((input as { id: string }).id) as Out;
      case 'admission.move': {
        const { id, position } = input as { id: string; position: number };
        return this.admission.move(id, position) as Out;
      }
      case 'admission.simulate':
        return this.admission.simulate(input) as Out;
    }
    throw new ApiError('unknown_command', `Unknown command "${name}".`);
  }

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
