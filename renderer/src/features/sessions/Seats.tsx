// The seats: one card per operator seat, with who operates it and who watches.
import { useTranslation } from 'react-i18next';
import type { AdmissionSnapshot, SeatView } from '../../../../shared/admission-rules';
import { run } from '../../store';
import { Elapsed, shownName } from './parts';

type Person = NonNullable<SeatView['operator']>;

function SimTag() {
  const { t } = useTranslation();
  return (
    <span className="sess-sim" title={t('sess.simulatedHint')} aria-label={t('sess.simulatedHint')}>
      {t('sess.sim')}
    </span>
  );
}

function kick(p: Person) {
  void run((tr) => tr.invoke('admission.kick', { id: p.id }));
}

function Seat({ seat, max }: { seat: SeatView; max: number }) {
  const { t } = useTranslation();
  const op = seat.operator;
  const free = Math.max(0, max - seat.spectators.length);
  return (
    <article
      className={`sess-seat${seat.running ? '' : ' off'}${op ? ' taken' : ''}`}
      data-testid={`seat-${seat.instance}`}
      data-running={String(seat.running)}
      data-operator={op?.name ?? ''}
      aria-label={t('sess.seat', { n: seat.instance })}
    >
      <header className="sess-seat-head">
        <span className="sess-seat-n">#{seat.instance}</span>
        {seat.running ? (
          <span className="sess-run ok">
            <i aria-hidden /> {t('sess.running')}
          </span>
        ) : (
          <span className="sess-run off">{t('sess.notRunning')}</span>
        )}
      </header>
      {op ? (
        <div className={`sess-op${op.synthetic ? ' synthetic' : ''}`} data-testid={`seat-${seat.instance}-operator`}>
          <span className="sess-avatar" aria-hidden>
            {shownName(t, op).trim().slice(0, 1).toUpperCase()}
          </span>
          <div className="sess-op-text">
            <span className="sess-role">{t('sess.operator')}</span>
            <span className="sess-name" title={shownName(t, op)}>
              {shownName(t, op)}
              {op.synthetic && <SimTag />}
            </span>
          </div>
          <Elapsed since={op.since} />
          <button type="button" className="sess-x" onClick={() => kick(op)} aria-label={t('sess.kickName', { name: shownName(t, op) })} title={t('sess.kickName', { name: shownName(t, op) })}>
            ×
          </button>
        </div>
      ) : (
        <div className="sess-op vacant" data-testid={`seat-${seat.instance}-free`}>
          <span className="sess-avatar" aria-hidden />
          <div className="sess-op-text">
            <span className="sess-role">{t('sess.operator')}</span>
            <span className="sess-free">{t('sess.free')}</span>
          </div>
        </div>
      )}
      <div className="sess-specs">
        <div className="sess-specs-head">
          <span>{t('sess.spectators')}</span>
          <span className="sess-specs-count">
            {seat.spectators.length} / {max}
          </span>
        </div>
        <div className="sess-chips">
          {seat.spectators.map((s) => (
            <span key={s.id} className={`sess-chip${s.synthetic ? ' synthetic' : ''}`} data-testid="spectator" title={s.synthetic ? `${shownName(t, s)} · ${t('sess.simulatedHint')}` : s.name}>
              <span className="sess-chip-name">{shownName(t, s)}</span>
              <Elapsed since={s.since} />
              <button type="button" className="sess-x small" onClick={() => kick(s)} aria-label={t('sess.kickName', { name: shownName(t, s) })}>
                ×
              </button>
            </span>
          ))}
          {Array.from({ length: Math.min(free, 6) }, (_, k) => (
            <span key={`free-${k}`} className="sess-chip free" aria-hidden>
              {t('sess.free')}
            </span>
          ))}
          {free > 6 && <span className="sess-chip free more">+{free - 6}</span>}
          {max === 0 && <span className="muted small">{t('sess.noSpectatorPlaces')}</span>}
        </div>
      </div>
    </article>
  );
}

export function Seats({ snap }: { snap: AdmissionSnapshot }) {
  const { t } = useTranslation();
  const c = snap.config;
  const source =
    c.seatsFrom === 'probe' && snap.probeCapacity === null
      ? t('sess.source.probeMissing')
      : snap.seatsSource === 'probe'
        ? t('sess.source.probe', { n: snap.probeCapacity })
        : t(`sess.source.${snap.seatsSource === 'manual' ? 'manual' : 'instances'}`);
  const taken = snap.seats.filter((s) => s.operator).length;
  return (
    <section className="panel sess-section" aria-labelledby="sess-seats-title" data-testid="sess-seats">
      <header className="sess-section-head">
        <div>
          <h3 id="sess-seats-title">
            {t('sess.seatsTitle')} <span className="sess-count">{t('sess.seatsTaken', { taken, total: snap.seats.length })}</span>
          </h3>
          <p className="muted">{t('sess.seatsSubtitle', { source, spectators: c.spectatorsPerInstance })}</p>
        </div>
      </header>
      {snap.seats.length === 0 ? (
        <div className="empty" data-testid="sess-no-seats">
          {c.seatsFrom === 'manual' ? t('sess.noSeatsManual') : t('sess.noSeats')}
        </div>
      ) : (
        <div className="sess-seats">
          {snap.seats.map((s) => (
            <Seat key={s.instance} seat={s} max={c.spectatorsPerInstance} />
          ))}
        </div>
      )}
    </section>
  );
}
