// The stream wall: the live video of every running instance in a grid, for a sales
// engineer in front of a customer. Each tile is a Pixel Streaming player of its own
// (Epic's frontend library, connected from this console), so each tile is one more
// viewer — one more encode on the server — and the view says so.
import { Config, Logger, PixelStreaming } from '@epicgames-ps/lib-pixelstreamingfrontend-ue5.7';
import { memo, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InstanceInfo } from '../../../../shared/contract';
import { WATCH_ONLY_SETTINGS } from '../../../../shared/player-settings';
import { num } from '../../ui/format';
import { useStore } from '../../store';

Logger.InitLogging(1, false);

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/i;

/**
 * The signalling URL as this browser can reach it: an instance's URL names the server's
 * loopback address (the signalling server runs beside the app), so a console opened
 * from another computer connects to the server's name instead.
 */
export function reachableSignalling(url: string, here: { protocol: string; hostname: string } = location): string {
  if (!/^https?:$/.test(here.protocol) || LOOPBACK.test(here.hostname)) return url;
  try {
    const u = new URL(url);
    if (LOOPBACK.test(u.hostname)) u.hostname = here.hostname;
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

type TileState = { kind: 'connecting' } | { kind: 'playing'; fps: number | null; mbps: number | null } | { kind: 'failed'; reason: string };

const Tile = memo(function Tile({ info, big, onToggle }: { info: InstanceInfo; big: boolean; onToggle: () => void }) {
  const { t } = useTranslation();
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<TileState>({ kind: 'connecting' });
  const stream = info.stream!;
  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const ps = new PixelStreaming(
      new Config({
        useUrlParams: false,
        initialSettings: {
          ss: reachableSignalling(stream.signallingUrl),
          StreamerId: stream.streamerId,
          AutoConnect: true,
          ...WATCH_ONLY_SETTINGS,
          WaitForStreamer: true,
          MaxReconnectAttempts: 10,
        },
      }),
      { videoElementParent: parent },
    );
    let last: { bytes: number; frames: number; at: number } | null = null;
    ps.addEventListener('statsReceived', (e) => {
      const v = e.data.aggregatedStats.inboundVideoStats;
      const now = performance.now();
      const frames = v.framesDecoded ?? 0;
      const bytes = v.bytesReceived ?? 0;
      if (last && now > last.at) {
        const dt = (now - last.at) / 1000;
        setState({ kind: 'playing', fps: (frames - last.frames) / dt, mbps: ((bytes - last.bytes) * 8) / dt / 1e6 });
      }
      last = { bytes, frames, at: now };
    });
    ps.addEventListener('webRtcFailed', () => setState({ kind: 'failed', reason: 'WebRTC (ICE) failed' }));
    ps.addEventListener('webRtcDisconnected', (e) => setState({ kind: 'failed', reason: e.data.eventString || 'disconnected' }));
    ps.addEventListener('subscribeFailed', (e) => setState({ kind: 'failed', reason: e.data.message }));
    return () => {
      ps.disconnect();
      parent.replaceChildren();
    };
  }, [stream.signallingUrl, stream.streamerId]);
  return (
    <figure className={`tile${big ? ' big' : ''}`} data-testid={`tile-${info.n}`} data-state={state.kind} onClick={onToggle} title={t('wall.enlarge')}>
      <div className="video" ref={host} />
      <figcaption>
        <strong>#{info.n}</strong> <span className="mono">{stream.streamerId}</span>
        <span className="spacer" />
        {state.kind === 'playing' && (
          <span className="mono" data-testid={`tile-figures-${info.n}`}>
            {num(state.fps, 0)} fps · {num(state.mbps, 1)} Mbps
          </span>
        )}
        {state.kind === 'connecting' && <span className="muted">{t('wall.connecting', { id: stream.streamerId })}</span>}
        {state.kind === 'failed' && <span className="warn">{t('wall.failed', { reason: state.reason })}</span>}
      </figcaption>
    </figure>
  );
});

export function StreamWall() {
  const { t } = useTranslation();
  const instances = useStore((s) => s.instances);
  const [big, setBig] = useState<string | null>(null);
  const live = instances.filter((i) => i.state === 'running' && i.stream);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setBig(null);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <section className="wall" data-testid="stream-wall">
      <header>
        <h2>{t('wall.title')}</h2>
        <p className="note" data-testid="wall-note">
          {t('wall.note')}
        </p>
      </header>
      {live.length === 0 ? (
        <p className="empty">{t('wall.empty')}</p>
      ) : (
        <div className={`tiles${big ? ' has-big' : ''}`}>
          {live.map((i) => (
            <Tile key={i.id} info={i} big={big === i.id} onToggle={() => setBig(big === i.id ? null : i.id)} />
          ))}
        </div>
      )}
    </section>
  );
}
