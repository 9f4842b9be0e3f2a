// Live charts, drawn by hand on a <canvas>, and the rows' sparklines (an SVG line each).
// They redraw every second, five charts at once with an instance open, plus a sparkline in
// each of 16 rows: this is the console's hot path.
// recharts took ~60 ms of main thread per update for them (bench/ui.bench.ts, profiled);
// hand-written SVG paths then cost ~14 ms p95 of all main-thread work, most of it style,
// layout and paint of the SVG nodes rebuilt each tick. A canvas is one element whose
// pixels change: React renders only the container (its size, the legend, the tooltip),
// and the drawing is done imperatively, for all charts at once after React's commit.
// It is done in a worker (chart-worker.ts) that holds each chart's canvas: without a GPU,
// Chromium rasterises a canvas's paths on the thread that draws it, when it commits the
// canvas's layer, and that was a quarter of the page's main-thread work per update.
// recharts stays for charts that don't tick (probe results, planner).
import { memo, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { drawChart, packPoints, PAD, xAt, type ChartFrame, type ChartMessage, type Palette } from './chart-draw';
import { axisTick, decimate, niceMax, sparkRuns, yTicks, type Point } from './chart-scale';
import { clock } from './format';

export type { Point };

export interface Series {
  key: string;
  label: string;
  color: string;
}

// ---- Drawing plumbing: one batch for every dirty chart, the worker, the theme's colours, the pixel ratio.

const dirty = new Set<() => void>();
let frame = 0;
/** Draws in the next animation frame, once however many times it is asked for before. */
function schedule(draw: () => void): void {
  dirty.add(draw);
  requestFlush();
}
function requestFlush(): void {
  if (frame === 0 && !batching) frame = requestAnimationFrame(flushCharts);
}
let batching = false;
/**
 * Runs `apply` (the console's frame: the store update and React's commit) and then draws
 * every chart it changed, in that frame. Charts changed inside ask for no frame of their own:
 * a requestAnimationFrame cancelled in the same frame still made Chromium run one more
 * (empty) frame per update, 0.5-0.9 ms of pre-paint, hit testing and commit (bench:ui traced).
 */
export function drawAfter(apply: () => void): void {
  batching = true;
  try {
    apply();
  } finally {
    batching = false;
    flushCharts();
  }
}
/** Draws every chart whose data changed, now (drawAfter, or the frame a chart asked for). */
function flushCharts(): void {
  if (frame !== 0) cancelAnimationFrame(frame);
  frame = 0;
  if (dirty.size > 0) {
    const list = [...dirty];
    dirty.clear();
    for (const d of list) d();
  }
  postOutbox();
}
/** Every mounted chart's draw: all are redrawn when the theme or the pixel ratio changes. */
const mounted = new Set<() => void>();

// The worker. Each canvas is handed over when its chart mounts; until the worker says it
// runs, messages wait in its queue. If it cannot start (no OffscreenCanvas, a policy that
// refuses workers, a failed load), the charts remount with canvases drawn here instead.
type DrawMode = 'worker' | 'page';
let mode: DrawMode = typeof Worker !== 'undefined' && typeof HTMLCanvasElement !== 'undefined' && 'transferControlToOffscreen' in HTMLCanvasElement.prototype ? 'worker' : 'page';
let worker: Worker | null = null;
const modeListeners = new Set<() => void>();
function fallBack(why: unknown): void {
  if (mode === 'page') return;
  console.warn('The charts draw on the page: their worker did not start.', why);
  mode = 'page';
  worker = null;
  outbox = { add: [], draw: [], drop: [] };
  transfer = [];
  for (const l of modeListeners) l();
}
function chartWorker(): Worker | null {
  if (worker || mode === 'page') return worker;
  try {
    worker = new Worker(new URL('./chart-worker.ts', import.meta.url), { type: 'module', name: 'charts' });
  } catch (e) {
    fallBack(e);
    return null;
  }
  let ready = false;
  worker.addEventListener('message', () => (ready = true), { once: true });
  worker.addEventListener('error', (e) => {
    if (!ready) fallBack(e.message || 'load error');
  });
  return worker;
}
const subscribeMode = (l: () => void) => {
  modeListeners.add(l);
  return () => modeListeners.delete(l);
};
const drawMode = () => mode;

let outbox: ChartMessage = { add: [], draw: [], drop: [] };
let transfer: Transferable[] = [];
let nextId = 1;
/** Canvases already handed over (an element can be only once: React's StrictMode mounts twice). */
const handedOver = new WeakMap<HTMLCanvasElement, number>();
const dropping = new Set<number>();
/** The canvas's id in the worker, or null where it cannot be handed over (then every chart falls back to the page). */
function handOver(canvas: HTMLCanvasElement): number | null {
  let id = handedOver.get(canvas);
  if (id === undefined) {
    let offscreen: OffscreenCanvas;
    try {
      offscreen = canvas.transferControlToOffscreen();
    } catch (e) {
      fallBack(e);
      return null;
    }
    id = nextId++;
    handedOver.set(canvas, id);
    outbox.add.push({ id, canvas: offscreen });
    transfer.push(offscreen);
  }
  dropping.delete(id);
  return id;
}
function release(id: number): void {
  dropping.add(id);
  requestFlush();
}
function postOutbox(): void {
  for (const id of dropping) outbox.drop.push(id);
  dropping.clear();
  if (outbox.add.length + outbox.draw.length + outbox.drop.length === 0) return;
  const w = chartWorker();
  const message = outbox;
  const transferList = transfer;
  outbox = { add: [], draw: [], drop: [] };
  transfer = [];
  w?.postMessage(message, transferList);
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

/** The frame of a model, with the theme's colours and the pixel ratio of now. */
function frameOf(m: Model): ChartFrame {
  return {
    width: m.width,
    height: m.height,
    dpr: window.devicePixelRatio || 1,
    top: m.top,
    first: m.first,
    span: m.span,
    threshold: m.threshold ?? null,
    area: m.area,
    hover: m.hover,
    colors: m.series.map((s) => paint(s.color)),
    palette: colors(),
    points: packPoints(
      m.data,
      m.series.map((s) => s.key),
    ),
  };
}

/**
 * A chart's canvas, drawn outside React: `model` is what the next draw needs (as this render
 * computed it); the draw runs in the shared batch when a dep changes, and again on a theme or
 * pixel-ratio change while mounted. In the worker when it runs, else here. The canvas's key
 * changes with the mode: a canvas handed over to the worker cannot be drawn here again.
 */
function useChartCanvas(model: Model, deps: readonly unknown[]): { ref: React.RefObject<HTMLCanvasElement | null>; key: DrawMode } {
  const canvas = useRef<HTMLCanvasElement>(null);
  const latest = useRef(model);
  latest.current = model;
  const current = useSyncExternalStore(subscribeMode, drawMode, drawMode);
  const target = useRef<number | null>(null);
  const [draw] = useState(() => () => {
    const frame = frameOf(latest.current);
    if (target.current !== null) {
      outbox.draw.push({ id: target.current, frame });
      transfer.push(frame.points.buffer);
    } else if (canvas.current) drawChart(canvas.current, frame);
  });
  // Layout effects: they run inside the console's frame flush, so flushCharts draws in that frame.
  useLayoutEffect(() => {
    const el = canvas.current;
    const id = el && current === 'worker' ? handOver(el) : null;
    target.current = id;
    mounted.add(draw);
    schedule(draw);
    return () => {
      mounted.delete(draw);
      dirty.delete(draw);
      target.current = null;
      if (id !== null) release(id);
    };
  }, [draw, current]);
  useLayoutEffect(() => schedule(draw), deps);
  return { ref: canvas, key: current };
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
  const canvas = useChartCanvas({ data, series, width, height, top, first, span, threshold, area: !!area, hover: hoverAt }, [data, series, width, height, top, threshold, area, hoverAt]);

  const hovered = hoverAt !== null ? data[hoverAt] : undefined;
  const latest = data[data.length - 1];
  const summary = series.map((s) => `${s.label} ${latest?.[s.key] != null ? `${latest[s.key]!.toFixed(1)} ${unit}` : '—'}`).join(', ');

  return (
    <div className="chart" ref={ref} data-testid={testId} data-points={raw.length} data-ticks={yTicks(top).map(axisTick).join(' ')}>
      <canvas
        key={canvas.key}
        ref={canvas.ref}
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
 * Not a canvas in the chart worker either: 16 more OffscreenCanvas commits cost the worker
 * 2.7 ms per update (6.2 against 3.5, traced) to save the page 0.4. Its colour may be a CSS
 * variable. The table's rows write theirs without React (live.tsx), through `writeSparkline`.
 */
export const Sparkline = memo(function Sparkline({ values, max = 100, color = '#22d3ee' }: { values: (number | null)[]; max?: number; color?: string }) {
  const ref = useRef<SVGSVGElement>(null);
  useLayoutEffect(() => {
    if (ref.current) writeSparkline(ref.current, values, max);
  }, [values, max]);
  return <SparkSvg ref={ref} color={color} />;
});

/** A sparkline's element; its lines are written by `writeSparkline`. */
export function SparkSvg({ ref, color = '#22d3ee' }: { ref: React.Ref<SVGSVGElement>; color?: string }) {
  return <svg ref={ref} className="sparkline" width={SPARK_W} height={SPARK_H} viewBox={`0 0 ${SPARK_W * 10} ${SPARK_H * 10}`} style={{ stroke: color }} aria-hidden />;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Writes a sparkline's polylines into its element, one per run of values, touching only the lines that changed. */
export function writeSparkline(svg: SVGSVGElement, values: readonly (number | null)[], max = 100): void {
  const runs = sparkRuns(values, max, SPARK_W, SPARK_H);
  while (svg.childNodes.length > runs.length) svg.lastChild!.remove();
  while (svg.childNodes.length < runs.length) svg.appendChild(document.createElementNS(SVG_NS, 'polyline'));
  runs.forEach((points, k) => {
    const line = svg.childNodes[k] as SVGPolylineElement;
    if (line.getAttribute('points') !== points) line.setAttribute('points', points);
  });
}
