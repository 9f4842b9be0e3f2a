// StreamCap's measuring viewer: one Pixel Streaming player, run headless (a Chromium
// page from the agent or CLI, a hidden window in Electron), that reports what it
// receives every second. The protocol (signalling, subscribe, offer/answer, data
// channel) is Epic's frontend library; this file only adds measuring.
//
// Cheapest honest frame count: with mode=count the page asks for encoded insertable
// streams and counts each complete encoded frame as it arrives, then drops it, so no
// frame is ever decoded or drawn (a decoding player costs 22–27 % of a core per stream
// at 640x360 on the build machine). Frames, bytes, gaps (freezes) are what the network
// delivered; packets lost, jitter and RTT come from the same getStats() the library
// reads. mode=decode plays the video like a person's player, for comparison.
//
// Query: ?ss=ws://host:port&id=<streamer id>&mode=count|decode&loopback=1
import { Config, Logger, PixelStreaming, type AggregatedStats } from '@epicgames-ps/lib-pixelstreamingfrontend-ue5.7';
import { WATCH_ONLY_SETTINGS } from '../../shared/player-settings';
import { FreezeDetector, type ViewerStats } from '../../shared/stream-quality';

type Report = { type: 'state'; state: 'connecting' | 'streaming' | 'failed'; reason?: string } | { type: 'stats'; stats: ViewerStats };

declare global {
  interface Window {
    streamcapReport?: (r: Report) => void;
  }
}

const q = new URLSearchParams(location.search);
const ss = q.get('ss') ?? '';
const streamerId = q.get('id') ?? '';
const countOnly = q.get('mode') !== 'decode';
const loopbackOnly = q.get('loopback') !== '0';

const report = (r: Report) => window.streamcapReport?.(r);
let failed = false;
const fail = (reason: string) => {
  if (failed) return;
  failed = true;
  report({ type: 'state', state: 'failed', reason });
};

// ---- Loopback-only ICE and frame counting, by wrapping RTCPeerConnection --------
const isLoopback = (c: RTCIceCandidateInit | RTCIceCandidate | string | null | undefined): boolean => {
  const s = typeof c === 'string' ? c : c?.candidate;
  if (typeof s !== 'string' || s === '') return true; // end of candidates
  const addr = s.split(' ')[4];
  return addr === '127.0.0.1' || addr === '::1';
};
const stripSdp = (d: RTCSessionDescriptionInit): RTCSessionDescriptionInit =>
  d?.sdp
    ? {
        type: d.type,
        sdp: d.sdp
          .split('\r\n')
          .filter((l) => !l.startsWith('a=candidate:') || isLoopback(l.slice(2)))
          .join('\r\n'),
      }
    : d;

const frames = { count: 0, bytes: 0, width: null as number | null, height: null as number | null, last: 0 };
const freeze = new FreezeDetector();

// The insertable-streams API is older than lib.dom knows: typed here, where it is used.
interface EncodedReceiver extends RTCRtpReceiver {
  createEncodedStreams?: () => { readable: ReadableStream<{ data: ArrayBuffer; type?: string; getMetadata?: () => { width?: number; height?: number } }>; writable: WritableStream };
}

function countFrames(receiver: EncodedReceiver, kind: string): void {
  const streams = receiver.createEncodedStreams?.();
  if (!streams) return;
  // Nothing is written to `writable`: frames go no further than this counter.
  void streams.readable.pipeTo(
    new WritableStream({
      write(frame) {
        if (kind !== 'video') return;
        const now = performance.now();
        frames.count++;
        frames.bytes += frame.data.byteLength;
        frames.last = now;
        freeze.frame(now);
        const meta = frame.getMetadata?.();
        if (meta?.width) frames.width = meta.width;
        if (meta?.height) frames.height = meta.height;
      },
    }),
  );
}

const Native = window.RTCPeerConnection;
class MeasuredPeerConnection extends Native {
  constructor(config?: RTCConfiguration) {
    super(countOnly ? ({ ...config, encodedInsertableStreams: true } as RTCConfiguration) : config);
    if (countOnly) this.addEventListener('track', (e) => countFrames(e.receiver as EncodedReceiver, e.track.kind));
    if (loopbackOnly) {
      const add = this.addEventListener.bind(this);
      // Local candidates: the signalling server sees only the loopback ones.
      this.addEventListener = ((type: string, fn: EventListenerOrEventListenerObject, opts?: boolean | AddEventListenerOptions) => {
        if (type !== 'icecandidate') return add(type, fn, opts);
        const call = (ev: Event) => (typeof fn === 'function' ? fn.call(this, ev) : fn.handleEvent(ev));
        return add(type, (ev: Event) => isLoopback((ev as RTCPeerConnectionIceEvent).candidate) && call(ev), opts);
      }) as typeof this.addEventListener;
      let handler: ((ev: RTCPeerConnectionIceEvent) => unknown) | null = null;
      Object.defineProperty(this, 'onicecandidate', { get: () => handler, set: (fn) => (handler = fn) });
      add('icecandidate', (ev) => handler && isLoopback(ev.candidate) && handler.call(this, ev));
    }
  }
  override addIceCandidate(c?: RTCIceCandidateInit | null): Promise<void> {
    return loopbackOnly && !isLoopback(c) ? Promise.resolve() : super.addIceCandidate(c ?? undefined);
  }
  override setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
    return super.setRemoteDescription(loopbackOnly ? stripSdp(d) : d);
  }
}
window.RTCPeerConnection = MeasuredPeerConnection as typeof RTCPeerConnection;

// ---- The player ------------------------------------------------------------------
Logger.InitLogging(new URLSearchParams(location.search).get('debug') ? 4 : 1, false);
if (!ss || !streamerId) fail('viewer page opened without a signalling URL or streamer id');

const parent = document.getElementById('player')!;
const config = new Config({
  useUrlParams: false,
  initialSettings: {
    ss,
    StreamerId: streamerId,
    AutoConnect: false,
    ...WATCH_ONLY_SETTINGS,
    // We wait for our streamer ourselves (the console retries): never let the library
    // fall back to "the only streamer there is", which would measure someone else.
    WaitForStreamer: false,
    MaxReconnectAttempts: 0,
  },
});
const ps = new PixelStreaming(config, { videoElementParent: parent });

let lastBytes: number | null = null;
let lastAt = 0;
let lastFrames = 0;
let qp: number | null = null;
let streaming = false;

ps.addEventListener('streamerListMessage', (e) => {
  const ids = e.data.messageStreamerList.ids ?? [];
  if (!ids.includes(streamerId)) {
    fail(
      ids.length
        ? `streamer "${streamerId}" is not registered with the signalling server (it has ${ids.slice(0, 5).join(', ')})`
        : `streamer "${streamerId}" is not registered with the signalling server (no streamer is)`,
    );
    ps.disconnect();
  } else if (e.data.autoSelectedStreamerId && e.data.autoSelectedStreamerId !== streamerId) {
    fail(`the signalling server offered "${e.data.autoSelectedStreamerId}" instead of "${streamerId}"`);
    ps.disconnect();
  }
});
ps.addEventListener('subscribeFailed', (e) => fail(`subscribe refused: ${e.data.message}`));
ps.addEventListener('webRtcFailed', () => fail('WebRTC connection failed (ICE): no route to the streamer'));
ps.addEventListener('webRtcDisconnected', (e) => fail(`disconnected: ${e.data.eventString || 'the streamer or signalling server went away'}`));
ps.addEventListener('webRtcConnected', () => {
  streaming = true;
  report({ type: 'state', state: 'streaming' });
});
// Counting needs no media element: nothing reaches them (frames stop at the counter), and
// a playing element keeps a media pipeline and its timers busy for nothing.
const detach = () => {
  if (!countOnly) return;
  for (const el of document.querySelectorAll<HTMLMediaElement>('video, audio')) {
    el.pause();
    el.srcObject = null;
  }
};
ps.addEventListener('playStream', () => setTimeout(detach, 0));
ps.addEventListener('videoInitialized', () => setTimeout(detach, 0));
ps.addEventListener('videoEncoderAvgQP', (e) => {
  if (e.data.avgQP > 0) qp = e.data.avgQP;
});
ps.addEventListener('statsReceived', (e) => onStats(e.data.aggregatedStats));

// The signalling socket itself: refused or dropped before any WebRTC event.
const NativeWS = window.WebSocket;
window.WebSocket = class extends NativeWS {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    this.addEventListener('close', (e) => {
      if (!streaming)
        fail(e.code === 1006 ? `signalling server ${ss} refused the connection or is not running` : `signalling server closed the connection (${e.code}${e.reason ? `: ${e.reason}` : ''})`);
      else fail(`signalling server ${ss} went away (${e.code})`);
    });
  }
} as typeof WebSocket;

function onStats(agg: AggregatedStats): void {
  if (failed) return;
  const v = agg.inboundVideoStats;
  const now = performance.now();
  const bytes = v.bytesReceived ?? 0;
  const dt = lastAt ? (now - lastAt) / 1000 : 0;
  const pair = agg.getActiveCandidatePair();
  const codec = (v.codecId ? agg.codecs.get(v.codecId) : undefined) ?? [...agg.codecs.values()].find((c) => c.mimeType?.startsWith('video/'));
  const counted = countOnly ? frames.count : (v.framesDecoded ?? 0);
  const stats: ViewerStats = {
    fps: dt > 0 ? Math.max(0, (counted - lastFrames) / dt) : countOnly ? 0 : (v.framesPerSecond ?? 0),
    mbps: dt > 0 && lastBytes !== null ? Math.max(0, ((bytes - lastBytes) * 8) / dt / 1e6) : 0,
    width: countOnly ? frames.width : (v.frameWidth ?? null),
    height: countOnly ? frames.height : (v.frameHeight ?? null),
    freezes: countOnly ? freeze.freezes : (v.freezeCount ?? 0),
    freezeSec: countOnly ? (freeze.freezeMs + freeze.openFreezeMs(now)) / 1000 : (v.totalFreezesDuration ?? 0),
    packetsLost: Math.max(0, v.packetsLost ?? 0),
    jitterMs: typeof v.jitter === 'number' ? v.jitter * 1000 : null,
    rttMs: pair?.currentRoundTripTime != null ? pair.currentRoundTripTime * 1000 : null,
    decodeMs: !countOnly && v.totalDecodeTime && v.framesDecoded ? (v.totalDecodeTime / v.framesDecoded) * 1000 : null,
    qp: qp ?? (agg.sessionStats?.videoEncoderAvgQP > 0 ? agg.sessionStats.videoEncoderAvgQP : null),
    codec: codec?.mimeType?.replace(/^video\//, '') ?? null,
    framesReceived: counted,
    bytesReceived: bytes,
    at: Date.now(),
  };
  const first = lastAt === 0;
  lastAt = now;
  lastBytes = bytes;
  lastFrames = counted;
  if (!first) report({ type: 'stats', stats });
}

report({ type: 'state', state: 'connecting' });
if (!failed) ps.connect();
