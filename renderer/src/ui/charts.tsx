// Live charts, drawn by hand on a <canvas>, and the rows' sparklines (an SVG line each).
// They redraw every second, five charts at once with an instance open, plus a sparkline in
// each of 16 rows: this is the console's hot path.
// recharts took ~60 ms of main thread per update for them (bench/ui.bench.ts, profiled);
// hand-written SVG paths then cost ~14 ms p95 of all main-thread work, most of it style,
// layout and paint of the SVG nodes rebuilt each tick. A canvas is one element whose
// pixels change: React renders only the container (its size, the legend, the tooltip),
// and the drawing is done imperatively in one requestAnimationFrame for all charts.
// recharts stays for charts that don't tick (probe results, planner).
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { axisTick, decimate, niceMax, sparkRuns, type Point } from './chart-scale';
import { clock, timeTicks } from './format';

export type { Point };

export interface Series {
  key: string;
  label: string;
  color: string;
}

// ---- Drawing plumbing: one frame for every dirty canvas, the theme's colours, the pixel ratio.

const dirty = new Set<() => void>();
let frame = 0;
/** Draws in the next animation frame, once however many times it is asked for before. */
function schedule(draw: () => void): void {
  dirty.add(draw);
  if (frame === 0) frame = requestAnimationFrame(flushCharts);
}
/**
 * Draws every chart whose data changed, now. The console applies live samples in an
 * animation frame (main.tsx): it calls this after React's commit, so the charts are drawn
 * in that same frame, not one frame later (a second frame per update: another commit of
 * every canvas to the compositor).
 */
export function flushCharts(): void {
  if (frame !== 0) cancelAnimationFrame(frame);
  frame = 0;
  if (dirty.size === 0) return;
  const list = [...dirty];
  dirty.clear();
  for (const d of list) d();
}
/** Every mounted chart's draw: all are redrawn when the theme or the pixel ratio changes. */
const mounted = new Set<() => void>();

interface Palette {
  grid: string;
  tick: string;
  threshold: string;
  cursor: string;
  font: string;
}
let palette: Palette | null = null;
const resolved = new Map<string, string>();
/** The theme's chart colours, read from its CSS variables once (and again after a theme change). */
function colors(): Palette {
  if (palette) return palette;
  const root = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => root.getPropertyValue(name).trim() || fallback;
  palette = {
    grid: v('--chart-grid', '#1e293b'),
    tick: v('--chart-tick', '#64748b'),
    threshold: v('--chart-threshold', '#f97316'),
    cursor: v('--chart-cursor', '#475569'),
    font: `11px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`,
  };
  return palette;
}
/** A series colour may be given as `var(--name)`: a canvas needs the value. */
function paint(color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color.trim());
  if (!m) return color;
  let c = resolved.get(m[1]!);
  if (c === undefined) resolved.set(m[1]!, (c = getComputedStyle(document.documentElement).getPropertyValue(m[1]!).trim() || '#888'));
  return c;
}
function redrawAll(): void {
  palette = null;
  resolved.clear();
  for (const d of mounted) schedule(d);
}
if (typeof document !== 'undefined' && typeof MutationObserver !== 'undefined') {
  // A theme is a class, a data attribute or inline variables on <html>: re-read the colours then.
  new MutationObserver(redrawAll).observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'style', 'data-theme'] });
}
if (typeof window !== 'undefined' && typeof window.matchMedia === 'function') {
  // The window moved to a screen of another pixel ratio: redraw at the new one (ResizeObserver doesn't see it).
  const watch = () => {
    const mq = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    mq.addEventListener(
      'change',
      () => {
        redrawAll();
        watch();
      },
      { once: true },
    );
  };
  watch();
}

/** Sizes the backing store to the device pixels and scales the context to CSS pixels. */
function prepare(canvas: HTMLCanvasElement, width: number, height: number): { ctx: CanvasRenderingContext2D; dpr: number } | null {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, dpr };
}
/** A coordinate on which a `lw` CSS-px line lands on whole device pixels (crisp, not smeared over two). */
const crisp = (v: number, dpr: number, lw = 1) => (Math.round(v * dpr) + (Math.round(lw * dpr) % 2 ? 0.5 : 0)) / dpr;

function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(600);
  useLayoutEffect(() => {
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

/** What one draw needs: the decimated points and the scales, as the last render computed them. */
interface Model {
  data: Point[];
  series: Series[];
  width: number;
  height: number;
  top: number;
  first: number;
  span: number;
  threshold: number | undefined;
  area: boolean;
  hover: number | null;
}

/**
 * A canvas drawn outside React: `model` is what the next draw needs (as this render
 * computed it), `paintOn` draws it; the draw runs in the shared frame when a dep
 * changes, and again on a theme or pixel-ratio change while mounted.
 */
function useCanvas<M>(model: M, paintOn: (canvas: HTMLCanvasElement, m: M) => void, deps: readonly unknown[]): React.RefObject<HTMLCanvasElement | null> {
  const canvas = useRef<HTMLCanvasElement>(null);
  const latest = useRef(model);
  latest.current = model;
  const [draw] = useState(() => () => {
    if (canvas.current) paintOn(canvas.current, latest.current);
  });
  useEffect(() => {
    mounted.add(draw);
    return () => {
      mounted.delete(draw);
      dirty.delete(draw);
    };
  }, [draw]);
  // A layout effect: it runs inside the console's frame flush, so flushCharts draws it in that frame.
  useLayoutEffect(() => schedule(draw), deps);
  return canvas;
}

/** Where on the x axis time `t` lies, for the draw and for the tooltip. */
const xAt = (t: number, first: number, span: number, plotW: number) => PAD.left + ((t - first) / span) * plotW;

/** Where the y axis has gridlines and labels, as fractions of its top. */
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];

function drawChart(canvas: HTMLCanvasElement, m: Model): void {
  const p = prepare(canvas, m.width, m.height);
  if (!p) return;
  const { ctx, dpr } = p;
  const pal = colors();
  const plotW = m.width - PAD.left - PAD.right;
  const plotH = m.height - PAD.top - PAD.bottom;
  const x = (t: number) => xAt(t, m.first, m.span, plotW);
  const y = (v: number) => PAD.top + plotH - (Math.min(v, m.top) / m.top) * plotH;

  // Gridlines and the y axis' labels.
  ctx.font = pal.font;
  ctx.lineWidth = 1;
  ctx.strokeStyle = pal.grid;
  ctx.fillStyle = pal.tick;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'alphabetic';
  ctx.beginPath();
  for (const f of Y_TICKS) {
    const v = f * m.top;
    const gy = crisp(y(v), dpr);
    ctx.moveTo(PAD.left, gy);
    ctx.lineTo(m.width - PAD.right, gy);
    ctx.fillText(axisTick(v), PAD.left - 6, y(v) + 4);
  }
  ctx.stroke();
  // The time axis' labels.
  ctx.textAlign = 'center';
  const last = m.first + m.span;
  if (m.data.length > 0) for (const t of timeTicks(m.first, last)) ctx.fillText(clock(t), x(t), m.height - 4);

  if (m.threshold !== undefined && m.threshold <= m.top) {
    const ty = crisp(y(m.threshold), dpr, 1.5);
    ctx.save();
    ctx.strokeStyle = pal.threshold;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(PAD.left, ty);
    ctx.lineTo(m.width - PAD.right, ty);
    ctx.stroke();
    ctx.restore();
  }

  // The series: an area under each run of values, then the line over it. Gaps (null) break both.
  const y0 = y(0);
  for (const s of m.series) {
    const color = paint(s.color);
    const line = new Path2D();
    const fill = m.area ? new Path2D() : null;
    let runStart: number | null = null;
    let prevX = 0;
    for (const pt of m.data) {
      const v = pt[s.key];
      if (v == null) {
        if (fill && runStart !== null) {
          fill.lineTo(prevX, y0);
          fill.lineTo(runStart, y0);
          fill.closePath();
        }
        runStart = null;
        continue;
      }
      const px = x(pt.t);
      const py = y(v);
      if (runStart === null) {
        line.moveTo(px, py);
        fill?.moveTo(px, py);
        runStart = px;
      } else {
        line.lineTo(px, py);
        fill?.lineTo(px, py);
      }
      prevX = px;
    }
    if (fill && runStart !== null) {
      fill.lineTo(prevX, y0);
      fill.lineTo(runStart, y0);
      fill.closePath();
    }
    if (fill) {
      ctx.globalAlpha = 0.15;
      ctx.fillStyle = color;
      ctx.fill(fill);
      ctx.globalAlpha = 1;
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    ctx.stroke(line);
  }

  const hovered = m.hover !== null ? m.data[m.hover] : undefined;
  if (hovered) {
    const cx = crisp(x(hovered.t), dpr);
    ctx.strokeStyle = pal.cursor;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(cx, PAD.top);
    ctx.lineTo(cx, PAD.top + plotH);
    ctx.stroke();
  }
}

/** The legend changes only with the series: kept out of the per-second re-render. */
const Legend = memo(function Legend({ series }: { series: Series[] }) {
  return (
    <div className="legend">
      {series.map((s) => (
        <span key={s.key}>
          <span className="swatch" style={{ background: s.color }} /> {s.label}
        </span>
      ))}
    </div>
  );
});

export const LiveChart = memo(function LiveChart({ data: raw, series, unit, yMax = 100, height = 180, threshold, area, testId }: ChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);
  const keys = series.map((s) => s.key).join(',');
  const data = useMemo(() => decimate(raw, keys.split(','), Math.max(30, Math.floor(width / 4))), [raw, keys, width]);
  const plotW = width - PAD.left - PAD.right;
  const first = data[0]?.t ?? 0;
  const span = Math.max(1, (data[data.length - 1]?.t ?? 1) - first);
  let top = typeof yMax === 'number' ? yMax : 0;
  if (yMax === 'auto') {
    for (const p of data) for (const s of series) top = Math.max(top, p[s.key] ?? 0);
    // At least one unit (1 Mbps, 1 %, 1 MB): an idle link must not scale the axis to 1e-11.
    top = niceMax(Math.max(1, top * 1.1));
  }
  const hoverAt = hover !== null && hover < data.length ? hover : null;

  // The model for the next frame's draw; the draw itself never runs in render.
  const canvas = useCanvas<Model>({ data, series, width, height, top, first, span, threshold, area: !!area, hover: hoverAt }, drawChart, [data, series, width, height, top, threshold, area, hoverAt]);

  const hovered = hoverAt !== null ? data[hoverAt] : undefined;
  const latest = data[data.length - 1];
  const summary = series.map((s) => `${s.label} ${latest?.[s.key] != null ? `${latest[s.key]!.toFixed(1)} ${unit}` : '—'}`).join(', ');

  return (
    <div className="chart" ref={ref} data-testid={testId} data-points={raw.length} data-ticks={Y_TICKS.map((f) => axisTick(f * top)).join(' ')}>
      <canvas
        ref={canvas}
        style={{ width, height }}
        role="img"
        aria-label={summary}
        onMouseMove={(e) => {
          if (data.length === 0) return;
          const rect = e.currentTarget.getBoundingClientRect();
          const t = first + ((e.clientX - rect.left - PAD.left) / plotW) * span;
          // The points are in time order: the nearest is found by bisection.
          let lo = 0;
          let hi = data.length - 1;
          while (hi - lo > 1) {
            const mid = (lo + hi) >> 1;
            if (data[mid]!.t < t) lo = mid;
            else hi = mid;
          }
          setHover(Math.abs(data[hi]!.t - t) < Math.abs(data[lo]!.t - t) ? hi : lo);
        }}
        onMouseLeave={() => setHover(null)}
      />
      {hovered && (
        <div className="chart-tip" style={{ left: Math.min(width - 150, xAt(hovered.t, first, span, plotW) + 8) }}>
          <div className="muted">{clock(hovered.t)}</div>
          {series.map((s) => (
            <div key={s.key}>
              <span className="swatch" style={{ background: s.color }} /> {s.label}: {hovered[s.key] != null ? `${hovered[s.key]!.toFixed(1)} ${unit}` : '—'}
            </div>
          ))}
        </div>
      )}
      {series.length > 1 && <Legend series={series} />}
    </div>
  );
});

const SPARK_W = 120;
const SPARK_H = 28;

/**
 * A tiny inline trend, 16 of which change every second. SVG, not a canvas: each canvas is a
 * composited layer of its own, and without a GPU Chromium strokes a canvas's lines on the main
 * thread when it commits the layer (16 sparklines: 1.1 ms of the commit's 2.8 per update,
 * bench/ui.bench.ts traced); an SVG line is painted into the table's own layer and rasterised
 * off the main thread. Polylines, not a path: `d` is a CSS property, restyled on every change.
 * Its colour may be a CSS variable.
 */
export const Sparkline = memo(function Sparkline({ values, max = 100, color = '#22d3ee' }: { values: (number | null)[]; max?: number; color?: string }) {
  const runs = useMemo(() => sparkRuns(values, max, SPARK_W, SPARK_H), [values, max]);
  return (
    <svg className="sparkline" width={SPARK_W} height={SPARK_H} viewBox={`0 0 ${SPARK_W} ${SPARK_H}`} style={{ stroke: color }} aria-hidden>
      {runs.map((points, k) => (
        <polyline key={k} points={points} />
      ))}
    </svg>
  );
});
