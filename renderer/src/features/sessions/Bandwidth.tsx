// Streams in use against what the uplink carries, split into operators and spectators.
import { useTranslation } from 'react-i18next';
import type { AdmissionSnapshot } from '../../../../shared/admission-rules';
import { useFmt } from './parts';

export function Bandwidth({ snap }: { snap: AdmissionSnapshot }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const b = snap.bandwidth;
  const c = snap.config;
  const capped = c.policy === 'capped';
  const full = capped && b.streams >= b.capStreams;
  const scale = Math.max(b.uplinkMbps, b.usedMbps, 1e-9);
  const pct = (mbps: number) => `${Math.min(100, (mbps / scale) * 100)}%`;
  const opMbps = b.operators * c.bitrateMbps;
  const specMbps = b.spectators * c.bitrateMbps;
  const tone = b.overUplink ? 'bad' : full ? 'warn' : b.usedMbps > b.uplinkMbps * 0.85 ? 'warn' : 'ok';
  return (
    <section className={`panel sess-section sess-bw ${tone}`} aria-labelledby="sess-bw-title" data-testid="sess-bandwidth" data-tone={tone}>
      <header className="sess-section-head">
        <div>
          <h3 id="sess-bw-title">{t('sess.bwTitle')}</h3>
          <p className="muted">{t('sess.bwSubtitle', { bitrate: fmt(c.bitrateMbps, 2) })}</p>
        </div>
        <span className={`badge ${capped ? 'info' : 'muted'}`} data-testid="sess-policy">
          {t(capped ? 'sess.policyCapped' : 'sess.policyOpen')}
        </span>
      </header>
      <div className="sess-bw-figures">
        <div>
          <div className="sess-bw-big" data-testid="sess-streams">
            {fmt(b.streams)}
            <span className="sess-bw-of">/ {fmt(b.capStreams)}</span>
          </div>
          <div className="sess-bw-label">{t('sess.bwStreams')}</div>
        </div>
        <div>
          <div className="sess-bw-big" data-testid="sess-mbps">
            {fmt(b.usedMbps, 1)}
            <span className="sess-bw-of">/ {fmt(b.uplinkMbps, 1)}</span>
          </div>
          <div className="sess-bw-label">{t('sess.bwMbps')}</div>
        </div>
      </div>
      <div className="sess-bar" role="meter" aria-label={t('sess.bwTitle')} aria-valuemin={0} aria-valuemax={Math.round(b.uplinkMbps)} aria-valuenow={Math.round(b.usedMbps)} data-testid="sess-bw-bar">
        <span className="sess-bar-op" style={{ width: pct(opMbps) }} />
        <span className="sess-bar-spec" style={{ left: pct(opMbps), width: pct(specMbps) }} />
        {b.overUplink && <span className="sess-bar-over" style={{ left: pct(b.uplinkMbps), width: `${100 - (b.uplinkMbps / scale) * 100}%` }} />}
        {b.usedMbps > b.uplinkMbps && <span className="sess-bar-mark" style={{ left: pct(b.uplinkMbps) }} title={t('sess.bwUplinkMark')} />}
      </div>
      <div className="sess-bw-legend">
        <span>
          <i className="op" aria-hidden /> {t('sess.nOperators', { count: b.operators })}
        </span>
        <span>
          <i className="spec" aria-hidden /> {t('sess.nSpectators', { count: b.spectators })}
        </span>
        <span className="muted">{t('sess.bwPerStream', { bitrate: fmt(c.bitrateMbps, 2) })}</span>
      </div>
      {b.overUplink && (
        <div className="sess-alert bad" role="alert" data-testid="sess-stutter">
          <strong>{t('sess.stutter', { need: fmt(b.usedMbps, 1), uplink: fmt(b.uplinkMbps, 1) })}</strong>
          <span>{t('sess.stutterWhy', { cap: fmt(b.capStreams) })}</span>
        </div>
      )}
      {capped ? (
        <p className={`sess-bw-policy${full ? ' warn' : ''}`} data-testid="sess-cap-note">
          {full ? t('sess.capReached', { cap: fmt(b.capStreams) }) : t('sess.capNote', { cap: fmt(b.capStreams), free: fmt(b.capStreams - b.streams) })}
        </p>
      ) : (
        !b.overUplink && (
          <p className="sess-bw-policy" data-testid="sess-open-note">
            {t('sess.openNote', { cap: fmt(b.capStreams) })}
          </p>
        )
      )}
    </section>
  );
}
