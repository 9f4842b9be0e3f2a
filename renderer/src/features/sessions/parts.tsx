// Small pieces of the Sessions view: one shared 1 s clock for every ticking time,
// time formats, field problems in the UI's language, and a number field.
import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../../../shared/format';
import type { TFunction } from 'i18next';
import type { FieldProblem } from '../../../../shared/form-problems';
import { sessionProblemText } from './problems';

// ---- One clock for all ticking times: only the cells that show a time re-render. ----

/** Server clock minus this browser's: times are shown against the server's clock (a remote browser's may be off). */
let skewMs = 0;
export function setServerClock(serverNow: number): void {
  skewMs = serverNow - Date.now();
}
const serverNow = () => Date.now() + skewMs;

let clockNow = serverNow();
const listeners = new Set<() => void>();
let clockTimer: number | undefined;

function subscribeClock(fn: () => void): () => void {
  listeners.add(fn);
  if (clockTimer === undefined) {
    clockNow = serverNow();
    clockTimer = window.setInterval(() => {
      clockNow = serverNow();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0 && clockTimer !== undefined) {
      window.clearInterval(clockTimer);
      clockTimer = undefined;
    }
  };
}

export function useClock(): number {
  return useSyncExternalStore(subscribeClock, () => clockNow);
}

/** mm:ss, or h:mm:ss past an hour. */
export function mmss(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${String(m).padStart(2, '0')}:${sec}`;
}

/** Time since `since` (epoch ms), ticking each second. */
export function Elapsed({ since, testId }: { since: number; testId?: string }) {
  const now = useClock();
  return (
    <span className="sess-time" data-testid={testId}>
      {mmss(now - since)}
    </span>
  );
}

/** Numbers in the UI's language; null shows as "—". */
export function useFmt() {
  const { i18n } = useTranslation();
  return (x: number | null | undefined, digits = 0) => (x === null || x === undefined ? '—' : formatNumber(x, digits, i18n.language));
}

// ---- Field problems (the pure part: ./problems.ts) ----

export { checkSettings, checkSimulation, NO_PROBLEMS, parseNum, refusalText, type Problems } from './problems';

/** A field's problem in the UI's language. */
export function useProblemText() {
  const { t } = useTranslation();
  return (p: FieldProblem | undefined): string | undefined => {
    if (!p) return undefined;
    const w = sessionProblemText(p);
    return 'text' in w ? w.text : 'params' in w ? t(w.key, w.params) : t(w.key);
  };
}

/**
 * The name shown for a person: simulated visitors are named by the core in English
 * ("Visitor 12", "Viewer 12"); the console says it in its own language.
 */
export function shownName(t: TFunction, who: { name: string; synthetic: boolean }): string {
  const m = who.synthetic ? /^(Visitor|Viewer) (\d+)$/.exec(who.name) : null;
  return m ? t(m[1] === 'Viewer' ? 'sess.simViewer' : 'sess.simVisitor', { n: m[2] }) : who.name;
}
