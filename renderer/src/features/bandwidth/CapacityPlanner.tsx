// Capacity planner, for sales: a peak audience → servers, uplink and encoder sessions,
// each number with the one line that explains it.
import { useTranslation } from 'react-i18next';
import { checkPlanInput, planCapacity, type PlanInput, type PlanResult } from '../../../../shared/bandwidth';
import { byField, Checkbox, NumberField, PresetSelect, useBandwidthForm, useCount, useFmt, useProblemText } from './bandwidth-parts';
import { LatestCapacity, MeasuredBitrate } from './measured';

function PlanCard({ title, value, unit, why, testId, badge }: { title: string; value: string; unit?: string; why: React.ReactNode; testId: string; badge?: React.ReactNode }) {
  return (
    <section className="card bw-plan-card" data-testid={testId}>
      <h3>{title}</h3>
      <div className="big">
        <span data-testid={`${testId}-value`}>{value}</span>
        {unit && <span className="unit">{unit}</span>}
        {badge}
      </div>
      <div className="sub" data-testid={`${testId}-why`}>
        {why}
      </div>
    </section>
  );
}

function PlanResults({ input, p }: { input: PlanInput; p: PlanResult }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const count = useCount();
  const rounded = (exact: boolean) => (exact ? '' : t('bw.roundedUp'));
  const sessions = t('bw.planSessionsWhy', {
    sessions: count('sessions', p.encoderSessionsTotal),
    how: input.sfu ? t('bw.planSessionsSfu') : t('bw.planSessionsDirect'),
    servers: count('servers', p.servers),
    perServer: fmt(p.encoderSessionsPerServer, 0),
  });
  let advice = '';
  if (!p.encoderFits)
    advice =
      p.serversWithinEncoderLimit !== null
        ? t(input.sfu ? 'bw.planOverServersSfu' : 'bw.planOverServers', {
            servers: count('servers', p.serversWithinEncoderLimit),
            instances: fmt(Math.floor(p.encoderLimit / p.viewersPerInstance), 0),
            viewers: fmt(p.viewersPerInstance, 0),
          })
        : t('bw.planOverSfu', { viewers: fmt(p.viewersPerInstance, 0) });
  return (
    <>
      <div className="bw-formula" data-testid="plan-split">
        <div className="bw-formula-sum">
          {t('bw.planSplit', {
            visitors: count('visitors', input.peakAudience),
            pct: fmt(input.operatingPercent),
            operators: count('operators', p.operators),
            rounded: rounded(p.operatorsExact),
            spectators: count('spectators', p.spectators),
          })}
        </div>
      </div>
      <div className="cards bw-cards">
        <PlanCard
          title={t('bw.servers')}
          value={fmt(p.servers, 0)}
          testId="plan-servers"
          why={
            p.operators > 0
              ? t('bw.serversWhy', {
                  operators: count('operators', p.operators),
                  perServer: fmt(input.streamsPerServer, 0),
                  servers: count('servers', p.servers),
                  rounded: rounded(p.operators % input.streamsPerServer === 0),
                })
              : t('bw.serversNobody')
          }
        />
        <PlanCard
          title={t('bw.uplinkNeeded')}
          value={fmt(p.uplinkNeededMbps)}
          unit="Mbps"
          testId="plan-uplink"
          why={
            <>
              {t(input.overheadPercent > 0 ? 'bw.uplinkWhyOverhead' : 'bw.uplinkWhy', {
                bitrate: fmt(input.bitrateMbps),
                viewers: count('viewers', input.peakAudience),
                overhead: fmt(input.overheadPercent),
                total: fmt(p.totalMbps),
              })}
              {input.headroomPercent > 0 && (
                <> {t('bw.uplinkWhyHeadroom', { headroom: fmt(input.headroomPercent), total: fmt(p.totalMbps), factor: fmt(1 - input.headroomPercent / 100, 4), uplink: fmt(p.uplinkNeededMbps) })}</>
              )}
            </>
          }
        />
        <PlanCard
          title={t('bw.sessionsPerServer')}
          value={fmt(p.encoderSessionsPerServer, 0)}
          unit={t('bw.encoderOf', { limit: p.encoderLimit })}
          testId="plan-sessions"
          badge={
            <span className={`badge ${p.encoderFits ? 'ok' : 'bad'} bw-inline-badge`} data-testid="plan-sessions-fits" data-fits={String(p.encoderFits)}>
              {p.encoderFits ? `✓ ${t('bw.encoderWithin')}` : `✕ ${t('bw.encoderOver')}`}
            </span>
          }
          why={advice ? `${sessions} ${advice}` : sessions}
        />
      </div>
    </>
  );
}

export function CapacityPlanner() {
  const { t } = useTranslation();
  const problemText = useProblemText();
  const form = useBandwidthForm((s) => s.plan);
  const setPlan = useBandwidthForm((s) => s.setPlan);
  const checked = checkPlanInput({ ...form });
  const errors = checked.ok ? {} : byField(checked.problems);
  const err = (k: keyof typeof form) => problemText(errors[k]);
  return (
    <section className="panel bw-section" aria-labelledby="bw-plan-title" data-testid="bw-planner">
      <header className="bw-section-head">
        <div>
          <h3 id="bw-plan-title">{t('bw.planTitle')}</h3>
          <p className="muted">{t('bw.planSubtitle')}</p>
        </div>
      </header>
      <form className="bw-plan-inputs" onSubmit={(e) => e.preventDefault()} aria-label={t('bw.planTitle')}>
        <NumberField
          label={t('bw.audience')}
          hint={t('bw.audienceHint')}
          step={10}
          min={1}
          value={form.peakAudience}
          onChange={(v) => setPlan({ peakAudience: v })}
          error={err('peakAudience')}
          testId="plan-audience"
        />
        <NumberField
          label={t('bw.operating')}
          hint={t('bw.operatingHint')}
          unit="%"
          step={5}
          value={form.operatingPercent}
          onChange={(v) => setPlan({ operatingPercent: v })}
          error={err('operatingPercent')}
          testId="plan-operating"
        />
        <NumberField
          label={t('bw.perServer')}
          hint={t('bw.perServerHint')}
          min={1}
          value={form.streamsPerServer}
          onChange={(v) => setPlan({ streamsPerServer: v })}
          error={err('streamsPerServer')}
          testId="plan-per-server"
        />
        <LatestCapacity onUse={(n) => setPlan({ streamsPerServer: String(n) })} testId="plan-probe-capacity" />
        <PresetSelect bitrate={form.bitrateMbps} onPick={(v) => setPlan({ bitrateMbps: v })} testId="plan-preset" />
        <NumberField label={t('bw.bitrate')} unit="Mbps" step={0.5} value={form.bitrateMbps} onChange={(v) => setPlan({ bitrateMbps: v })} error={err('bitrateMbps')} testId="plan-bitrate" />
        <MeasuredBitrate onUse={(v) => setPlan({ bitrateMbps: String(v) })} testId="plan-measured" />
        <NumberField
          label={t('bw.headroom')}
          hint={t('bw.headroomHint')}
          unit="%"
          step={5}
          value={form.headroomPercent}
          onChange={(v) => setPlan({ headroomPercent: v })}
          error={err('headroomPercent')}
          testId="plan-headroom"
        />
        <NumberField
          label={t('bw.overhead')}
          hint={t('bw.overheadHint')}
          unit="%"
          value={form.overheadPercent}
          onChange={(v) => setPlan({ overheadPercent: v })}
          error={err('overheadPercent')}
          testId="plan-overhead"
        />
        <div className="bw-plan-sfu">
          <Checkbox label={t('bw.sfu')} hint={t('bw.sfuHint')} checked={form.sfu} onChange={(v) => setPlan({ sfu: v })} testId="plan-sfu" />
        </div>
      </form>
      <div className="bw-results" aria-live="polite">
        {checked.ok ? (
          <PlanResults input={checked.value} p={planCapacity(checked.value)} />
        ) : (
          <div className="bw-invalid" role="status" data-testid="plan-invalid">
            {t('bw.fixFields')}
          </div>
        )}
      </div>
    </section>
  );
}
