// Keeps StreamCap's measuring viewers in step with the running instances: each
// running instance with stream settings gets its viewers (a Pixel Streaming player
// each), a viewer that fails is reopened with a backoff, and every sample asks what
// each instance's stream looks like now — figures, or the reason there are none.
import type { InstanceInfo, Measured } from '../../../shared/contract';
import { combineViewers, type StreamStats, type ViewerStats } from '../../../shared/stream-quality';
import type { ViewerHandle, ViewerHost, ViewerReport } from './viewer-host';

/** A viewer whose last report is older than this no longer speaks for the stream. */
const STALE_MS = 2500;
/** No new frame for this long: the stream stalled (a freeze of this length is not a stream). */
const STALL_MS = 2000;
/** A stalled viewer is reopened after this long (the library may not notice a streamer that vanished). */
const REOPEN_STALLED_MS = 4000;
const BACKOFF_MS = [1000, 2000, 3000, 5000];
/**
 * A viewer with no frame this long after it opened is reopened, with the reason. Without
 * it a connection that never completes (a streamer that registers but never sends an
 * offer, ICE stuck in checking, a track that never starts) kept the instance at
 * "connecting…" for good: the library reports no failure for any of them.
 */
export const FIRST_FRAME_MS = 15_000;
/** Bitrate is shown as the mean of the last few seconds: WebRTC's pacing makes one second noisy. */
const MBPS_WINDOW = 3;

interface Slot {
  key: string;
  instanceId: string;
  target: { signallingUrl: string; streamerId: string };
  handle: ViewerHandle | null;
  opening: boolean;
  state: 'connecting' | 'streaming' | 'failed' | 'stalled';
  reason: string | null;
  stats: ViewerStats | null;
  statsAt: number;
  lastFrameAt: number;
  /** When the current viewer was opened (0: none yet). */
  openedAt: number;
  mbps: number[];
  failures: number;
  retry: NodeJS.Timeout | null;
  closed: boolean;
}

export class StreamWatcher {
  private slots = new Map<string, Slot>();
  /** The same slots by instance: the sampler asks per instance on every tick. */
  private byInstance = new Map<string, Slot[]>();
  private closed = false;

  constructor(
    private readonly host: ViewerHost,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens and closes viewers so that every running instance with a stream has `viewers` of them. */
  sync(instances: readonly Pick<InstanceInfo, 'id' | 'state' | 'stream'>[]): void {
    if (this.closed) return;
    const wanted = new Map<string, { instanceId: string; target: Slot['target'] }>();
    for (const i of instances) {
      if (i.state !== 'running' || !i.stream || i.stream.viewers <= 0) continue;
      for (let k = 0; k < i.stream.viewers; k++) wanted.set(`${i.id}#${k}`, { instanceId: i.id, target: { signallingUrl: i.stream.signallingUrl, streamerId: i.stream.streamerId } });
    }
    for (const [key, slot] of this.slots) if (!wanted.has(key)) this.drop(slot);
    for (const [key, w] of wanted) {
      if (this.slots.has(key)) continue;
      const slot: Slot = {
        key,
        ...w,
        handle: null,
        opening: false,
        state: 'connecting',
        reason: null,
        stats: null,
        statsAt: 0,
        lastFrameAt: 0,
        openedAt: 0,
        mbps: [],
        failures: 0,
        retry: null,
        closed: false,
      };
      this.slots.set(key, slot);
      this.byInstance.set(w.instanceId, [...(this.byInstance.get(w.instanceId) ?? []), slot]);
      this.openSlot(slot);
    }
  }

  private openSlot(slot: Slot): void {
    if (slot.closed || this.closed || slot.opening) return;
    slot.opening = true;
    slot.state = 'connecting';
    slot.openedAt = this.now();
    const { signallingUrl, streamerId } = slot.target;
    this.host
      .open(slot.target, (r) => this.onReport(slot, r))
      .then(
        (h) => {
          slot.opening = false;
          if (slot.closed) return void h.close();
          slot.handle = h;
        },
        (e: unknown) => {
          slot.opening = false;
          this.fail(slot, `no viewer could be started: ${(e as Error)?.message ?? String(e)}`);
        },
      );
    if (!slot.reason) slot.reason = `connecting to ${signallingUrl} as a player of "${streamerId}"…`;
  }

  private onReport(slot: Slot, r: ViewerReport): void {
    if (slot.closed) return;
    const now = this.now();
    if (r.type === 'state') {
      if (r.state === 'failed') return this.fail(slot, r.reason ?? 'the viewer failed');
      if (r.state === 'streaming') {
        slot.state = 'streaming';
        slot.reason = null;
      }
      return;
    }
    slot.stats = r.stats;
    slot.statsAt = now;
    slot.mbps.push(r.stats.mbps);
    if (slot.mbps.length > MBPS_WINDOW) slot.mbps.shift();
    if (r.stats.fps > 0) {
      slot.lastFrameAt = now;
      slot.failures = 0;
      if (slot.state === 'stalled' || slot.state === 'connecting') slot.state = 'streaming';
      slot.reason = null;
    } else if (slot.state === 'streaming' && slot.lastFrameAt > 0 && now - slot.lastFrameAt >= STALL_MS) {
      slot.state = 'stalled';
      slot.reason = `no video frames for ${Math.round((now - slot.lastFrameAt) / 1000)} s (the stream stalled)`;
    }
    if (slot.state === 'stalled' && now - slot.lastFrameAt >= REOPEN_STALLED_MS) this.restart(slot, slot.reason!);
  }

  private fail(slot: Slot, reason: string): void {
    if (slot.closed) return;
    this.restart(slot, reason);
  }

  /** Closes the viewer, keeps the reason, and opens a new one after a backoff. */
  private restart(slot: Slot, reason: string): void {
    slot.state = 'failed';
    slot.reason = reason;
    slot.stats = null;
    slot.mbps = [];
    const h = slot.handle;
    slot.handle = null;
    void h?.close();
    if (slot.retry) return;
    const delay = BACKOFF_MS[Math.min(slot.failures, BACKOFF_MS.length - 1)]!;
    slot.failures++;
    slot.retry = setTimeout(() => {
      slot.retry = null;
      this.openSlot(slot);
    }, delay);
    slot.retry.unref();
  }

  /** Closes an instance's viewers and opens them again at once (a fresh connection: new bandwidth estimate, new encoder). */
  reconnect(instanceId: string): number {
    const mine = this.byInstance.get(instanceId) ?? [];
    for (const slot of mine) {
      if (slot.retry) clearTimeout(slot.retry);
      slot.retry = null;
      const h = slot.handle;
      slot.handle = null;
      slot.stats = null;
      slot.mbps = [];
      slot.lastFrameAt = 0;
      slot.failures = 0;
      slot.reason = null;
      void h?.close();
      this.openSlot(slot);
    }
    return mine.length;
  }

  private drop(slot: Slot): void {
    slot.closed = true;
    if (slot.retry) clearTimeout(slot.retry);
    void slot.handle?.close();
    this.slots.delete(slot.key);
    const left = (this.byInstance.get(slot.instanceId) ?? []).filter((x) => x !== slot);
    if (left.length) this.byInstance.set(slot.instanceId, left);
    else this.byInstance.delete(slot.instanceId);
  }

  /** The stream of one instance now; undefined when it has no viewers (no stream settings, or 0 viewers). */
  measure(instanceId: string): Measured<StreamStats> | undefined {
    const mine = this.byInstance.get(instanceId);
    if (!mine) return undefined;
    const now = this.now();
    for (const s of mine) {
      // Opened, no frame since, for too long: the stream never arrived.
      if ((s.state === 'connecting' || s.state === 'streaming') && !s.opening && s.openedAt > 0 && s.lastFrameAt < s.openedAt && now - s.openedAt >= FIRST_FRAME_MS) {
        const where = `"${s.target.streamerId}" on ${s.target.signallingUrl}`;
        this.restart(
          s,
          s.state === 'streaming'
            ? `connected to ${where}, but no video frame arrived within ${FIRST_FRAME_MS / 1000} s (is the app rendering? retrying)`
            : `no video from ${where} within ${FIRST_FRAME_MS / 1000} s of connecting: the streamer never answered or the connection never completed (retrying)`,
        );
      }
    }
    const live = mine.filter((s) => s.state === 'streaming' && s.stats && now - s.statsAt <= STALE_MS && now - s.lastFrameAt < STALL_MS);
    if (live.length === 0) {
      const why = mine.find((s) => s.state === 'failed' || s.state === 'stalled')?.reason ?? mine[0]!.reason ?? 'waiting for the first frames';
      return { ok: false, reason: why };
    }
    const combined = combineViewers(live.map((s) => ({ ...s.stats!, mbps: s.mbps.reduce((a, b) => a + b, 0) / Math.max(1, s.mbps.length) })));
    return { ok: true, value: combined! };
  }

  viewerCount(): number {
    return this.slots.size;
  }

  rootPids(): number[] {
    return this.slots.size > 0 ? this.host.rootPids() : [];
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of [...this.slots.values()]) this.drop(slot);
    await this.host.close();
  }
}
