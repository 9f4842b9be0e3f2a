// Stream figures in the Instances view: the table cell, the detail charts, and the
// system card of what all streams deliver. Figures come from StreamCap's measuring
// viewers (one Pixel Streaming player each); "not measured" always says why.
import { memo, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { InstanceInfo, InstanceSample, Snapshot } from '../../../../shared/contract';
import { num } from '../../ui/format';
import { run, useStore } from '../../store';
import { instanceSparks, sampleOf } from '../../live';
import { LiveChart, Sparkline, type Point } from '../../ui/charts';
import { perSample } from '../../ui/per-sample';

const NO_SPARK: (number | null)[] = [];

/** A row's stream figures: re-rendered by each sample on its own (the row is not, live.tsx). */
export const StreamCell = memo(function StreamCell({ info }: { info: InstanceInfo }) {
  const { t } = useTranslation();
  const m = useStore((s) => sampleOf(s.latest, info.id)?.stream);
  const spark = useStore((s) => instanceSparks(s.history).fps.get(info.id) ?? NO_SPARK);
  if (!info.stream || info.stream.viewers === 0) return <span className="muted">—</span>;
  if (!m) return <span className="muted">—</span>;
  if (!m.ok) {
    return (
      <span className="stream-nm" title={t('stream.notMeasured', { reason: m.reason })} data-testid={`stream-${info.n}`} data-measured="false">
        <span className="badge warn">{t('stream.notMeasuredShort')}</span>
        <div className="reason">{m.reason}</div>
      </span>
    );
  }
  const s = m.value;
  return (
    <span className="stream-cell" data-testid={`stream-${info.n}`} data-measured="true" title={`${info.stream.streamerId} @ ${info.stream.signallingUrl}`}>
      <span className="mono">
        <strong>{num(s.fps, 0)}</strong> fps · {num(s.mbps, 1)} Mbps
      </span>
      <span className={s.freezes > 0 ? 'reason warn' : 'reason'}>{t('stream.freezes', { count: s.freezes })}</span>
      <Sparkline values={spark} max={60} color="#34d399" />
    </span>
  );
});

/** An instance's sample in a snapshot, with the snapshot's time. */
export interface SeriesPoint {
  t: number;
  s: InstanceSample | undefined;
}
const streamPoint = perSample((p: SeriesPoint): Point => ({ t: p.t, fps: p.s?.stream?.ok ? p.s.stream.value.fps : null, mbps: p.s?.stream?.ok ? p.s.stream.value.mbps : null }));
const FPS_SERIES = [{ key: 'fps', label: 'fps', color: '#34d399' }];
const MBPS_SERIES = [{ key: 'mbps', label: 'Mbps', color: '#fbbf24' }];

export function StreamCharts({ info, series }: { info: InstanceInfo; series: SeriesPoint[] }) {
  const { t } = useTranslation();
  const watched = !!info.stream && info.stream.viewers > 0;
  const data = useMemo<Point[]>(() => (watched ? series.map(streamPoint) : []), [series, watched]);
  if (!watched) return null;
  const last = series[series.length - 1]?.s?.stream;
  const v = last?.ok ? last.value : null;
  return (
    <>
      <div className="charts-row">
        <div className="panel">
          <h4>{t('stream.fpsChart')}</h4>
          <LiveChart testId="chart-instance-fps" data={data} unit="fps" yMax="auto" series={FPS_SERIES} area height={150} />
        </div>
        <div className="panel">
          <h4>{t('stream.mbpsChart')}</h4>
          <LiveChart testId="chart-instance-mbps" data={data} unit="Mbps" yMax="auto" series={MBPS_SERIES} area height={150} />
        </div>
      </div>
      <div className="stream-detail">
        {last && !last.ok && <p className="not-measured">{t('stream.notMeasured', { reason: last.reason })}</p>}
        {v && (
          <span className="mono">
            {t('stream.detail', {
              size: v.width && v.height ? `${v.width}×${v.height}` : '—',
              codec: v.codec ? ` · ${v.codec}` : '',
              lost: v.packetsLost,
              jitter: num(v.jitterMs, 1),
              rtt: num(v.rttMs, 1),
              qp: v.qp !== null ? t('stream.qp', { qp: num(v.qp, 0) }) : '',
            })}
          </span>
        )}
        <button onClick={() => void run((tr) => tr.invoke('streams.reconnect', { id: info.id }))}>{t('stream.reconnect')}</button>
      </div>
    </>
  );
}

/** Total Mbps the measured streams deliver now, the slowest frame rate, and what the viewers cost. */
export function deliveredOf(s: Snapshot | null): { mbps: number; streams: number; slowest: number | null } | null {
  if (!s) return null;
  let mbps = 0;
  let streams = 0;
  let slowest: number | null = null;
  for (const i of s.instances) {
    if (!i.stream?.ok) continue;
    streams++;
    mbps += i.stream.value.mbps * i.stream.value.viewers;
    slowest = slowest === null ? i.stream.value.fps : Math.min(slowest, i.stream.value.fps);
  }
  return streams ? { mbps, streams, slowest } : null;
}

export function DeliveredCard() {
  const { t } = useTranslation();
  const latest = useStore((s) => s.latest);
  const d = deliveredOf(latest);
  if (!d && !latest?.viewers) return null;
  const v = latest?.viewers;
  return (
    <section className={`card${d ? '' : ' muted'}`} data-testid="card-streams">
      <h3>{t('stream.delivered')}</h3>
      <div className="big">
        {d ? num(d.mbps, 1) : '—'}
        <span className="unit">Mbps</span>
      </div>
      <div className="sub live">
        {d && t('stream.deliveredSub', { count: d.streams, fps: num(d.slowest, 0) })}
        {v && (
          <>
            <br />
            {t('stream.viewers', { cpu: num(v.cpu, 0), mem: num(v.memoryMB, 0) })}
          </>
        )}
      </div>
    </section>
  );
}
