// The Bandwidth view: what uplink and how many encoder sessions an audience needs,
// spelled out so a customer can follow the sum, beside this machine's measured traffic.
// All maths lives in shared/bandwidth (the CLI and the queue use the same functions).
import { useTranslation } from 'react-i18next';
import { calculateBandwidth, checkBandwidthInput, streamsMbps, type BandwidthInput, type BandwidthResult } from '../../../../shared/bandwidth';
import { useStore } from '../../store';
import { byField, Checkbox, Meter, NumberField, PresetSelect, useBandwidthForm, useCount, useFmt, useProblemText } from './bandwidth-parts';
import { CapacityPlanner } from './CapacityPlanner';
import './bandwidth.css';
import { MeasuredBitrate } from './measured';

function Calculator() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const count = useCount();
  const problemText = useProblemText();
  const form = useBandwidthForm((s) => s.calc);
  const setCalc = useBandwidthForm((s) => s.setCalc);
  const checked = checkBandwidthInput({ ...form });
  const errors = checked.ok ? {} : byField(checked.problems);
  const input = checked.ok ? checked.value : null;
  const r = input ? calculateBandwidth(input) : null;
  const err = (k: keyof typeof form) => problemText(errors[k]);

  return (
    <section className="panel bw-section" aria-labelledby="bw-calc-title" data-testid="bw-calculator">
      <header className="bw-section-head">
        <div>
          <h3 id="bw-calc-title">{t('bw.calcTitle')}</h3>
          <p className="muted">{t('bw.calcSubtitle')}</p>
        </div>
      </header>
      <div className="bw-calc">
        <form className="bw-inputs" onSubmit={(e) => e.preventDefault()} aria-label={t('bw.calcTitle')}>
          <div className="grid2">
            <PresetSelect bitrate={form.bitrateMbps} onPick={(v) => setCalc({ bitrateMbps: v })} testId="bw-preset" />
            <NumberField label={t('bw.bitrate')} unit="Mbps" step={0.5} value={form.bitrateMbps} onChange={(v) => setCalc({ bitrateMbps: v })} error={err('bitrateMbps')} testId="bw-bitrate" />
            <MeasuredBitrate onUse={(v) => setCalc({ bitrateMbps: String(v) })} testId="bw-measured" />
            <NumberField label={t('bw.operators')} hint={t('bw.operatorsHint')} value={form.operators} onChange={(v) => setCalc({ operators: v })} error={err('operators')} testId="bw-operators" />
            <NumberField
              label={t('bw.spectators')}
              hint={t('bw.spectatorsHint')}
              value={form.spectators}
              onChange={(v) => setCalc({ spectators: v })}
              error={err('spectators')}
              testId="bw-spectators"
            />
            <NumberField
              label={t('bw.uplink')}
              hint={t('bw.uplinkHint')}
              unit="Mbps"
              step={100}
              value={form.uplinkMbps}
              onChange={(v) => setCalc({ uplinkMbps: v })}
              error={err('uplinkMbps')}
              testId="bw-uplink"
            />
            <NumberField
              label={t('bw.headroom')}
              hint={t('bw.headroomHint')}
              unit="%"
              step={5}
              value={form.headroomPercent}
              onChange={(v) => setCalc({ headroomPercent: v })}
              error={err('headroomPercent')}
              testId="bw-headroom"
            />
            <NumberField
              label={t('bw.overhead')}
              hint={t('bw.overheadHint')}
              unit="%"
              value={form.overheadPercent}
              onChange={(v) => setCalc({ overheadPercent: v })}
              error={err('overheadPercent')}
              testId="bw-overhead"
            />
          </div>
          <Checkbox label={t('bw.sfu')} hint={t('bw.sfuHint')} checked={form.sfu} onChange={(v) => setCalc({ sfu: v })} testId="bw-sfu" />
        </form>

        <div className="bw-results" aria-live="polite">
          {!input || !r ? (
            <div className="bw-invalid" role="status" data-testid="bw-invalid">
              {t('bw.fixFields')}
            </div>
          ) : (
            <>
              <div className="bw-formula" data-testid="bw-formula">
                <div className="bw-formula-sum">
                  {t(input.overheadPercent > 0 ? 'bw.formulaOverhead' : 'bw.formula', {
                    bitrate: fmt(input.bitrateMbps),
                    operators: count('operators', input.operators),
                    spectators: count('spectators', input.spectators),
                    overhead: fmt(input.overheadPercent),
                    total: fmt(r.totalMbps),
                  })}
                </div>
                <div className="muted">{t('bw.formulaWhy')}</div>
              </div>
              <div className="bw-constraints">
                <BandwidthConstraint input={input} r={r} />
                <EncoderConstraint input={input} r={r} />
              </div>
              <div className="cards bw-cards">
                <MaxSpectators input={input} r={r} />
                <MaxBitrate input={input} r={r} />
                <LiveCheck totalMbps={r.totalMbps} uplinkMbps={r.uplinkMbps} />
              </div>
            </>
          )}
        </div>
      </div>
    </section>
  );
}

function Verdict({ ok, yes, no, testId }: { ok: boolean; yes: string; no: string; testId: string }) {
  return (
    <span className={`badge ${ok ? 'ok' : 'bad'}`} data-testid={testId} data-fits={String(ok)}>
      {ok ? `✓ ${yes}` : `✕ ${no}`}
    </span>
  );
}

function BandwidthConstraint({ input, r }: { input: BandwidthInput; r: BandwidthResult }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const tone = r.fits === false ? 'bad' : r.utilization !== null && r.usableMbps !== null && r.totalMbps > r.usableMbps * 0.9 ? 'warn' : 'ok';
  return (
    <section className="bw-constraint" data-testid="bw-bandwidth">
      <div className="bw-constraint-head">
        <h4>{t('bw.total')}</h4>
        {r.fits !== null && <Verdict ok={r.fits} yes={t('bw.fits')} no={t('bw.fitsNot')} testId="bw-fits" />}
      </div>
      <div className="bw-big">
        <span data-testid="bw-total">{fmt(r.totalMbps)}</span>
        <span className="unit">Mbps</span>
      </div>
      {r.uplinkMbps !== null && r.utilization !== null && r.usableMbps !== null ? (
        <>
          <Meter fraction={r.utilization} marker={1 - input.headroomPercent / 100} tone={tone} label={t('bw.utilizationLabel')} testId="bw-meter" />
          <div className="bw-line" data-testid="bw-utilization">
            {t('bw.utilization', { pct: fmt(r.utilization * 100, 1), uplink: fmt(r.uplinkMbps) })}
            {input.headroomPercent > 0 && <> {t('bw.usable', { headroom: fmt(input.headroomPercent), usable: fmt(r.usableMbps) })}</>}
          </div>
          <div className="bw-why">{r.fits ? t('bw.spare', { spare: fmt(r.usableMbps - r.totalMbps) }) : t('bw.short', { short: fmt(r.totalMbps - r.usableMbps) })}</div>
        </>
      ) : (
        <div className="bw-why" data-testid="bw-utilization">
          {t('bw.noUplink')}
        </div>
      )}
    </section>
  );
}

function EncoderConstraint({ input, r }: { input: BandwidthInput; r: BandwidthResult }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const count = useCount();
  return (
    <section className="bw-constraint" data-testid="bw-encoder">
      <div className="bw-constraint-head">
        <h4>{t('bw.encoder')}</h4>
        <Verdict ok={r.encoderFits} yes={t('bw.encoderWithin')} no={t('bw.encoderOver')} testId="bw-encoder-fits" />
      </div>
      <div className="bw-big">
        <span data-testid="bw-sessions">{fmt(r.encoderSessions, 0)}</span>
        <span className="unit">{t('bw.encoderOf', { limit: r.encoderLimit })}</span>
      </div>
      <Meter fraction={r.encoderSessions / r.encoderLimit} tone={r.encoderFits ? 'ok' : 'bad'} label={t('bw.encoder')} />
      <div className="bw-line">{input.sfu ? t('bw.encoderSfu') : t('bw.encoderDirect', { operators: count('operators', input.operators), spectators: count('spectators', input.spectators) })}</div>
      <div className="bw-why">{r.encoderFits ? t('bw.encoderWithinWhy') : input.sfu ? t('bw.encoderOverWhySfu') : t('bw.encoderOverWhy')}</div>
    </section>
  );
}

function MaxSpectators({ input, r }: { input: BandwidthInput; r: BandwidthResult }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const count = useCount();
  let why: string;
  if (r.maxSpectators === null || r.usableMbps === null) why = t('bw.needUplink');
  else if (!r.operatorsFit)
    why = t('bw.maxSpectatorsNone', { operators: count('operators', input.operators), need: fmt(streamsMbps(input.bitrateMbps, input.operators, input.overheadPercent)), usable: fmt(r.usableMbps) });
  else
    why = t('bw.maxSpectatorsWhy', {
      usable: fmt(r.usableMbps),
      perStream: fmt(r.perStreamMbps),
      streams: count('streams', input.operators + r.maxSpectators),
      operators: count('operators', input.operators),
    });
  return (
    <section className={`card${r.maxSpectators === null ? ' muted' : ''}`} data-testid="bw-max-spectators">
      <h3>{t('bw.maxSpectators', { operators: count('operators', input.operators) })}</h3>
      <div className="big" data-testid="bw-max-spectators-value">
        {fmt(r.maxSpectators, 0)}
      </div>
      <div className="sub">{why}</div>
    </section>
  );
}

function MaxBitrate({ input, r }: { input: BandwidthInput; r: BandwidthResult }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const count = useCount();
  let why: string;
  if (r.usableMbps === null) why = t('bw.needUplink');
  else if (r.maxBitrateMbps === null) why = t('bw.maxBitrateNoAudience');
  else if (r.maxBitrateMbps === 0) why = t('bw.maxBitrateZero', { viewers: count('viewers', r.streams), usable: fmt(r.usableMbps) });
  else
    why = t(input.overheadPercent > 0 ? 'bw.maxBitrateWhyOverhead' : 'bw.maxBitrateWhy', {
      usable: fmt(r.usableMbps),
      viewers: count('viewers', r.streams),
      factor: fmt(1 + input.overheadPercent / 100, 4),
      max: fmt(r.maxBitrateMbps),
    });
  return (
    <section className={`card${r.maxBitrateMbps === null ? ' muted' : ''}`} data-testid="bw-max-bitrate">
      <h3>{t('bw.maxBitrate', { viewers: count('viewers', r.streams) })}</h3>
      <div className="big" data-testid="bw-max-bitrate-value">
        {fmt(r.maxBitrateMbps)}
        {r.maxBitrateMbps !== null && <span className="unit">Mbps</span>}
      </div>
      <div className="sub">{why}</div>
    </section>
  );
}

/** This machine's measured send rate from the latest sample; the reason when it is not measured, never a made-up 0. */
function LiveCheck({ totalMbps, uplinkMbps }: { totalMbps: number; uplinkMbps: number | null }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const latest = useStore((s) => s.latest);
  const net = latest?.system.net;
  let value = '—';
  let lines: string[];
  if (!net) lines = [t('bw.liveWaiting')];
  else if (!net.ok) lines = [t('bw.liveNotMeasured', { reason: net.reason })];
  else {
    const { txMbps, rxMbps } = net.value;
    // An idle link sends a few kbps: say "< 0.01" rather than round a measurement to a bare 0.
    const small = (x: number, floor: number, digits: number) => (x > 0 && x < floor ? `< ${fmt(floor, digits)}` : fmt(x, x < 10 ? digits : 1));
    value = small(txMbps, 0.01, 2);
    lines = [t('bw.liveReceived', { rx: small(rxMbps, 0.01, 2) })];
    if (uplinkMbps !== null) lines.push(t('bw.liveShare', { pct: small((txMbps / uplinkMbps) * 100, 0.01, 2), uplink: fmt(uplinkMbps) }));
    lines.push(t('bw.liveVsTotal', { total: fmt(totalMbps) }));
  }
  return (
    <section className={`card bw-live${net?.ok ? '' : ' muted'}`} data-testid="bw-live" data-state={!net ? 'waiting' : net.ok ? 'measured' : 'not-measured'}>
      <h3>
        <span className="bw-live-dot" aria-hidden /> {t('bw.live')}
      </h3>
      <div className="big">
        <span data-testid="bw-live-tx">{value}</span>
        {net?.ok && <span className="unit">Mbps ↑</span>}
      </div>
      {lines.map((l, k) => (
        <div className="sub" key={k} data-testid={k === 0 ? 'bw-live-note' : undefined}>
          {l}
        </div>
      ))}
    </section>
  );
}

export function BandwidthView() {
  const { t } = useTranslation();
  const reset = useBandwidthForm((s) => s.reset);
  return (
    <div className="bw" data-testid="bandwidth-view">
      <div className="bw-toolbar">
        <div>
          <h2>{t('bw.title')}</h2>
          <p className="muted">{t('bw.subtitle')}</p>
        </div>
        <button type="button" onClick={reset} data-testid="bw-reset">
          {t('bw.reset')}
        </button>
      </div>
      <Calculator />
      <CapacityPlanner />
      <p className="bw-footnote muted">{t('bw.footnote')}</p>
    </div>
  );
}
