// The fleet in the core: the servers list, a live link to every member agent, the
// overview the console shows (pushed as the "fleet" event, at least every second so
// ages and states move on), the actions across servers, and — on an agent run with
// --fleet — the front door's waiting room. Every fleet.* command is run here.
import { z } from 'zod';
import { ApiError } from '../../../shared/contract';
import { loadsOf, memberState, stressOf } from '../../../shared/fleet-rules';
import { entryFromAdd, fleetCommandInputs, type FleetCommandOutputs, type FleetMemberView, type FleetOverview, type ServerEntry } from '../../../shared/wire/fleet';
import { FrontDoor } from './front-door';
import { MemberLink } from './member';
import { ServerStore, type TokenSealer } from './store';
import { errorText } from './http-client';

export type FleetCommandName = keyof typeof fleetCommandInputs;
type In<K extends FleetCommandName> = z.output<(typeof fleetCommandInputs)[K]>;

export function isFleetCommandName(name: string): name is FleetCommandName {
  return Object.prototype.hasOwnProperty.call(fleetCommandInputs, name);
}

export interface FleetOptions {
  /** The servers list (fleet.json in the data folder, or the --fleet file). */
  file: string;
  sealer?: TokenSealer | null;
  /** Serve the front door's waiting room (an agent run with --fleet). */
  frontDoor?: { dataDir: string; heartbeatTimeoutSec?: number } | null;
  emit: (o: FleetOverview) => void;
  /** Link to the members (false: a one-shot command that only reads or edits the list). */
  connect?: boolean;
  /** How often the overview is pushed when nothing changed (ms). */
  tickMs?: number;
}

export class FleetService {
  readonly store: ServerStore;
  readonly frontDoor: FrontDoor | null;
  private readonly links = new Map<string, MemberLink>();
  private readonly lastState = new Map<string, ReturnType<typeof memberState>>();
  /** The state clock: runs only while there is a member to watch (an agent with no fleet wakes for nothing). */
  private tick: NodeJS.Timeout | null = null;
  private emitTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly opts: FleetOptions) {
    this.store = new ServerStore(opts.file, opts.sealer ?? null);
    this.frontDoor = opts.frontDoor
      ? new FrontDoor({
          dataDir: opts.frontDoor.dataDir,
          heartbeatTimeoutSec: opts.frontDoor.heartbeatTimeoutSec,
          members: { list: () => this.links.values(), get: (n) => this.links.get(n) },
          onChange: () => this.changed(),
        })
      : null;
    if (opts.connect !== false) for (const s of this.store.list()) this.link(s); // link() starts the clock
  }

  /** Starts the state clock with the first member and stops it with the last. */
  private clock(): void {
    if (this.links.size > 0 && !this.tick && !this.closed) {
      this.tick = setInterval(() => this.check(), 250);
      this.tick.unref();
    } else if (this.links.size === 0 && this.tick) {
      if (this.tick) clearInterval(this.tick);
      this.tick = null;
    }
  }

  private link(entry: ServerEntry): void {
    const m = new MemberLink(entry, (kind) => {
      if (kind === 'admission') this.frontDoor?.memberAdmission(m);
      this.check();
      this.changed();
    });
    this.links.set(entry.name, m);
    this.clock();
  }

  private lastPush = 0;

  /** States move with time: offline within OFFLINE_AFTER_MS of the last word, its figures dropped and its people sent back. */
  private check(): void {
    if (this.closed) return;
    const now = Date.now();
    for (const m of this.links.values()) {
      const state = m.state(now);
      const was = this.lastState.get(m.name);
      if (state === was) continue;
      this.lastState.set(m.name, state);
      if (state === 'offline') {
        m.forgetFigures();
        if (was !== undefined) this.frontDoor?.memberOffline(m.name);
      } else if (state === 'online' && (was === 'offline' || was === undefined)) {
        void this.frontDoor?.memberOnline(m);
      }
      this.changed();
    }
    if (now - this.lastPush >= (this.opts.tickMs ?? 1000)) this.changed();
  }

  /** Pushes the overview soon (coalesced: at most every 250 ms). */
  private changed(): void {
    if (this.closed || this.emitTimer) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      this.lastPush = Date.now();
      this.opts.emit(this.overview());
    }, 100);
    this.emitTimer.unref();
  }

  member(name: string): MemberLink {
    const m = this.links.get(name);
    if (!m) throw new ApiError('not_found', `No server "${name.slice(0, 64)}" in the fleet.`);
    return m;
  }

  overview(): FleetOverview {
    const now = Date.now();
    return { now, members: [...this.links.values()].map((m) => this.viewOf(m, now)), frontDoor: this.frontDoor?.stats() ?? null };
  }

  private viewOf(m: MemberLink, now: number): FleetMemberView {
    const state = m.state(now);
    const live = state !== 'offline';
    const { sample, instances, admission, host } = live ? m.figures : { sample: null, instances: null, admission: null, host: m.figures.host };
    const loads = sample ? loadsOf(sample) : null;
    const streams = sample?.instances.flatMap((i) => (i.stream?.ok ? [i.stream.value] : [])) ?? [];
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    const used = admission ? admission.seats.filter((s) => s.operator).length : 0;
    return {
      name: m.name,
      url: m.entry.url,
      state,
      lastHeardAt: m.lastHeardAt,
      error: state === 'online' ? null : m.error,
      draining: admission?.config.draining ?? false,
      hostname: host?.hostname ?? null,
      version: host?.version ?? null,
      cpu: loads?.cpu ?? null,
      memory: loads?.memory ?? null,
      gpu: loads?.gpu ?? null,
      encoder: loads?.encoder ?? null,
      stress: loads ? stressOf(loads) : null,
      instances: instances ? { running: instances.filter((i) => i.state === 'running').length, total: instances.length } : null,
      probeCapacity: admission?.probeCapacity ?? null,
      seats: admission ? { total: admission.seats.length, used, free: admission.seats.length - used } : null,
      waiting: admission ? admission.queueTotal : null,
      streams: sample ? { measured: streams.length, fps: mean(streams.map((s) => s.fps)), bitrateMbps: mean(streams.map((s) => s.mbps)) } : null,
      placed: this.frontDoor?.placedOn(m.name) ?? 0,
    };
  }

  /** Runs one fleet.* command (validated by the core). */
  run<K extends FleetCommandName>(name: K, input: In<K>): Promise<FleetCommandOutputs[K]> {
    const handlers: { [P in FleetCommandName]: (i: In<P>) => Promise<FleetCommandOutputs[P]> } = {
      'fleet.list': async () => this.overview(),
      'fleet.add': async (i) => {
        const entry = await this.store.add(entryFromAdd(i));
        if (this.opts.connect !== false) this.link(entry);
        this.changed();
        return { name: entry.name, url: entry.url };
      },
      'fleet.rename': async ({ server, to }) => {
        const m = this.member(server);
        await this.store.rename(server, to);
        m.entry = this.store.get(to);
        this.links.delete(server);
        this.links.set(to, m);
        const st = this.lastState.get(server);
        this.lastState.delete(server);
        if (st) this.lastState.set(to, st);
        this.frontDoor?.renamed(server, to);
        this.changed();
        return { name: to };
      },
      'fleet.remove': async ({ server }) => {
        const m = this.member(server);
        await this.store.remove(server);
        this.frontDoor?.memberOffline(server);
        m.close();
        this.links.delete(server);
        this.lastState.delete(server);
        this.clock();
        this.changed();
        return { removed: server };
      },
      'fleet.launch': async ({ server, profileId, count }) => this.command(server, 'instances.launch', { profileId, count }, z.object({ ids: z.array(z.string()) })),
      'fleet.stopAll': async ({ server }) => this.command(server, 'instances.stopAll', {}, z.object({ stopped: z.number() })),
      'fleet.drain': async ({ server, draining }) => {
        const a = await this.command(server, 'admission.set', { draining }, z.object({ config: z.object({ draining: z.boolean() }) }));
        this.changed();
        return { server, draining: a.config.draining };
      },
    };
    return handlers[name](input);
  }

  /** An admin command on one member, over HTTP with its token; its error becomes ours, its answer is checked. */
  private async command<T>(server: string, name: string, payload: unknown, schema: z.ZodType<T>): Promise<T> {
    const m = this.member(server);
    const a = await m.command(name, payload).catch((e: Error) => {
      throw new ApiError('unavailable', `${server} cannot be reached: ${e.message}`);
    });
    if (a.status !== 200)
      throw new ApiError(
        a.status === 404 ? 'not_found' : a.status === 400 ? 'invalid_payload' : a.status === 409 ? 'conflict' : a.status === 422 ? 'exe_not_found' : 'unavailable',
        `${server}: ${errorText(a)}`,
      );
    const body = z.object({ data: schema }).safeParse(a.body);
    if (!body.success) throw new ApiError('unavailable', `${server} answered ${name} with something StreamCap does not read (another version?).`);
    return body.data.data;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.tick) clearInterval(this.tick);
    if (this.emitTimer) clearTimeout(this.emitTimer);
    for (const m of this.links.values()) m.close();
    await this.frontDoor?.close();
  }
}
