// The waiting room: join, wait, get in. One card in the middle of the page; what
// it shows follows the session (form → waiting → ready/watching → ended).
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { getSession, joinSession, leaveSession, loadStored, saveStored, SessionLink, WaitApiError, type Connection, type EndReason, type SessionView, type Want } from './api';
import { initialLang, translator, type Lang, type MessageKey, type Params, type Translate } from './i18n';
import { JoinForm, NAME_MAX } from './JoinForm';
import { BrandMark, IconHourglass, LangSwitch } from './parts';
import { EndedCard, SessionCard } from './SessionCard';

type Phase = { kind: 'form' } | { kind: 'busy'; what: 'joining' | 'restoring' } | { kind: 'session'; view: SessionView } | { kind: 'ended'; reason: EndReason };

/** A message kept as key + params, so it follows a change of language. */
interface Msg {
  key: MessageKey;
  params?: Params;
  /** About the name field. */
  name?: boolean;
}

const WANT_VALUES: readonly Want[] = ['operate', 'watch', 'any'];
const parseWant = (s: string | null | undefined): Want | null => (WANT_VALUES.includes(s as Want) ? (s as Want) : null);

/** What went wrong, in words the person can act on. */
function describe(e: unknown): Msg {
  if (!(e instanceof WaitApiError)) return { key: 'errNetwork' };
  switch (e.kind) {
    case 'rate_limited':
      return { key: 'errRateLimited', params: { n: e.retryAfter ?? 5 } };
    case 'network':
      return { key: 'errNetwork' };
    case 'bad_request':
      if (/name is required/i.test(e.message)) return { key: 'errNameRequired', name: true };
      if (/name.*64/i.test(e.message)) return { key: 'errNameTooLong', name: true };
      return { key: 'errBadRequest', params: { message: e.message.replace(/\s*$/, /[.!?。]$/.test(e.message.trim()) ? '' : '.') } };
    default:
      return { key: 'errServer', params: { status: e.status || '?' } };
  }
}

const ENDED_TEXT: Record<EndReason, [MessageKey, MessageKey]> = {
  expired: ['endedExpiredTitle', 'endedExpiredText'],
  kicked: ['endedKickedTitle', 'endedKickedText'],
  timeout: ['endedTimeoutTitle', 'endedTimeoutText'],
  closed: ['endedClosedTitle', 'endedClosedText'],
  left: ['endedLeftTitle', 'endedLeftText'],
};

function validateName(name: string): Msg | null {
  const n = name.trim();
  if (!n) return { key: 'errNameRequired', name: true };
  if (n.length > NAME_MAX) return { key: 'errNameTooLong', name: true };
  return null;
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [active]);
  return now;
}

function titleFor(t: Translate, phase: Phase): string {
  if (phase.kind === 'session') {
    if (phase.view.role === 'operator') return t('docTitleReady');
    if (phase.view.role === 'queued' && phase.view.position !== null) return t('docTitleQueued', { n: phase.view.position });
  }
  return t('docTitle');
}

export function WaitRoom() {
  const query = useMemo(() => new URLSearchParams(location.search), []);
  const stored = useMemo(() => loadStored(), []);

  const [lang, setLang] = useState<Lang>(() => initialLang());
  const t = useMemo(() => translator(lang), [lang]);

  const [name, setName] = useState(() => (query.get('name') ?? stored?.name ?? '').slice(0, NAME_MAX * 2));
  const [want, setWant] = useState<Want>(() => parseWant(query.get('want')) ?? stored?.want ?? 'operate');
  const [phase, setPhase] = useState<Phase>(() => (stored ? { kind: 'busy', what: 'restoring' } : query.get('auto') === '1' ? { kind: 'busy', what: 'joining' } : { kind: 'form' }));
  const [formError, setFormError] = useState<Msg | null>(null);
  const [notice, setNotice] = useState<EndReason | null>(null);
  const [retryUntil, setRetryUntil] = useState(0);
  const [conn, setConn] = useState<{ state: Connection; online: boolean }>({ state: 'connecting', online: true });
  const [leaving, setLeaving] = useState(false);
  const [leaveError, setLeaveError] = useState<Msg | null>(null);

  const phaseRef = useRef(phase);
  phaseRef.current = phase;
  const linkRef = useRef<SessionLink | null>(null);
  const nameRef = useRef<HTMLInputElement | null>(null);
  const headingRef = useRef<HTMLHeadingElement | null>(null);
  const headingId = useId();
  const now = useNow(retryUntil > Date.now());
  const retryIn = Math.max(0, Math.ceil((retryUntil - now) / 1000));

  // Language: <html lang> and the title follow it.
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const chooseLang = useCallback((l: Lang) => {
    setLang(l);
    // Kept in the URL, so a reload (or a link passed on) keeps it.
    const u = new URL(location.href);
    u.searchParams.set('lang', l);
    history.replaceState(history.state, '', u);
  }, []);
  useEffect(() => {
    document.title = titleFor(t, phase);
  }, [t, phase]);

  const follow = useCallback((id: string) => {
    linkRef.current?.stop();
    const link = new SessionLink(id, {
      view: (v) => setPhase((p) => (p.kind === 'session' || p.kind === 'busy' ? { kind: 'session', view: v } : p)),
      ended: (reason) => {
        if (linkRef.current === link) linkRef.current = null;
        saveStored(null);
        setLeaving(false);
        if (phaseRef.current.kind === 'busy') {
          // Found gone while coming back: the form again, with the reason on top.
          setNotice(reason);
          setPhase({ kind: 'form' });
        } else setPhase({ kind: 'ended', reason });
      },
      connection: (state, d) => setConn({ state, online: d.online }),
    });
    linkRef.current = link;
    link.start();
  }, []);

  const join = useCallback(
    async (rawName: string, w: Want) => {
      const invalid = validateName(rawName);
      if (invalid) {
        setFormError(invalid);
        setPhase({ kind: 'form' });
        return;
      }
      const n = rawName.trim();
      setFormError(null);
      setNotice(null);
      setPhase({ kind: 'busy', what: 'joining' });
      try {
        const v = await joinSession(n, w);
        saveStored({ id: v.id, name: v.name, want: v.want });
        setName(v.name);
        setConn({ state: 'connecting', online: true });
        setPhase({ kind: 'session', view: v });
        follow(v.id);
      } catch (e) {
        const msg = describe(e);
        setFormError(msg);
        if (e instanceof WaitApiError && e.kind === 'rate_limited') setRetryUntil(Date.now() + (e.retryAfter ?? 5) * 1000);
        setPhase({ kind: 'form' });
      }
    },
    [follow],
  );

  // First render: come back to a stored place, or join at once (?auto=1).
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (stored) {
      getSession(stored.id)
        .then((v) => {
          setPhase({ kind: 'session', view: v });
          follow(v.id);
        })
        .catch((e: unknown) => {
          if (e instanceof WaitApiError && e.kind === 'not_found') {
            saveStored(null);
            setNotice(e.ended ?? 'expired');
            setPhase({ kind: 'form' });
          } else {
            // Not reachable right now: keep the place and keep trying (socket + polling).
            follow(stored.id);
          }
        });
    } else if (query.get('auto') === '1') {
      void join(name, want);
    }
    // Only ever once, with the values the page opened with.
  }, []);

  const leave = useCallback(async () => {
    if (phase.kind !== 'session') return;
    const id = phase.view.id;
    setLeaving(true);
    setLeaveError(null);
    try {
      await leaveSession(id);
      linkRef.current?.stop();
      linkRef.current = null;
      saveStored(null);
      setPhase({ kind: 'ended', reason: 'left' });
    } catch (e) {
      const m = describe(e);
      setLeaveError(m.key === 'errBadRequest' ? { key: 'errLeave', params: m.params } : m);
    } finally {
      setLeaving(false);
    }
  }, [phase]);

  const again = useCallback(() => {
    setNotice(null);
    setFormError(null);
    setLeaveError(null);
    setPhase({ kind: 'form' });
  }, []);

  // Move focus with the story (not on the first render): the new heading, or the name field.
  const focusKey = phase.kind === 'session' ? `session-${phase.view.role}` : phase.kind;
  const firstFocus = useRef(true);
  useEffect(() => {
    if (firstFocus.current) {
      firstFocus.current = false;
      return;
    }
    if (phase.kind === 'form') {
      if (document.activeElement === document.body || !document.activeElement) nameRef.current?.focus();
      return;
    }
    if (phase.kind !== 'busy') headingRef.current?.focus({ preventScroll: false });
  }, [focusKey]);
  useEffect(() => {
    if (phase.kind === 'form' && formError?.name) nameRef.current?.focus();
  }, [phase.kind, formError]);

  const say = (m: Msg | null) => (m ? t(m.key, m.params) : null);

  let card;
  if (phase.kind === 'session') {
    card = (
      <SessionCard
        t={t}
        view={phase.view}
        conn={conn.state}
        online={conn.online}
        leaving={leaving}
        leaveError={say(leaveError)}
        onLeave={() => void leave()}
        headingId={headingId}
        headingRef={headingRef}
      />
    );
  } else if (phase.kind === 'ended') {
    card = <EndedCard t={t} reason={phase.reason} onAgain={again} headingId={headingId} headingRef={headingRef} />;
  } else if (phase.kind === 'busy' && phase.what === 'restoring') {
    card = (
      <div className="wr-loading" role="status" aria-live="polite" data-testid="wait-restoring">
        <span className="wr-spinner big" aria-hidden="true" />
        <span>{t('restoring')}</span>
      </div>
    );
  } else {
    card = (
      <JoinForm
        t={t}
        name={name}
        want={want}
        onName={(n) => {
          setName(n);
          if (formError?.name) setFormError(null);
        }}
        onWant={setWant}
        onSubmit={() => void join(name, want)}
        busy={phase.kind === 'busy'}
        retryIn={retryIn}
        error={say(formError)}
        nameInvalid={!!formError?.name}
        nameRef={nameRef}
        headingId={headingId}
        notice={
          notice ? (
            <div className="wr-alert warn" role="status" data-testid="wait-notice" data-reason={notice}>
              <IconHourglass />
              <span>
                <strong>{t(ENDED_TEXT[notice][0])}</strong>
                {t(ENDED_TEXT[notice][1])}
              </span>
            </div>
          ) : null
        }
      />
    );
  }

  const cardKind = phase.kind === 'session' ? `session ${phase.view.role}` : phase.kind;
  return (
    <div className="wr-page">
      <div className="wr-glow" aria-hidden="true" />
      <header className="wr-top">
        <div className="wr-brand">
          <BrandMark size={30} />
          <div>
            <strong>StreamCap</strong>
            <span>{t('brandTag')}</span>
          </div>
        </div>
        <LangSwitch lang={lang} onChange={chooseLang} t={t} />
      </header>
      <main className="wr-main">
        <section className={`wr-card ${cardKind}`} aria-labelledby={phase.kind === 'busy' ? undefined : headingId} data-testid="wait-card" data-phase={phase.kind}>
          {card}
        </section>
      </main>
    </div>
  );
}
