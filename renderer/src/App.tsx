import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BandwidthView } from './features/bandwidth/BandwidthView';
import { InstancesView } from './features/instances/InstancesView';
import { FleetView, MemberBanner } from './features/fleet/FleetView';
import { ProbeView } from './features/probe/ProbeView';
import { ProfilesView } from './features/profiles/ProfilesView';
import { SessionsView } from './features/sessions/SessionsView';
import { StreamWall } from './features/streams/StreamWall';
import { SystemPanel } from './features/instances/SystemPanel';
import { LANGS, setLang, type Lang } from './i18n';
import { loadAdmission, useStore, type View } from './store';
import { saveToken } from './transport/web';

function ConnectionBadge() {
  const { t } = useTranslation();
  const connection = useStore((s) => s.connection);
  // Staleness is checked once a second against the latest sample, read from the store
  // without subscribing: a sample does not re-render the badge unless what it says changes.
  const [age, setAge] = useState<number | null>(null);
  useEffect(() => {
    const check = () => {
      const latest = useStore.getState().latest;
      const a = latest ? (Date.now() - latest.t) / 1000 : 0;
      setAge(latest && a > (latest.intervalMs / 1000) * 3 + 1 ? Math.round(a) : null);
    };
    check();
    const timer = setInterval(check, 1000);
    const unsubscribe = useStore.subscribe((s, prev) => s.latest !== prev.latest && check());
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }, []);
  const stale = connection === 'open' && age !== null;
  const cls = connection === 'open' ? (stale ? 'warn' : 'ok') : connection === 'connecting' ? 'info' : 'bad';
  return (
    <span className={`conn ${cls}`} data-testid="connection" data-state={stale ? 'stale' : connection}>
      <span className="dot" /> {stale ? t('conn.stale', { age: age.toFixed(0) }) : t(`conn.${connection}`)}
    </span>
  );
}

/** The sampler's loop delay: its own subscriber, so a sample re-renders this line and not the app. */
function LoopDelay() {
  const { t } = useTranslation();
  const ms = useStore((s) => s.latest?.loopDelayP99Ms);
  // The figure's box sits in a block of its own: a flex item (the footer is a row) is never a relayout boundary.
  return ms != null ? (
    <div>
      <span className="fig loop">{t('system.loop', { ms: ms.toFixed(1) })}</span>
    </div>
  ) : null;
}

function Toasts() {
  const toasts = useStore((s) => s.toasts);
  const dismiss = useStore((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} onClick={() => dismiss(t.id)}>
          {t.text}
        </div>
      ))}
    </div>
  );
}

export function TokenPrompt() {
  const { t } = useTranslation();
  const [token, setToken] = useState('');
  return (
    <div className="token-screen">
      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          saveToken(token.trim());
          location.reload();
        }}
      >
        <h2>{t('token.title')}</h2>
        <p>{t('token.body')}</p>
        <input value={token} onChange={(e) => setToken(e.target.value)} placeholder={t('token.placeholder')} autoFocus className="mono" />
        <button className="primary" type="submit" disabled={!token.trim()}>
          {t('token.submit')}
        </button>
      </form>
    </div>
  );
}

const VIEWS: View[] = ['instances', 'probe', 'profiles', 'bandwidth', 'sessions', 'wall', 'fleet'];

export function App() {
  const { t, i18n } = useTranslation();
  const view = useStore((s) => s.view);
  const setView = useStore((s) => s.setView);
  const host = useStore((s) => s.host);
  const connection = useStore((s) => s.connection);
  const transport = useStore((s) => s.transport);
  const member = useStore((s) => s.member);
  // The admission snapshot is pushed on every change; load it once per connection for the first picture.
  useEffect(() => {
    if (connection === 'open' && transport) void loadAdmission(transport);
  }, [connection, transport]);
  // Alt+1…9, bound once (the store's setter is stable).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && /^[1-9]$/.test(e.key)) {
        const v = VIEWS[Number(e.key) - 1];
        if (v) {
          e.preventDefault();
          useStore.getState().setView(v);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  if (connection === 'unauthorized') return <TokenPrompt />;
  return (
    <div className="app">
      {member && <MemberBanner name={member} />}
      <header className="top">
        <div className="brand">
          <img src="./icon.svg" alt="" width={28} height={28} />
          <div>
            <strong>StreamCap</strong>
            <span className="tagline">{t('app.tagline')}</span>
          </div>
        </div>
        <nav role="tablist">
          {VIEWS.map((v, k) => (
            <button key={v} role="tab" aria-selected={view === v} className={view === v ? 'active' : ''} onClick={() => setView(v)} title={`Alt+${k + 1}`} data-testid={`nav-${v}`}>
              {t(`nav.${v}`)}
            </button>
          ))}
        </nav>
        <div className="right">
          {host && (
            <span className="host" title={`${host.os} · ${host.cpuModel}`}>
              {host.hostname}
            </span>
          )}
          <ConnectionBadge />
          <label className="lang">
            <span className="sr-only">{t('app.language')}</span>
            <select value={i18n.language} onChange={(e) => setLang(e.target.value as Lang)} data-testid="lang" aria-label={t('app.language')}>
              {LANGS.map((l) => (
                <option key={l.code} value={l.code}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      <main>
        {view === 'instances' && (
          <>
            <SystemPanel />
            <InstancesView />
          </>
        )}
        {view === 'profiles' && <ProfilesView />}
        {view === 'bandwidth' && <BandwidthView />}
        {view === 'sessions' && <SessionsView />}
        {view === 'probe' && <ProbeView />}
        {view === 'wall' && <StreamWall />}
        {view === 'fleet' && <FleetView />}
      </main>
      <footer>
        <LoopDelay />
        {host && (
          <span>
            StreamCap {host.version} · {host.os}
          </span>
        )}
      </footer>
      <Toasts />
    </div>
  );
}
