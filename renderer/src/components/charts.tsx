// Live charts: recharts without animation, fed from the bounded history.
import { memo } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { clock } from '../format';

export interface Series {
  key: string;
  label: string;
  color: string;
}

export type Point = { t: number } & Record<string, number | null>;

const axisTick = (v: number) => (v === 0 || Math.abs(v) >= 10 ? String(Math.round(v)) : String(Number(v.toPrecision(2))));

interface ChartProps {
  data: Point[];
  series: Series[];
  unit: string;
  yMax?: number | 'auto';
  height?: number;
  threshold?: number;
  area?: boolean;
  testId?: string;
}

export const LiveChart = memo(function LiveChart({ data, series, unit, yMax = 100, height = 180, threshold, area, testId }: ChartProps) {
  const domain: [number, number | 'auto'] = [0, yMax === 'auto' ? 'auto' : yMax];
  const common = {
    data,
    margin: { top: 8, right: 12, bottom: 0, left: -8 },
  };
  const axes = (
    <>
      <CartesianGrid stroke="#1e293b" vertical={false} />
      <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={clock} stroke="#64748b" fontSize={11} minTickGap={48} />
      <YAxis domain={domain} stroke="#64748b" fontSize={11} width={44} tickFormatter={axisTick} allowDataOverflow={false} />
      <Tooltip
        isAnimationActive={false}
        contentStyle={{ background: '#0f172a', border: '1px solid #334155', borderRadius: 8, fontSize: 12 }}
        labelFormatter={(t) => clock(Number(t))}
        formatter={(v) => [typeof v === 'number' ? `${v.toFixed(1)} ${unit}` : '—']}
      />
      {series.length > 1 && <Legend iconType="plainline" wrapperStyle={{ fontSize: 12 }} />}
      {threshold !== undefined && <ReferenceLine y={threshold} stroke="#f97316" strokeDasharray="4 4" />}
    </>
  );
  return (
    <div className="chart" data-testid={testId} data-points={data.length}>
      <ResponsiveContainer width="100%" height={height}>
        {area ? (
          <AreaChart {...common}>
            {axes}
            {series.map((s) => (
              <Area key={s.key} name={s.label} dataKey={s.key} stroke={s.color} fill={s.color} fillOpacity={0.15} strokeWidth={2} isAnimationActive={false} dot={false} connectNulls={false} />
            ))}
          </AreaChart>
        ) : (
          <LineChart {...common}>
            {axes}
            {series.map((s) => (
              <Line key={s.key} name={s.label} dataKey={s.key} stroke={s.color} strokeWidth={2} isAnimationActive={false} dot={false} connectNulls={false} />
            ))}
          </LineChart>
        )}
      </ResponsiveContainer>
    </div>
  );
});

/** A tiny inline trend, drawn as one SVG path: 16 of these re-render every second. */
export const Sparkline = memo(function Sparkline({ values, max = 100, color = '#22d3ee' }: { values: (number | null)[]; max?: number; color?: string }) {
  const w = 120;
  const h = 28;
  const top = Math.max(max, ...values.map((v) => v ?? 0));
  let d = '';
  values.forEach((v, k) => {
    if (v === null) return;
    const x = values.length > 1 ? (k / (values.length - 1)) * w : 0;
    const y = h - 2 - (v / (top || 1)) * (h - 4);
    d += `${d === '' || values[k - 1] === null ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
  });
  return (
    <svg className="sparkline" width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-hidden>
      <path d={d} fill="none" stroke={color} strokeWidth={1.5} />
    </svg>
  );
});
