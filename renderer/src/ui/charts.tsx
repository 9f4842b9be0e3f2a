// Live charts, drawn by hand as SVG paths. They redraw every second, five at once
// with an instance open: recharts took ~60 ms of main thread per update for them on
// the 2-core build machine (bench/ui.bench.ts, profiled), this takes a few ms.
// recharts stays for charts that don't tick (probe results, planner).
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { clock, timeTicks } from './format';

export interface Series {
  key: string;
  label: string;
  color: string;
}

export type Point = { t: number } & Record<string, number | null>;

/**
 * At most `max` points for drawing: each bucket of consecutive points keeps, per
 * series, its highest value (a load chart must not smooth a peak away). A 10-minute
 * window at 1 Hz is 600 points for a chart some 700 px wide.
 */
export function decimate(data: Point[], keys: string[], max: number): Point[] {
  if (data.length <= max) return data;
  const size = data.length / max;
  const out: Point[] = [];
  for (let b = 0; b < max; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(data.length, Math.floor((b + 1) * size));
    const p: Point = { t: data[to - 1]!.t };
    for (const k of keys) {
      let v: number | null = null;
      for (let i = from; i < to; i++) {
        const x = data[i]![k];
        if (x != null && (v === null || x > v)) v = x;
      }
      p[k] = v;
    }
    out.push(p);
  }
  return out;
}

/** One decimal for path data: Math.round is several times cheaper than toFixed, and a chart writes ~200 a second. */
const d1 = (v: number) => Math.round(v * 10) / 10;

const axisTick = (v: number) => (v === 0 || Math.abs(v) >= 10 ? String(Math.round(v)) : String(Number(v.toPrecision(2))));

/** A round upper bound for an auto-scaled axis: 1, 2, 2.5 or 5 × 10^k. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => setWidth(Math.max(120, Math.floor(entry!.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

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

const PAD = { top: 8, right: 12, bottom: 20, left: 40 };

export const LiveChart = memo(function LiveChart({ data: raw, series, unit, yMax = 100, height = 180, threshold, area, testId }: ChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);
  const keys = series.map((s) => s.key).join(',');
  const data = useMemo(() => decimate(raw, keys.split(','), Math.max(30, Math.floor(width / 4))), [raw, keys, width]);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const first = data[0]?.t ?? 0;
  const last = data[data.length - 1]?.t ?? 1;
  const span = Math.max(1, last - first);
  let top = typeof yMax === 'number' ? yMax : 0;
  if (yMax === 'auto') {
    for (const p of data) for (const s of series) top = Math.max(top, p[s.key] ?? 0);
    // At least one unit (1 Mbps, 1 %, 1 MB): an idle link must not scale the axis to 1e-11.
    top = niceMax(Math.max(1, top * 1.1));
  }
  const x = (t: number) => PAD.left + ((t - first) / span) * plotW;
  const y = (v: number) => PAD.top + plotH - (Math.min(v, top) / top) * plotH;
  const y0 = d1(y(0));
  const paths = series.map((s) => {
    let line = '';
    let fill = '';
    let runStart: number | null = null;
    let prevX = 0;
    for (const p of data) {
      const v = p[s.key];
      if (v == null) {
        if (area && runStart !== null) fill += `L${prevX},${y0}L${runStart},${y0}Z`;
        runStart = null;
        continue;
      }
      const px = d1(x(p.t));
      const seg = `${px},${d1(y(v))}`;
      if (runStart === null) {
        line += `M${seg}`;
        if (area) fill += `M${seg}`;
        runStart = px;
      } else {
        line += `L${seg}`;
        if (area) fill += `L${seg}`;
      }
      prevX = px;
    }
    if (area && runStart !== null) fill += `L${prevX},${y0}L${runStart},${y0}Z`;
    return { s, line, fill: area ? fill : '' };
  });
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * top);
  const xTicks = timeTicks(first, last);
  const hovered = hover !== null ? data[hover] : undefined;
  const latest = data[data.length - 1];
  const summary = series.map((s) => `${s.label} ${latest?.[s.key] != null ? `${latest[s.key]!.toFixed(1)} ${unit}` : '—'}`).join(', ');

  return (
    <div className="chart" ref={ref} data-testid={testId} data-points={raw.length}>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={summary}
        onMouseMove={(e) => {
          if (data.length === 0) return;
          const rect = e.currentTarget.getBoundingClientRect();
          const t = first + ((e.clientX - rect.left - PAD.left) / plotW) * span;
          let best = 0;
          for (let k = 1; k < data.length; k++) if (Math.abs(data[k]!.t - t) < Math.abs(data[best]!.t - t)) best = k;
          setHover(best);
        }}
        onMouseLeave={() => setHover(null)}
      >
        {yTicks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={width - PAD.right} y1={y(v)} y2={y(v)} className="grid" />
            <text x={PAD.left - 6} y={y(v) + 4} className="tick" textAnchor="end">
              {axisTick(v)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={t} x={x(t)} y={height - 4} className="tick" textAnchor="middle">
            {clock(t)}
          </text>
        ))}
        {threshold !== undefined && threshold <= top && <line x1={PAD.left} x2={width - PAD.right} y1={y(threshold)} y2={y(threshold)} className="threshold" />}
        {paths.map(({ s, line, fill }) => (
          <g key={s.key}>
            {fill && <path d={fill} fill={s.color} fillOpacity={0.15} stroke="none" />}
            <path d={line} fill="none" stroke={s.color} strokeWidth={2} strokeLinejoin="round" />
          </g>
        ))}
        {hovered && <line x1={x(hovered.t)} x2={x(hovered.t)} y1={PAD.top} y2={PAD.top + plotH} className="cursor" />}
      </svg>
      {hovered && (
        <div className="chart-tip" style={{ left: Math.min(width - 150, x(hovered.t) + 8) }}>
          <div className="muted">{clock(hovered.t)}</div>
          {series.map((s) => (
            <div key={s.key}>
              <span className="swatch" style={{ background: s.color }} /> {s.label}: {hovered[s.key] != null ? `${hovered[s.key]!.toFixed(1)} ${unit}` : '—'}
            </div>
          ))}
        </div>
      )}
      {series.length > 1 && (
        <div className="legend">
          {series.map((s) => (
            <span key={s.key}>
              <span className="swatch" style={{ background: s.color }} /> {s.label}
            </span>
          ))}
        </div>
      )}
    </div>
  );
});

/** A tiny inline trend, drawn as one SVG path: 16 of these re-render every second. */
export const Sparkline = memo(function Sparkline({ values, max = 100, color = '#22d3ee' }: { values: (number | null)[]; max?: number; color?: string }) {
  const w = 120;
  const h = 28;
  let top = max;
  for (const v of values) if (v !== null && v > top) top = v;
  let d = '';
  for (let k = 0; k < values.length; k++) {
    const v = values[k] ?? null;
    if (v === null) continue;
    const x = values.length > 1 ? (k / (values.length - 1)) * w : 0;
    const y = h - 2 - (v / (top || 1)) * (h - 4);
    d += `${d === '' || values[k - 1] === null ? 'M' : 'L'}${d1(x)},${d1(y)}`;
  }
  return (
    <svg className="sparkline" width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-hidden>
      <path d={d} fill="none" stroke={color} strokeWidth={1.5} />
    </svg>
  );
});
