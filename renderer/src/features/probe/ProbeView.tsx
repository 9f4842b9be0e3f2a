// The Probe view: the screen a sales engineer shows a customer. Pick the app, start,
// watch the load climb against the instance count, read the answer in one sentence.
// Every decision is made in the core (shared/probe/); this view only shows it.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { RESOURCES, type Move, type ProbeLive, type ProbeRun, type ProbeWindow, type Resource } from '../../../../shared/probe';
import { resultSentence, type ReportLang } from '../../../../shared/probe-report';
import { num } from '../../ui/format';
import { run as call, useStore } from '../../store';
import { CHART_RESOURCES, measuredResources, PROBE_COLORS, ProbeChart } from './ProbeChart';
import { ProbeHistory } from './ProbeHistory';
import './probe.css';
import { ProfileSelect } from '../../ui/ProfileSelect';
import type { TFunction } from 'i18next';
import { TextField, type TextFieldProps } from '../../ui/Field';
import { checkForm, DEFAULT_FORM, probeProblemKey, type Form, type Problem } from './probe-form';

/** Kept across view switches and reloads: the settings of the last probe are the usual starting point. */
export const useProbeForm = create<{ form: Form; set(patch: Partial<Form>): void; reset(): void }>()(
  persist(
    (set) => ({
      form: DEFAULT_FORM,
      set: (patch) => set((s) => ({ form: { ...s.form, ...patch } })),
      reset: () => set({ form: DEFAULT_FORM }),
    }),
    { name: 'streamcap.probe', version: 1, partialize: (s) => ({ form: s.form }) },
  ),
);

/** A number field of the probe's settings: the one TextField, its problem in the UI's language. */
function Field({ problem, ...p }: Omit<TextFieldProps, 'error'> & { problem?: Problem }) {
  const { t } = useTranslation();
  const key = problem ? probeProblemKey(problem) : undefined;
  return <TextField {...p} error={key ? t(key.key, key.params) : undefined} />;
}

function Setup({ running, busy, onStart }: { running: boolean; busy: boolean; onStart(payload: Record<string, unknown>): void }) {
  const { t } = useTranslation();
  const profiles = useStore((s) => s.profiles);
  const { form, set } = useProbeForm();
  const { problems, payload } = checkForm(form);
  const profile = profiles.find((p) => p.id === form.profileId) ?? profiles[0];
  const thr = (k: 'cpu' | 'gpu' | 'gpuMemory' | 'memory' | 'encoder') => (
    <Field key={k} label={t(`probe.res.${k}`)} unit="%" value={form[k]} onChange={(v) => set({ [k]: v })} problem={problems[k]} testId={`probe-thr-${k}`} />
  );
  return (
    <form
      className="panel probe-setup"
      aria-label={t('probe.setup')}
      onSubmit={(e) => {
        e.preventDefault();
        if (payload && profile) onStart({ ...payload, profileId: profile.id });
      }}
    >
      <h3>{t('probe.setup')}</h3>
      <label className="field">
        <span className="label">{t('probe.profile')}</span>
        <ProfileSelect profiles={profiles} value={profile?.id ?? ''} onChange={(profileId) => set({ profileId })} disabled={running} testId="probe-profile" />
      </label>
      <fieldset disabled={running}>
        <legend>{t('probe.thresholds')}</legend>
        <div className="probe-grid3">
          {thr('cpu')}
          {thr('gpu')}
          {thr('memory')}
          {thr('gpuMemory')}
          {thr('encoder')}
          <Field
            label={t('probe.res.encoderSessions')}
            value={form.sessions}
            onChange={(v) => set({ sessions: v })}
            problem={problems.sessions}
            testId="probe-thr-sessions"
            hint={t('probe.sessionsHint')}
          />
        </div>
        <p className="hint">{t('probe.thresholdsHint')}</p>
      </fieldset>
      <fieldset disabled={running}>
        <legend>{t('probe.method')}</legend>
        <div className="probe-grid3">
          <Field label={t('probe.warmup')} unit="s" value={form.warmup} onChange={(v) => set({ warmup: v })} problem={problems.warmup} testId="probe-warmup" hint={t('probe.warmupHint')} />
          <Field label={t('probe.settle')} unit="s" value={form.settle} onChange={(v) => set({ settle: v })} problem={problems.settle} testId="probe-settle" hint={t('probe.settleHint')} />
          <Field label={t('probe.max')} value={form.max} onChange={(v) => set({ max: v })} problem={problems.max} testId="probe-max" hint={t('probe.maxHint')} />
        </div>
        <div className="probe-choices">
          <div role="radiogroup" aria-label={t('probe.ramp')} className="seg">
            {(['smart', 'linear'] as const).map((s) => (
              <button
                type="button"
                key={s}
                role="radio"
                aria-checked={form.strategy === s}
                className={form.strategy === s ? 'on' : ''}
                onClick={() => set({ strategy: s })}
                data-testid={`probe-ramp-${s}`}
              >
                {t(`probe.${s}`)}
              </button>
            ))}
          </div>
          <label className="field">
            <span className="label">{t('probe.basis')}</span>
            <select value={form.basis} onChange={(e) => set({ basis: e.target.value as Form['basis'] })} data-testid="probe-basis">
              <option value="machine">{t('probe.basisMachine')}</option>
              <option value="app">{t('probe.basisApp')}</option>
            </select>
          </label>
          <label className="probe-check">
            <input type="checkbox" checked={form.leaveRunning} onChange={(e) => set({ leaveRunning: e.target.checked })} data-testid="probe-leave" />
            <span>{t('probe.leaveRunning')}</span>
          </label>
        </div>
      </fieldset>
      <button type="submit" className="primary probe-start" disabled={running || busy || !payload || !profile} data-testid="probe-start">
        ▶ {t('probe.start')}
      </button>
    </form>
  );
}

const formatSec = (s: number, t: TFunction) => (s < 90 ? t('probe.sec', { s: Math.max(0, Math.round(s)) }) : t('probe.min', { m: Math.floor(s / 60), s: Math.round(s % 60) }));

function Meters({ live, run }: { live: ProbeLive; run: ProbeRun }) {
  const { t } = useTranslation();
  const r = live.reading;
  if (!r) return null;
  const value: Partial<Record<Resource, number | null>> = { cpu: r.decisionCpu, memory: r.memory, gpu: r.gpu, gpuMemory: r.gpuMemory, encoder: r.encoder };
  const shown = CHART_RESOURCES.filter((k) => value[k] !== null && value[k] !== undefined);
  return (
    <div className="probe-meters" data-testid="probe-meters">
      {shown.map((k) => {
        const v = value[k]!;
        const thr = run.settings.thresholds[k];
        const tone = v >= thr ? 'bad' : v >= thr * 0.9 ? 'warn' : 'ok';
        return (
          <div className="probe-meter" key={k}>
            <div className="probe-meter-head">
              <span>{t(`probe.res.${k}`)}</span>
              <span className={`v ${tone}`}>
                {num(v, 0)} %<span className="muted"> / {thr}</span>
              </span>
            </div>
            <div className="probe-bar">
              <div className={`fill ${tone}`} style={{ width: `${Math.min(100, v)}%`, background: tone === 'ok' ? PROBE_COLORS[k] : undefined }} />
              <div className="mark" style={{ left: `${thr}%` }} />
            </div>
          </div>
        );
      })}
    </div>
  );
}

function Progress({ live }: { live: ProbeLive }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const run = live.run;
  const elapsed = (now - run.startedAt) / 1000;
  const left = live.timeLeftSec;
  const fraction = left === null ? null : elapsed / Math.max(1, elapsed + left);
  const phaseLeft = live.phaseEndsAt ? Math.max(0, (live.phaseEndsAt - now) / 1000) : null;
  const k = run.steps.length + (live.phase === 'baseline' ? 0 : 1);
  return (
    <div className="probe-progress" data-testid="probe-progress" data-phase={live.phase}>
      <div className="probe-progress-line">
        <span className="probe-phase">
          <span className="probe-pulse" aria-hidden /> {t(`probe.phase.${live.phase}`)}
          {phaseLeft !== null && <span className="muted"> · {formatSec(phaseLeft, t)}</span>}
        </span>
        <span className="muted" data-testid="probe-step">
          {live.phase === 'baseline' ? t('probe.baselineStep') : t('probe.stepOf', { k, max: run.settings.maxInstances })}
          {live.target !== null && live.phase !== 'baseline' && ` · ${t(live.move === 'jump' ? 'probe.jumpTo' : live.move === 'backoff' ? 'probe.backoffTo' : 'probe.goTo', { n: live.target })}`}
        </span>
      </div>
      <div className="probe-track" aria-hidden>
        <div className={`probe-track-fill${fraction === null ? ' indeterminate' : ''}`} style={fraction === null ? undefined : { width: `${Math.round(fraction * 100)}%` }} />
      </div>
      <div className="probe-progress-line small muted">
        <span>{t('probe.elapsed', { time: formatSec(elapsed, t) })}</span>
        <span data-testid="probe-time-left">{left === null ? t('probe.estimating') : t('probe.timeLeft', { time: formatSec(left, t) })}</span>
      </div>
    </div>
  );
}

/** Groups "not measured" by reason: four GPU figures missing for one reason read as one line. */
function notMeasuredLines(run: ProbeRun, t: TFunction): string[] {
  const byReason = new Map<string, string[]>();
  for (const n of run.result?.notMeasured ?? []) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), t(`probe.res.${n.resource}`)]);
  return [...byReason].map(([reason, what]) => t('probe.notMeasured', { what: what.join(', '), reason }));
}

function Result({ run, lang }: { run: ProbeRun; lang: ReportLang }) {
  const { t } = useTranslation();
  const r = run.result;
  const sentence = resultSentence(run, lang);
  if (!r) {
    return (
      <div className={`probe-result none ${run.state}`} data-testid="probe-result" data-state={run.state}>
        <p className="probe-sentence">{sentence}</p>
      </div>
    );
  }
  const limitText =
    r.limitedBy === 'maxInstances'
      ? t('probe.limitMax', { max: run.settings.maxInstances })
      : r.limitAt === 0
        ? t('probe.limitIdle', { what: t(`probe.res.${r.limitedBy}`) })
        : t('probe.limitAt', { what: t(`probe.res.${r.limitedBy}`), at: r.limitAt });
  const head = RESOURCES.filter((x) => r.headroom[x] !== null);
  const notes = notMeasuredLines(run, t);
  return (
    <div className={`probe-result tone-${r.capacity > 0 ? 'ok' : 'bad'}`} data-testid="probe-result" data-state={run.state} data-capacity={r.capacity} data-limited-by={r.limitedBy}>
      <div className="probe-answer">
        <div className="probe-big" data-testid="probe-capacity">
          {r.limitedBy === 'maxInstances' ? '≥ ' : ''}
          {r.capacity}
        </div>
        <div className="probe-big-label">{t('probe.capacity', { count: r.capacity })}</div>
      </div>
      <div className="probe-answer-text">
        <p className="probe-sentence" data-testid="probe-sentence">
          {sentence}
        </p>
        <div className="probe-chips">
          <span className={`badge ${r.limitedBy === 'maxInstances' ? 'info' : r.limitedBy === 'instanceExit' ? 'bad' : 'warn'}`} data-testid="probe-limited-by">
            {limitText}
          </span>
          {r.exit && <span className="badge bad">{t('probe.exitDetail', { n: r.exit.n, reason: r.exit.reason })}</span>}
          {run.durationSec !== null && <span className="badge muted">{t('probe.took', { time: formatSec(run.durationSec, t) })}</span>}
        </div>
        {head.length > 0 && (
          <div className="probe-headroom">
            <span className="muted">{t('probe.headroom', { n: r.capacity })}</span>
            {head.map((x) => (
              <span key={x} className="probe-head-item">
                <i style={{ background: PROBE_COLORS[x] }} />
                {t(`probe.res.${x}`)} <strong>{num(r.headroom[x], x === 'encoderSessions' ? 0 : 1)}</strong> {x === 'encoderSessions' ? t('probe.sessions') : t('probe.pts')}
                {r.perInstance[x] !== undefined && r.perInstance[x]! > 0.05 && <span className="muted"> · {t('probe.perInstance', { v: num(r.perInstance[x], 1) })}</span>}
              </span>
            ))}
          </div>
        )}
        {r.noisy && <p className="probe-note warn">{t('probe.noisy')}</p>}
        {run.error && <p className="probe-note warn">{run.error}</p>}
        {notes.map((n) => (
          <p className="probe-note" key={n}>
            {n}
          </p>
        ))}
      </div>
    </div>
  );
}

function StepsTable({ run }: { run: ProbeRun }) {
  const { t } = useTranslation();
  const shown = measuredResources(run);
  const sessions = [run.baseline, ...run.steps].some((w) => w?.stats.encoderSessions);
  const verdict = (w: ProbeWindow, exit: ProbeRun['steps'][number]['exit'], baseline: boolean) => {
    if (exit) return <span className="badge bad">{t('probe.verdict.exited', { n: exit.n, reason: exit.reason })}</span>;
    if (baseline)
      return <span className="badge muted">{w.verdict === 'fail' ? t('probe.verdict.fail', { what: w.breached.map((r) => t(`probe.res.${r}`)).join(', ') }) : t('probe.verdict.baseline')}</span>;
    if (w.verdict === 'fail') return <span className="badge bad">{t('probe.verdict.fail', { what: w.breached.map((r) => t(`probe.res.${r}`)).join(', ') })}</span>;
    if (w.verdict === 'saturated') return <span className="badge warn">{t('probe.verdict.saturated')}</span>;
    return <span className="badge ok">{t('probe.verdict.pass')}</span>;
  };
  const row = (key: string, k: number, count: number, move: Move, w: ProbeWindow, exit: ProbeRun['steps'][number]['exit']) => (
    <tr key={key} className={exit || (w.verdict === 'fail' && k > 0) ? 'bad' : ''} data-testid="probe-step-row">
      <td className="num">{k}</td>
      <td className="num strong">{count}</td>
      <td>{k === 0 ? '' : t(`probe.move.${move}`)}</td>
      {shown.map((r) => (
        <td key={r} className={`num${w.breached.includes(r) ? ' over' : ''}`}>
          {num(w.stats[r]?.mean)} <span className="muted">/ {num(w.stats[r]?.p95)}</span>
        </td>
      ))}
      {sessions && <td className="num">{num(w.stats.encoderSessions?.mean, 1)}</td>}
      <td className="num">
        {num(w.windowSec, 0)} s{w.extended > 0 && <span className="muted"> · {t('probe.extended', { n: w.extended })}</span>}
        {w.noisy && <span className="badge warn small">~</span>}
      </td>
      <td>{verdict(w, exit, k === 0)}</td>
    </tr>
  );
  if (!run.baseline && run.steps.length === 0) return null;
  return (
    <section className="panel probe-steps">
      <h3>{t('probe.steps')}</h3>
      <table className="instances" data-testid="probe-steps">
        <thead>
          <tr>
            <th>#</th>
            <th>{t('probe.col.count')}</th>
            <th>{t('probe.col.move')}</th>
            {shown.map((r) => (
              <th key={r}>
                {t(`probe.res.${r}`)} <span className="unit">{t('probe.col.meanP95')}</span>
              </th>
            ))}
            {sessions && <th>{t('probe.res.encoderSessions')}</th>}
            <th>{t('probe.col.window')}</th>
            <th>{t('probe.col.verdict')}</th>
          </tr>
        </thead>
        <tbody>
          {run.baseline && row('b', 0, 0, 'step', run.baseline, null)}
          {run.steps.map((s) => row(s.index + ':' + s.count, s.index, s.count, s.move, s, s.exit))}
        </tbody>
      </table>
    </section>
  );
}

export function ProbeView() {
  const { t, i18n } = useTranslation();
  const live = useStore((s) => s.probe);
  const points = useStore((s) => s.probePoints);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<ProbeRun | null>(null);
  const [historyKey, setHistoryKey] = useState(0);
  const lang: ReportLang = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  const running = live?.run.state === 'running';

  // A console opened mid-probe (or reconnected) asks where the probe stands.
  useEffect(() => {
    void call((tr) => tr.invoke('probe.status', {})).then((s) => {
      if (s && (!useStore.getState().probe || useStore.getState().probe!.run.id !== s.run.id)) useStore.setState({ probe: s });
    });
  }, []);
  const liveState = live?.run.state;
  useEffect(() => {
    if (liveState && liveState !== 'running') setHistoryKey((k) => k + 1);
  }, [liveState, live?.run.id]);

  const start = async (payload: Record<string, unknown>) => {
    setBusy(true);
    setShown(null);
    const r = await call((tr) => tr.submit('probe.start', payload));
    if (r) useStore.setState({ probe: r, probePoints: [] });
    setBusy(false);
  };
  const cancel = async () => {
    setBusy(true);
    await call((tr) => tr.invoke('probe.cancel', {}));
    setBusy(false);
  };

  const run = shown ?? live?.run ?? null;
  const isLive = !shown && !!live;
  const chartPoints = useMemo(() => (isLive ? points : []), [isLive, points]);

  return (
    <div className="probe" data-testid="probe-view">
      <div className="probe-toolbar">
        <div>
          <h2>{t('probe.title')}</h2>
          <p className="muted">{t('probe.subtitle')}</p>
        </div>
        {running && (
          <button type="button" className="danger" onClick={() => void cancel()} disabled={busy} data-testid="probe-cancel">
            ■ {t('probe.cancel')}
          </button>
        )}
      </div>
      <div className="probe-top">
        <Setup running={running} busy={busy} onStart={(p) => void start(p)} />
        <section className="panel probe-stage" aria-live="polite">
          {shown && (
            <div className="probe-shown">
              {t('probe.showing', { date: new Date(shown.startedAt).toLocaleString(i18n.language), host: shown.host.hostname })}
              <button type="button" onClick={() => setShown(null)} data-testid="probe-back">
                {t('probe.backToLatest')}
              </button>
            </div>
          )}
          {!run && (
            <div className="probe-empty" data-testid="probe-empty">
              <div className="probe-empty-big">?</div>
              <p>{t('probe.idle')}</p>
            </div>
          )}
          {run && isLive && running && live && (
            <div className="probe-running">
              <div className="probe-answer">
                <div className="probe-big live" data-testid="probe-count">
                  {live.count}
                </div>
                <div className="probe-big-label">{t('probe.running', { count: live.count })}</div>
              </div>
              <div className="probe-running-side">
                <p className="probe-sentence muted">{resultSentence(run, lang)}</p>
                <Progress live={live} />
                <Meters live={live} run={run} />
              </div>
            </div>
          )}
          {run && !(isLive && running) && <Result run={run} lang={lang} />}
          {run && <ProbeChart run={run} points={chartPoints} target={isLive && running ? live?.target : null} />}
        </section>
      </div>
      {run && <StepsTable run={run} />}
      <ProbeHistory refreshKey={historyKey} lang={lang} shownId={shown?.id ?? null} onShow={setShown} />
    </div>
  );
}
