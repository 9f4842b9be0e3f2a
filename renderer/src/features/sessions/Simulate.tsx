// Simulated visitors: synthetic people who join through the same rules, to show
// the queue at work before the event (and to size the settings).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import type { AdmissionSnapshot, SimulationStatus } from '../../../../shared/admission-rules';
import { run } from '../../store';
import { checkSimulation, NO_PROBLEMS, refusalText, useFmt, useProblemText, type Problems } from './parts';
import { TextField } from '../../ui/Field';

import type { SimKey as Key } from './problems';

const useSimDraft = create<{ draft: Partial<Record<Key, string>>; set(k: Key, v: string): void; clear(): void }>((set) => ({
  draft: {},
  set: (k, v) => set((s) => ({ draft: { ...s.draft, [k]: v } })),
  clear: () => set({ draft: {} }),
}));

const current = (sim: SimulationStatus): Record<Key, string> => ({
  rate: String(sim.arrivalsPerMin),
  mean: String(sim.meanSessionSec),
  share: String(Math.round(sim.operateShare * 1000) / 10),
});

export function Simulate({ snap }: { snap: AdmissionSnapshot }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const problemText = useProblemText();
  const sim = snap.simulation;
  const { draft, set, clear } = useSimDraft();
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [busy, setBusy] = useState(false);
  const base = current(sim);
  const value = (k: Key) => draft[k] ?? base[k];
  const changed = (Object.keys(draft) as Key[]).some((k) => draft[k] !== base[k]);

  const send = async (running: boolean) => {
    const checked = checkSimulation({ rate: value('rate'), mean: value('mean'), share: value('share') }, running);
    if (!checked.ok) {
      setProblems(checked.problems);
      return;
    }
    setBusy(true);
    setProblems(NO_PROBLEMS);
    let failed = false;
    await run(
      (tr) => tr.invoke('admission.simulate', checked.payload),
      (e) => {
        failed = true;
        setProblems({ fields: {}, form: refusalText(e) });
      },
    );
    setBusy(false);
    if (!failed) clear();
  };
  const err = (k: Key) => problemText(problems.fields[k]);

  return (
    <form
      className={`panel sess-section sess-sim-panel${sim.running ? ' running' : ''}`}
      aria-labelledby="sess-sim-title"
      data-testid="sess-simulate"
      data-running={String(sim.running)}
      onSubmit={(e) => {
        e.preventDefault();
        void send(true);
      }}
    >
      <header className="sess-section-head">
        <div>
          <h3 id="sess-sim-title">
            {t('sess.simTitle')}
            {sim.running && (
              <span className="badge ok sess-inline-badge" data-testid="sess-sim-running">
                {t('sess.simRunning')}
              </span>
            )}
          </h3>
          <p className="muted">{t('sess.simSubtitle')}</p>
        </div>
      </header>
      <div className="sess-row three">
        <TextField label={t('sess.simRate')} unit={t('sess.perMin')} value={value('rate')} onChange={(v) => set('rate', v)} error={err('rate')} testId="sim-rate" />
        <TextField label={t('sess.simMean')} unit="s" value={value('mean')} onChange={(v) => set('mean', v)} error={err('mean')} testId="sim-mean" />
        <TextField label={t('sess.simShare')} unit="%" value={value('share')} onChange={(v) => set('share', v)} error={err('share')} testId="sim-share" />
      </div>
      {problems.form && (
        <div className="sess-alert bad" role="alert">
          {problems.form}
        </div>
      )}
      <div className="sess-sim-foot">
        <dl className="sess-sim-stats">
          <div>
            <dt>{t('sess.simPresent')}</dt>
            <dd data-testid="sim-visitors">{fmt(sim.visitors)}</dd>
          </div>
          <div>
            <dt>{t('sess.simArrived')}</dt>
            <dd data-testid="sim-arrived">{fmt(sim.arrived)}</dd>
          </div>
          <div>
            <dt>{t('sess.simGaveUp')}</dt>
            <dd data-testid="sim-gaveup">{fmt(sim.gaveUp)}</dd>
          </div>
        </dl>
        <div className="buttons">
          {sim.running && changed && (
            <button type="submit" disabled={busy} data-testid="sim-update">
              {t('sess.simUpdate')}
            </button>
          )}
          {sim.running ? (
            <button type="button" className="danger" disabled={busy} onClick={() => void send(false)} data-testid="sim-stop">
              ■ {t('sess.simStop')}
            </button>
          ) : (
            <button type="submit" className="primary" disabled={busy} data-testid="sim-start">
              ▶ {t('sess.simStart')}
            </button>
          )}
        </div>
      </div>
    </form>
  );
}
