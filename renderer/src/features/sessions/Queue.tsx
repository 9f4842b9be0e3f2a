// The waiting list: first come, first served, with the admin's hands on it.
import { useTranslation } from 'react-i18next';
import type { AdmissionSnapshot, QueueEntryView } from '../../../../shared/admission-rules';
import { run, useStore } from '../../store';
import { Elapsed, shownName } from './parts';

/** Rows drawn at once; a simulated crowd can hold hundreds. */
const SHOWN = 200;

function Row({ e, last }: { e: QueueEntryView; last: number }) {
  const { t } = useTranslation();
  const nm = shownName(t, e);
  const toast = useStore((s) => s.toast);
  const promote = async () => {
    const v = await run((tr) => tr.invoke('admission.promote', { id: e.id }));
    if (!v) return;
    if (v.role === 'operator') toast('info', t('sess.promotedOperator', { name: nm, n: v.instance }));
    else if (v.role === 'spectator' && v.position === null) toast('info', t('sess.promotedSpectator', { name: nm, n: v.instance }));
    else toast('info', t('sess.promotedFirst', { name: nm }));
  };
  const move = (position: number) => void run((tr) => tr.invoke('admission.move', { id: e.id, position }));
  const kick = () => void run((tr) => tr.invoke('admission.kick', { id: e.id }));
  return (
    <tr data-testid="queue-row" data-name={e.name} data-position={e.position} className={e.synthetic ? 'synthetic' : undefined}>
      <td className="num sess-pos">{e.position}</td>
      <td className="sess-qname">
        <span className="sess-name" title={nm}>
          {nm}
        </span>
        {e.synthetic && (
          <span className="sess-sim" title={t('sess.simulatedHint')}>
            {t('sess.sim')}
          </span>
        )}
      </td>
      <td>
        <span className={`sess-want ${e.want}`}>{t(`sess.want.${e.want}`)}</span>
        {e.watching !== null && <span className="sess-watching">{t('sess.watching', { n: e.watching })}</span>}
      </td>
      <td className="num">
        <Elapsed since={e.queuedAt} />
      </td>
      <td className="actions sess-actions">
        <button type="button" className="sess-promote" onClick={() => void promote()} aria-label={t('sess.promoteName', { name: nm })} title={t('sess.promoteHint')} data-testid="queue-promote">
          ⤒ {t('sess.promote')}
        </button>
        <button type="button" onClick={() => move(e.position - 1)} disabled={e.position <= 1} aria-label={t('sess.upName', { name: nm })} title={t('sess.up')} data-testid="queue-up">
          ↑
        </button>
        <button type="button" onClick={() => move(e.position + 1)} disabled={e.position >= last} aria-label={t('sess.downName', { name: nm })} title={t('sess.down')} data-testid="queue-down">
          ↓
        </button>
        <button type="button" className="danger" onClick={kick} aria-label={t('sess.kickName', { name: nm })} data-testid="queue-kick">
          {t('sess.kick')}
        </button>
      </td>
    </tr>
  );
}

export function Queue({ snap }: { snap: AdmissionSnapshot }) {
  const { t } = useTranslation();
  const q = snap.queue;
  const last = q.length;
  return (
    <section className="panel sess-section" aria-labelledby="sess-queue-title" data-testid="sess-queue">
      <header className="sess-section-head">
        <div>
          <h3 id="sess-queue-title">
            {t('sess.queueTitle')}{' '}
            <span className="sess-count" data-testid="queue-count">
              {t('sess.waiting', { count: q.length })}
            </span>
          </h3>
          <p className="muted">{snap.config.paused ? t('sess.queuePaused') : t('sess.queueSubtitle')}</p>
        </div>
      </header>
      {q.length === 0 ? (
        <div className="empty sess-empty" data-testid="queue-empty">
          {t('sess.queueEmpty')}
        </div>
      ) : (
        <div className="sess-queue-scroll">
          <table className="instances sess-queue" aria-labelledby="sess-queue-title">
            <thead>
              <tr>
                <th className="num">{t('sess.col.pos')}</th>
                <th>{t('sess.col.name')}</th>
                <th>{t('sess.col.wants')}</th>
                <th className="num">{t('sess.col.waited')}</th>
                <th>
                  <span className="sr-only">{t('sess.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {q.slice(0, SHOWN).map((e) => (
                <Row key={e.id} e={e} last={last} />
              ))}
            </tbody>
          </table>
          {q.length > SHOWN && <div className="sess-more muted">{t('sess.more', { count: q.length - SHOWN })}</div>}
        </div>
      )}
    </section>
  );
}
