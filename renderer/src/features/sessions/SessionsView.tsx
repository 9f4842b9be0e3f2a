// The Sessions view: who operates, who watches and who waits, live, with the admin's
// controls (pause, let in, reorder, kick, settings) and a visitor simulation for demos.
// Every rule runs in the core (shared/admission-rules.ts); this view shows its snapshots.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdmissionSnapshot } from '../../../../shared/admission-rules';
import { run, useStore } from '../../store';
import { Bandwidth } from './Bandwidth';
import { mmss, setServerClock, useFmt } from './parts';
import { Queue } from './Queue';
import { Seats } from './Seats';
import { Settings } from './Settings';
import { Simulate } from './Simulate';
import { Wilbur } from './Wilbur';
import './sessions.css';

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the old way
  }
  // Plain http on a LAN address is not a secure context: no clipboard API there.
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

function WaitLink({ served }: { served: string | null | undefined }) {
  const { t } = useTranslation();
  const kind = useStore((s) => s.transport?.kind);
  const toast = useStore((s) => s.toast);
  const [copied, setCopied] = useState(false);
  // The core says where it serves the waiting room. Failing that: the agent serves it
  // beside this console; in Electron the page comes from streamcap://app, which is no address to give out.
  const web = kind !== 'electron' && /^https?:$/.test(window.location.protocol);
  const url = served ?? (web ? `${window.location.origin}/wait` : null);
  return (
    <div className="sess-wait" data-testid="sess-wait">
      <span className="sess-wait-label">{t('sess.waitRoom')}</span>
      {url === null ? (
        <span className="sess-wait-url muted" data-testid="sess-wait-url">
          {t('sess.waitByAgent')}
        </span>
      ) : (
        <>
          <a className="sess-wait-url mono" href={url} target="_blank" rel="noreferrer" data-testid="sess-wait-url">
            {url}
          </a>
          <button
            type="button"
            className="sess-copy"
            data-testid="sess-wait-copy"
            onClick={async () => {
              if (await copyText(url)) {
                setCopied(true);
                window.setTimeout(() => setCopied(false), 1800);
              } else toast('error', t('sess.copyFailed'));
            }}
          >
            {copied ? `✓ ${t('sess.copied')}` : t('sess.copy')}
          </button>
        </>
      )}
    </div>
  );
}

function PauseButton({ snap }: { snap: AdmissionSnapshot }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const paused = snap.config.paused;
  return (
    <button
      type="button"
      className={`sess-pause ${paused ? 'primary' : 'pausing'}`}
      disabled={busy}
      aria-pressed={paused}
      data-testid="sess-pause"
      data-paused={String(paused)}
      onClick={async () => {
        setBusy(true);
        const r = await run((tr) => tr.invoke('admission.set', { paused: !paused }));
        if (r) useStore.setState({ admission: r });
        setBusy(false);
      }}
    >
      {paused ? `▶ ${t('sess.resume')}` : `❚❚ ${t('sess.pause')}`}
    </button>
  );
}

function Stats({ snap }: { snap: AdmissionSnapshot }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const s = snap.stats;
  const sec = (x: number | null) => (x === null ? '—' : mmss(x * 1000));
  const items: [string, string, string][] = [
    ['joined', t('sess.stat.joined'), fmt(s.joined)],
    ['left', t('sess.stat.left'), fmt(s.left)],
    ['timedOut', t('sess.stat.timedOut'), fmt(s.timedOut)],
    ['kicked', t('sess.stat.kicked'), fmt(s.kicked)],
    ['meanHold', t('sess.stat.meanHold'), sec(s.meanHoldSec)],
    ['meanWait', t('sess.stat.meanWait'), sec(s.meanWaitSec)],
    ['connected', t('sess.stat.connected'), fmt(snap.connected)],
  ];
  return (
    <dl className="sess-stats" data-testid="sess-stats" aria-label={t('sess.stat.title')}>
      {items.map(([k, label, v]) => (
        <div key={k} title={k === 'connected' ? t('sess.stat.connectedHint') : undefined}>
          <dt>{label}</dt>
          <dd data-testid={`stat-${k}`}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function SessionsView() {
  const { t } = useTranslation();
  const snap = useStore((s) => s.admission);
  useEffect(() => {
    if (snap) setServerClock(snap.now);
  }, [snap]);
  return (
    <div className="sess" data-testid="sessions-view">
      <div className="sess-toolbar">
        <div className="sess-title">
          <h2>
            {t('sess.title')}
            {snap && (
              <span className={`badge ${snap.config.paused ? 'warn' : 'ok'} sess-state`} data-testid="sess-state">
                {snap.config.paused ? t('sess.statePaused') : t('sess.stateOpen')}
              </span>
            )}
          </h2>
          <p className="muted">{t('sess.subtitle')}</p>
        </div>
        <div className="sess-toolbar-right">
          <WaitLink served={snap?.waitingRoomUrl} />
          {snap && <PauseButton snap={snap} />}
        </div>
      </div>
      {!snap ? (
        <div className="empty" data-testid="sess-loading">
          {t('sess.loading')}
        </div>
      ) : (
        <>
          {snap.config.paused && (
            <div className="banner warn sess-paused" role="status" data-testid="sess-paused-banner">
              <div>
                <strong>{t('sess.pausedTitle')}</strong>
                <div className="sub">{t('sess.pausedBody')}</div>
              </div>
            </div>
          )}
          <Stats snap={snap} />
          <div className="sess-grid">
            <div className="sess-main">
              <Seats snap={snap} />
              <Queue snap={snap} />
            </div>
            <div className="sess-side">
              <Bandwidth snap={snap} />
              <Simulate snap={snap} />
              {snap.wilbur && <Wilbur status={snap.wilbur} snap={snap} />}
            </div>
          </div>
          <Settings snap={snap} />
        </>
      )}
    </div>
  );
}
