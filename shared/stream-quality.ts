// Stream quality as a viewer measures it: the figures, the W3C freeze rule, and how
// one instance's viewers are summed up. Pure: used by the viewer page (browser), the
// core (Node) and the console.

/** What one viewer of an instance measured over the last second. */
export interface ViewerStats {
  /** Frames received in the last second (complete encoded frames, before any decoder). */
  fps: number;
  /** Video bitrate received, Mbps (RTP payload + headers of the video stream, inbound-rtp bytes). */
  mbps: number;
  width: number | null;
  height: number | null;
  /** Freezes since the viewer connected (W3C definition, on frame arrival times). */
  freezes: number;
  freezeSec: number;
  packetsLost: number;
  jitterMs: number | null;
  rttMs: number | null;
  /** Mean decode time per frame, ms; null where the viewer does not decode (frame counting). */
  decodeMs: number | null;
  /** The streamer's average encoder QP where it sends it (Unreal does; JSStreamer does not). */
  qp: number | null;
  codec: string | null;
  /** Totals since the viewer connected: video frames and bytes received (counters, for exact windows). */
  framesReceived: number;
  bytesReceived: number;
  /** When the viewer took these figures (epoch ms): counters compared across sources are aligned on it. */
  at: number;
}

/** One instance's stream, over all its viewers: the slowest frame rate, the mean bitrate, every freeze. */
export interface StreamStats extends ViewerStats {
  viewers: number;
}

/** The per-instance line of the CLI's NDJSON (`"stream"`): the stable shape. */
export type StreamLine = Pick<ViewerStats, 'fps' | 'mbps' | 'width' | 'height' | 'freezes' | 'freezeSec' | 'packetsLost' | 'rttMs'>;

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** The slowest viewer sets the frame rate (what the worst-served person sees); bitrate is the mean; freezes and losses add up. */
export function combineViewers(list: ViewerStats[]): StreamStats | null {
  if (list.length === 0) return null;
  const slowest = list.reduce((a, b) => (b.fps < a.fps ? b : a));
  const nums = (f: (v: ViewerStats) => number | null) => list.map(f).filter((x): x is number => x !== null);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
  const jitter = max(nums((v) => v.jitterMs));
  const rtt = max(nums((v) => v.rttMs));
  const decode = mean(nums((v) => v.decodeMs));
  const qp = mean(nums((v) => v.qp));
  return {
    viewers: list.length,
    fps: round(slowest.fps, 1),
    mbps: round(mean(list.map((v) => v.mbps)) ?? 0, 3),
    width: slowest.width,
    height: slowest.height,
    freezes: list.reduce((a, v) => a + v.freezes, 0),
    freezeSec: round(
      list.reduce((a, v) => a + v.freezeSec, 0),
      3,
    ),
    packetsLost: list.reduce((a, v) => a + v.packetsLost, 0),
    jitterMs: jitter === null ? null : round(jitter, 1),
    rttMs: rtt === null ? null : round(rtt, 1),
    decodeMs: decode === null ? null : round(decode, 2),
    qp: qp === null ? null : round(qp, 1),
    codec: slowest.codec,
    framesReceived: list.reduce((a, v) => a + v.framesReceived, 0),
    bytesReceived: list.reduce((a, v) => a + v.bytesReceived, 0),
    at: Math.max(...list.map((v) => v.at)),
  };
}

export function toStreamLine(s: StreamStats): StreamLine {
  return { fps: s.fps, mbps: s.mbps, width: s.width, height: s.height, freezes: s.freezes, freezeSec: s.freezeSec, packetsLost: s.packetsLost, rttMs: s.rttMs };
}

/**
 * The W3C freeze rule (webrtc-stats, freezeCount): a frame duration — the gap between
 * two consecutive frames — is a freeze when it is at least
 * max(3 × mean frame duration, mean + 150 ms), the mean taken over the last 30 frames.
 * Fed with frame arrival times, so it counts what the network delivered, decoder or not.
 */
export class FreezeDetector {
  private last: number | null = null;
  private durations: number[] = [];
  private sum = 0;
  freezes = 0;
  freezeMs = 0;

  /** A frame arrived at `t` ms (any monotonic clock). Returns true when the gap before it was a freeze. */
  frame(t: number): boolean {
    let frozen = false;
    if (this.last !== null) {
      const d = t - this.last;
      if (this.durations.length >= 3) {
        const mean = this.sum / this.durations.length;
        if (d >= Math.max(3 * mean, mean + 150)) {
          this.freezes++;
          this.freezeMs += d;
          frozen = true;
        }
      }
      // A freeze is not a frame rate: keep it out of the mean it is judged by.
      if (!frozen) {
        this.durations.push(d);
        this.sum += d;
        if (this.durations.length > 30) this.sum -= this.durations.shift()!;
      }
    }
    this.last = t;
    return frozen;
  }

  /** The gap since the last frame counts once it is long enough to be a freeze (a stream that stopped is frozen now, not at its next frame). */
  openFreezeMs(now: number): number {
    if (this.last === null || this.durations.length < 3) return 0;
    const mean = this.sum / this.durations.length;
    const d = now - this.last;
    return d >= Math.max(3 * mean, mean + 150) ? d : 0;
  }
}

/** How a stream is named to people: "25 fps · 1.9 Mbps · 640×360". */
export function describeStream(s: Pick<StreamStats, 'fps' | 'mbps' | 'width' | 'height'>): string {
  const size = s.width && s.height ? ` · ${s.width}×${s.height}` : '';
  return `${s.fps.toFixed(0)} fps · ${s.mbps.toFixed(1)} Mbps${size}`;
}
