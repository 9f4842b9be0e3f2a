// The waiting list: first come, first served, with the admin's hands on it.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QUEUE_PAGE, type AdmissionSnapshot, type QueueEntryView } from '../../../../shared/admission-rules';
import { run, useStore } from '../../store';
import { Elapsed, shownName } from './parts';

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
  // The snapshot carries the first page; further pages come from admission.queue, fetched
  // again whenever a new snapshot arrives (the line moves under the admin's eyes).
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<QueueEntryView[] | null>(null);
  const total = snap.queueTotal;
  const last = total;
  const start = offset >= total ? Math.max(0, Math.floor((total - 1) / QUEUE_PAGE) * QUEUE_PAGE) : offset;
  useEffect(() => {
    if (start === 0) return;
    let live = true;
    void run((tr) => tr.invoke('admission.queue', { offset: start, limit: QUEUE_PAGE })).then((p) => {
      if (live && p) setPage(p.entries);
    });
    return () => {
      live = false;
    };
  }, [start, snap.now]);
  const q = start === 0 ? snap.queue : (page ?? []);
  return (
    <section className="panel sess-section" aria-labelledby="sess-queue-title" data-testid="sess-queue">
      <header className="sess-section-head">
        <div>
          <h3 id="sess-queue-title">
            {t('sess.queueTitle')}{' '}
            <span className="sess-count" data-testid="queue-count">
              {t('sess.waiting', { count: total })}
            </span>
          </h3>
          <p className="muted">{snap.config.paused ? t('sess.queuePaused') : t('sess.queueSubtitle')}</p>
        </div>
      </header>
      {total === 0 ? (
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
              {q.map((e) => (
                <Row key={e.id} e={e} last={last} />
              ))}
            </tbody>
          </table>
          {total > QUEUE_PAGE && (
            <nav className="sess-more muted" aria-label={t('sess.queuePages')} data-testid="queue-pager">
              <button type="button" onClick={() => setOffset(Math.max(0, start - QUEUE_PAGE))} disabled={start === 0} data-testid="queue-prev">
                {t('sess.prevPage')}
              </button>{' '}
              <span data-testid="queue-range">{t('sess.pageRange', { from: start + 1, to: Math.min(total, start + QUEUE_PAGE), total })}</span>{' '}
              <button type="button" onClick={() => setOffset(start + QUEUE_PAGE)} disabled={start + QUEUE_PAGE >= total} data-testid="queue-next">
                {t('sess.nextPage')}
              </button>
            </nav>
          )}
        </div>
      )}
    </section>
  );
}
