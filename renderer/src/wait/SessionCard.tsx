// What a person sees once they joined: waiting (position, wait), admitted (the
// stream link), watching; and, at the end, why it ended.
import type { RefObject } from 'react';
import type { FleetSessionView } from '../../../shared/wire/fleet';
import type { Connection, EndReason, SessionView } from './api';
import { waitInWords, type MessageKey, type Translate } from './i18n';
import { IconAlert, IconCheck, IconClock, IconDoor, IconExternal, IconEye, IconHourglass, IconPause, IconUserX } from './parts';

interface CommonProps {
  t: Translate;
  headingId: string;
  headingRef: RefObject<HTMLHeadingElement | null>;
}

export interface SessionCardProps extends CommonProps {
  view: SessionView;
  conn: Connection;
  online: boolean;
  leaving: boolean;
  leaveError: string | null;
  onLeave(): void;
}

function aheadText(t: Translate, position: number): string {
  const ahead = position - 1;
  return ahead <= 0 ? t('aheadNone') : ahead === 1 ? t('aheadOne') : t('aheadMany', { n: ahead });
}

function etaText(t: Translate, v: SessionView): string {
  if (v.paused) return t('pausedValue');
  if (v.waitEstimateSec === null) return t('estimating');
  return waitInWords(t, v.waitEstimateSec);
}

/** The position inside a slowly turning ring: the "we're working on it" signal, quiet on purpose. */
function PositionRing({ position, label, paused }: { position: number; label: string; paused: boolean }) {
  const digits = String(position).length;
  return (
    <div className={`wr-ring${paused ? ' paused' : ''}`} data-testid="wait-position" data-position={position}>
      <svg viewBox="0 0 120 120" aria-hidden="true" focusable="false">
        <defs>
          <linearGradient id="wr-arc" x1="0" y1="0" x2="1" y2="1">
            <stop offset="0" stopColor="#22d3ee" />
            <stop offset="1" stopColor="#6366f1" />
          </linearGradient>
        </defs>
        <circle className="wr-ring-track" cx="60" cy="60" r="54" />
        <circle className="wr-ring-arc" cx="60" cy="60" r="54" stroke="url(#wr-arc)" />
      </svg>
      <div className="wr-ring-center">
        <span className="wr-ring-label">{label}</span>
        <span className={`wr-ring-num d${Math.min(digits, 4)}`}>{position}</span>
      </div>
    </div>
  );
}

function ConnBadge({ t, conn, online }: { t: Translate; conn: Connection; online: boolean }) {
  const [cls, key]: [string, MessageKey] = conn === 'live' ? ['ok', 'connLive'] : conn === 'connecting' ? ['info', 'connConnecting'] : online ? ['warn', 'connReconnecting'] : ['bad', 'connOffline'];
  return (
    <span className={`wr-conn ${cls}`} data-testid="wait-conn" data-state={conn}>
      <span className="wr-conn-dot" aria-hidden="true" />
      {t(key)}
    </span>
  );
}

export function SessionCard(p: SessionCardProps) {
  const { t, view: v } = p;
  const leaveButton = (
    <button type="button" className="wr-btn ghost" onClick={p.onLeave} disabled={p.leaving} data-testid="wait-leave">
      {p.leaving ? <span className="wr-spinner" aria-hidden="true" /> : null}
      {p.leaving ? t('leaving') : v.role === 'queued' ? t('leave') : t('leaveDone')}
    </button>
  );

  const heading = (text: string) => (
    <h1 id={p.headingId} ref={p.headingRef} tabIndex={-1} className="wr-title">
      {text}
    </h1>
  );
  const cta = (label: string) =>
    v.link ? (
      <div className="wr-cta">
        <a className="wr-btn primary big" href={v.link} target="_blank" rel="noopener noreferrer" data-testid="wait-link">
          <span>{label}</span>
          <IconExternal />
          <span className="sr-only">{t('opensInNewTab')}</span>
        </a>
        <div className="wr-linktext" title={v.link}>
          {v.link}
        </div>
      </div>
    ) : null;

  // A fleet's front door adds the server the person is on, or the one they lost.
  const fleet: Partial<FleetSessionView> = v;
  const serverLine = fleet.server ? (
    <p className="wr-note" data-testid="wait-server">
      {t('onServer', { name: fleet.server })}
    </p>
  ) : null;
  // One status region for every role, so a change of role is announced where the last one was.
  let status;
  let after;
  if (v.role === 'operator') {
    status = (
      <>
        <div className="wr-badge ok pop" aria-hidden="true">
          <IconCheck />
        </div>
        <div className="wr-eyebrow ok">{t('readyEyebrow')}</div>
        {heading(t('readyTitle'))}
        <p className="wr-lead">{v.link ? t('readyText', { n: v.instance ?? '?' }) : t('readyNoLink', { n: v.instance ?? '?' })}</p>
        {serverLine}
      </>
    );
    after = (
      <>
        {cta(t('openStream'))}
        <p className="wr-note">{t('readyKeepOpen')}</p>
      </>
    );
  } else if (v.role === 'spectator') {
    status = (
      <>
        <div className="wr-badge info" aria-hidden="true">
          <IconEye />
        </div>
        <div className="wr-eyebrow">{t('watchingEyebrow')}</div>
        {serverLine}
        {heading(t('watchingTitle', { n: v.instance ?? '?' }))}
        <p className="wr-lead">{v.link ? t('watchingText') : t('watchingNoLink')}</p>
        {v.position !== null && (
          <div className="wr-seatline" data-testid="wait-seat-position" data-position={v.position}>
            <span className="wr-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            <span>
              <strong>{v.position <= 1 ? t('seatNext') : t('seatLine', { n: v.position })}</strong>
              <span className="wr-seatline-eta">
                {t('waitLabel')}: {etaText(t, v)}
              </span>
            </span>
          </div>
        )}
      </>
    );
    after = (
      <>
        {cta(t('openWatch'))}
        <p className="wr-note">{t('keepOpen')}</p>
      </>
    );
  } else {
    const position = v.position ?? 1;
    status = (
      <>
        <div className="wr-eyebrow">{t('queuedEyebrow')}</div>
        {heading(t('queuedTitle'))}
        <PositionRing position={position} label={t('positionLabel')} paused={v.paused} />
        <p className="wr-ahead">{aheadText(t, position)}</p>
        <div className={`wr-eta${v.paused ? ' paused' : ''}`} data-testid="wait-eta">
          {v.paused ? <IconPause /> : <IconClock />}
          <span className="wr-eta-label">{t('waitLabel')}</span>
          <span className="wr-eta-value">{etaText(t, v)}</span>
        </div>
      </>
    );
    after = (
      <>
        {fleet.lostServer && (
          <div className="wr-alert warn" data-testid="wait-lost-server">
            <span>{t('lostServer', { name: fleet.lostServer })}</span>
          </div>
        )}
        {v.paused && (
          <div className="wr-alert warn" data-testid="wait-paused">
            <IconPause />
            <span>{t('pausedNote')}</span>
          </div>
        )}
        <p className="wr-note">{t('keepOpen')}</p>
      </>
    );
  }

  return (
    <div className={`wr-session role-${v.role}`}>
      <div role="status" aria-live="polite" aria-atomic="true" className="wr-status" data-testid="wait-status" data-role={v.role}>
        {status}
      </div>
      {after}
      {p.leaveError && (
        <div className="wr-alert bad" role="alert" data-testid="wait-error">
          <IconAlert />
          <span>{p.leaveError}</span>
        </div>
      )}
      <div className="wr-actions">{leaveButton}</div>
      <div className="wr-cardfoot">
        <ConnBadge t={t} conn={p.conn} online={p.online} />
        <span className="wr-who" title={v.name}>
          {t('hello', { name: v.name })}
        </span>
      </div>
    </div>
  );
}

const ENDED: Record<EndReason, { title: MessageKey; text: MessageKey; Icon: typeof IconDoor; tone: string }> = {
  left: { title: 'endedLeftTitle', text: 'endedLeftText', Icon: IconDoor, tone: 'info' },
  kicked: { title: 'endedKickedTitle', text: 'endedKickedText', Icon: IconUserX, tone: 'bad' },
  timeout: { title: 'endedTimeoutTitle', text: 'endedTimeoutText', Icon: IconHourglass, tone: 'warn' },
  expired: { title: 'endedExpiredTitle', text: 'endedExpiredText', Icon: IconHourglass, tone: 'warn' },
  closed: { title: 'endedClosedTitle', text: 'endedClosedText', Icon: IconAlert, tone: 'warn' },
};

export function EndedCard({ t, reason, onAgain, headingId, headingRef }: CommonProps & { reason: EndReason; onAgain(): void }) {
  const e = ENDED[reason];
  return (
    <div className="wr-ended" data-testid="wait-ended" data-reason={reason}>
      <div className={`wr-badge ${e.tone}`} aria-hidden="true">
        <e.Icon />
      </div>
      <div className="wr-eyebrow">{t('endedEyebrow')}</div>
      <div role="status" aria-live="polite" aria-atomic="true" className="wr-status">
        <h1 id={headingId} ref={headingRef} tabIndex={-1} className="wr-title">
          {t(e.title)}
        </h1>
        <p className="wr-lead">{t(e.text)}</p>
      </div>
      <div className="wr-actions">
        <button type="button" className="wr-btn primary big" onClick={onAgain} data-testid="wait-again">
          {t('joinAgain')}
        </button>
      </div>
    </div>
  );
}
