// Epic's signalling server, read for its own player counts, beside StreamCap's:
// StreamCap counts who it let in, Wilbur counts the WebRTC players really connected.
import { useTranslation } from 'react-i18next';
import type { AdmissionSnapshot, SeatView } from '../../../../shared/admission-rules';
import type { WilburStatus } from '../../../../shared/wire/wilbur';
import { useClock, useFmt } from './parts';

/** The instance a streamer id names: its trailing number ("stream3" → 3), as -PixelStreamingID=stream{n} makes it. */
function instanceOf(streamerId: string, seats: SeatView[]): SeatView | null {
  const m = /(\d+)\D*$/.exec(streamerId);
  if (m) return seats.find((s) => s.instance === Number(m[1])) ?? null;
  return seats.length === 1 ? seats[0]! : null;
}

const streamsOf = (s: SeatView) => (s.operator ? 1 : 0) + s.spectators.length;

function Age({ at }: { at: number }) {
  const { t } = useTranslation();
  const now = useClock();
  return <span className="muted">{t('sess.wilburAge', { s: Math.max(0, Math.round((now - at) / 1000)) })}</span>;
}

export function Wilbur({ status, snap }: { status: WilburStatus; snap: AdmissionSnapshot }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  return (
    <section className={`panel sess-section sess-wilbur${status.ok ? '' : ' failed'}`} aria-labelledby="sess-wilbur-title" data-testid="sess-wilbur" data-ok={String(status.ok)}>
      <header className="sess-section-head">
        <div>
          <h3 id="sess-wilbur-title">
            {t('sess.wilburTitle')}
            <span className={`badge ${status.ok ? 'ok' : 'bad'} sess-inline-badge`}>{status.ok ? t('sess.wilburOk') : t('sess.wilburFailed')}</span>
          </h3>
          <p className="muted mono sess-url">
            {status.url}
            {status.ok && status.version && ` · v${status.version}`} · <Age at={status.fetchedAt} />
          </p>
        </div>
      </header>
      {status.ok ? (
        <>
          <div className="sess-wilbur-figures">
            <div>
              <div className="sess-bw-big" data-testid="wilbur-streamers">
                {fmt(status.streamerCount)}
              </div>
              <div className="sess-bw-label">{t('sess.wilburStreamers')}</div>
            </div>
            <div>
              <div className="sess-bw-big" data-testid="wilbur-players">
                {fmt(status.playerCount)}
              </div>
              <div className="sess-bw-label">{t('sess.wilburPlayers')}</div>
            </div>
            <div>
              <div className="sess-bw-big ours">{fmt(snap.bandwidth.streams)}</div>
              <div className="sess-bw-label">{t('sess.wilburOurs')}</div>
            </div>
          </div>
          {status.streamers.length > 0 && (
            <table className="instances sess-wilbur-table">
              <thead>
                <tr>
                  <th>{t('sess.wilburStreamer')}</th>
                  <th className="num">{t('sess.wilburPlayersCol')}</th>
                  <th className="num">{t('sess.wilburOursCol')}</th>
                </tr>
              </thead>
              <tbody>
                {status.streamers.map((s) => {
                  const seat = instanceOf(s.id, snap.seats);
                  const ours = seat ? streamsOf(seat) : null;
                  const differs = ours !== null && ours !== s.players;
                  return (
                    <tr key={s.id}>
                      <td>
                        <span className="mono">{s.id}</span>
                        {s.streaming === false && <span className="muted small"> · {t('sess.wilburIdle')}</span>}
                        {seat && <span className="muted small"> · #{seat.instance}</span>}
                      </td>
                      <td className="num">{fmt(s.players)}</td>
                      <td className={`num${differs ? ' sess-differs' : ''}`}>{ours === null ? '—' : fmt(ours)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <p className="sess-note muted">{t('sess.wilburCompare')}</p>
        </>
      ) : (
        <div className="sess-alert bad" data-testid="wilbur-reason">
          {status.reason}
        </div>
      )}
    </section>
  );
}
