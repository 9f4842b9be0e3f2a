// Load against instance count: live readings as faint dots, each step's mean as a
// line through the counts, dashed threshold lines, and the capacity once known.
import { memo, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import { RESOURCES, type ProbeRun, type ProbeWindow, type Resource } from '../../../../shared/probe';
import type { ProbePoint } from '../../store';

/** Bright enough on the dark panels; same hues as the printed report. */
export const PROBE_COLORS: Record<Resource, string> = {
  cpu: '#22d3ee',
  memory: '#a78bfa',
  gpu: '#4ade80',
  gpuMemory: '#facc15',
  encoder: '#f472b6',
  encoderSessions: '#94a3b8',
};

export const CHART_RESOURCES = RESOURCES.filter((r) => r !== 'encoderSessions');
const MAX_DOTS = 240;

type StepRow = { count: number; step: number } & Partial<Record<Resource, number>> & { breached: Resource[] };

interface Props {
  run: ProbeRun;
  points: ProbePoint[];
  /** The count being measured now (a live run), drawn as the right edge. */
  target?: number | null;
  height?: number;
}

/** Resources measured in any window of the run, in a fixed order. */
export function measuredResources(run: ProbeRun): Resource[] {
  const windows = [run.baseline, ...run.steps].filter((w): w is ProbeWindow => w !== null);
  return CHART_RESOURCES.filter((r) => windows.some((w) => w.stats[r] !== null));
}

export const ProbeChart = memo(function ProbeChart({ run, points, target, height = 330 }: Props) {
  const { t } = useTranslation();
  const resources = useMemo(() => {
    const fromRun = measuredResources(run);
    if (fromRun.length) return fromRun;
    // Before the baseline ends: whatever the live readings carry.
    return CHART_RESOURCES.filter((r) => points.some((p) => r in p && p[r as keyof ProbePoint] !== null));
  }, [run, points]);
  const rows = useMemo(() => {
    const out: StepRow[] = [];
    const add = (w: ProbeWindow, count: number, step: number) => {
      if (w.samples === 0) return;
      const row: StepRow = { count, step, breached: w.breached };
      for (const r of CHART_RESOURCES) if (w.stats[r]) row[r] = w.stats[r]!.mean;
      out.push(row);
    };
    if (run.baseline) add(run.baseline, 0, 0);
    for (const s of run.steps) add(s, s.count, s.index);
    return out.sort((a, b) => a.count - b.count);
  }, [run]);
  const limits = useMemo(() => {
    const windows = [run.baseline, ...run.steps].filter((w): w is ProbeWindow => w !== null);
    const out: Partial<Record<Resource, number>> = {};
    for (const r of resources) {
      const w = [...windows].reverse().find((x) => x.limits[r] !== null);
      const thr = w?.limits[r] ?? (r === 'encoderSessions' ? null : run.settings.thresholds[r]);
      if (thr !== null && thr !== undefined) out[r] = thr;
    }
    return out;
  }, [run, resources]);
  // Spread a window's readings a little sideways so the cloud shows its spread. Only the
  // latest readings are drawn: the step means carry the rest, and every dot costs a render.
  const cloud = useMemo(() => points.slice(-MAX_DOTS).map((p) => ({ ...p, count: p.count + (((Math.floor(p.t / 97) * 7919) % 21) - 10) / 50 })), [points]);
  const maxCount = Math.max(2, run.result ? run.result.capacity + 1 : 0, target ?? 0, ...rows.map((r) => r.count), ...points.map((p) => p.count)) + 0.5;
  const ticks = Array.from({ length: Math.floor(maxCount) + 1 }, (_, k) => k).filter((k) => maxCount <= 20 || k % 2 === 0);
  const name = (r: Resource) => t(`probe.res.${r}`);
  const capacity = run.result?.capacity;

  return (
    <div className="probe-chart" data-testid="probe-chart" data-points={points.length} data-steps={rows.length}>
      <ResponsiveContainer width="100%" height={height}>
        <ComposedChart margin={{ top: 14, right: 16, bottom: 14, left: -4 }}>
          <CartesianGrid stroke="#1e293b" />
          <XAxis
            type="number"
            dataKey="count"
            domain={[-0.45, maxCount]}
            ticks={ticks}
            allowDecimals={false}
            stroke="#64748b"
            fontSize={11}
            label={{ value: t('probe.chartX'), position: 'insideBottom', offset: -8, fill: '#64748b', fontSize: 11 }}
          />
          <YAxis type="number" domain={[0, 100]} ticks={[0, 20, 40, 60, 80, 100]} stroke="#64748b" fontSize={11} width={48} tickFormatter={(v) => `${v}%`} />
          <Tooltip
            isAnimationActive={false}
            cursor={false}
            contentStyle={{ background: '#0f172a', border: '1px solid #334155', borderRadius: 8, fontSize: 12 }}
            labelFormatter={(v) => t('probe.chartTip', { count: Math.round(Number(v)) })}
            formatter={(v, key) => [typeof v === 'number' ? `${v.toFixed(1)} %` : '—', name(String(key).replace(/^live-/, '') as Resource)]}
          />
          {resources.map((r) =>
            limits[r] !== undefined ? (
              <ReferenceLine
                key={`thr-${r}`}
                y={limits[r]}
                stroke={PROBE_COLORS[r]}
                strokeDasharray="7 5"
                strokeOpacity={0.85}
                ifOverflow="extendDomain"
                label={{ value: `${name(r)} ${limits[r]}%`, position: 'insideTopLeft', fill: PROBE_COLORS[r], fontSize: 11 }}
              />
            ) : null,
          )}
          {capacity !== undefined && (
            <ReferenceLine
              x={capacity}
              stroke="#e2e8f0"
              strokeDasharray="3 4"
              label={{ value: t('probe.capacityMark', { n: capacity }), position: 'insideTopRight', fill: '#e2e8f0', fontSize: 12, fontWeight: 700 }}
            />
          )}
          {resources.map((r) => (
            <Scatter key={`live-${r}`} name={`live-${r}`} data={cloud} dataKey={r} fill={PROBE_COLORS[r]} fillOpacity={0.28} isAnimationActive={false} shape={<LiveDot />} legendType="none" />
          ))}
          {resources.map((r) => (
            <Line
              key={`mean-${r}`}
              name={r}
              data={rows}
              dataKey={r}
              stroke={PROBE_COLORS[r]}
              strokeWidth={2.5}
              isAnimationActive={false}
              connectNulls
              dot={<StepDot resource={r} />}
              activeDot={{ r: 6 }}
            />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
      <div className="probe-legend">
        {resources.map((r) => (
          <span key={r}>
            <i style={{ background: PROBE_COLORS[r] }} /> {name(r)}
          </span>
        ))}
        <span className="muted">{t('probe.chartHint')}</span>
      </div>
    </div>
  );
});

function LiveDot(props: { cx?: number; cy?: number; fill?: string; fillOpacity?: number }) {
  if (props.cx === undefined || props.cy === undefined || !Number.isFinite(props.cy)) return null;
  return <circle cx={props.cx} cy={props.cy} r={2.6} fill={props.fill} fillOpacity={props.fillOpacity} />;
}

function StepDot(props: { cx?: number; cy?: number; stroke?: string; payload?: StepRow; resource: Resource }) {
  const { cx, cy, stroke, payload, resource } = props;
  if (cx === undefined || cy === undefined || !Number.isFinite(cy) || payload?.[resource] === undefined) return null;
  const over = payload.breached.includes(resource);
  return over ? <circle cx={cx} cy={cy} r={6} fill="#0f172a" stroke="#f87171" strokeWidth={3} /> : <circle cx={cx} cy={cy} r={4.5} fill={stroke} stroke="#0f172a" strokeWidth={1.5} />;
}
