// How a live chart is drawn: one frame (what charts.tsx's LiveChart computed in its last
// render, packed) onto a 2D canvas, either the element's own or the OffscreenCanvas a worker
// holds for it (chart-worker.ts). No React and no document: a worker imports it too.
import { axisTick, yTicks, type Point } from './chart-scale';
import { clock, timeTicks } from './format';

/** The theme's chart colours, as the page resolved them from its CSS variables. */
export interface Palette {
  grid: string;
  tick: string;
  threshold: string;
  cursor: string;
  font: string;
}

/** Everything one draw needs, structured-cloneable (a worker receives it). */
export interface ChartFrame {
  width: number;
  height: number;
  dpr: number;
  top: number;
  first: number;
  span: number;
  threshold: number | null;
  area: boolean;
  /** Index of the hovered point, or null. */
  hover: number | null;
  /** The series' colours, resolved (no `var()`: a canvas needs the value). */
  colors: string[];
  palette: Palette;
  /** The points, `1 + colors.length` numbers each: t, then each series' value (NaN: not measured). */
  points: Float64Array;
}

export const PAD = { top: 8, right: 12, bottom: 20, left: 40 };

/** Where the y axis has gridlines and labels, as fractions of its top. */

/** Where on the x axis time `t` lies, for the draw and for the tooltip. */
export const xAt = (t: number, first: number, span: number, plotW: number) => PAD.left + ((t - first) / span) * plotW;

/** Packs the points of `keys` for a frame: t then each value per point, NaN for null. */
export function packPoints(data: readonly Point[], keys: readonly string[]): Float64Array {
  const stride = 1 + keys.length;
  const out = new Float64Array(data.length * stride);
  for (let i = 0; i < data.length; i++) {
    const p = data[i]!;
    out[i * stride] = p.t;
    for (let k = 0; k < keys.length; k++) out[i * stride + 1 + k] = p[keys[k]!] ?? Number.NaN;
  }
  return out;
}

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
/** An HTMLCanvasElement or an OffscreenCanvas. */
export interface Surface {
  width: number;
  height: number;
  getContext(contextId: '2d'): Ctx | null;
}

/** Sizes the backing store to the device pixels and scales the context to CSS pixels. */
function prepare(canvas: Surface, width: number, height: number, dpr: number): Ctx | null {
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}
/** A coordinate on which a `lw` CSS-px line lands on whole device pixels (crisp, not smeared over two). */
const crisp = (v: number, dpr: number, lw = 1) => (Math.round(v * dpr) + (Math.round(lw * dpr) % 2 ? 0.5 : 0)) / dpr;

export function drawChart(canvas: Surface, m: ChartFrame): void {
  const { dpr } = m;
  const ctx = prepare(canvas, m.width, m.height, dpr);
  if (!ctx) return;
  const pal = m.palette;
  const plotW = m.width - PAD.left - PAD.right;
  const plotH = m.height - PAD.top - PAD.bottom;
  const x = (t: number) => xAt(t, m.first, m.span, plotW);
  const y = (v: number) => PAD.top + plotH - (Math.min(v, m.top) / m.top) * plotH;
  const stride = 1 + m.colors.length;
  const count = m.points.length / stride;

  // Gridlines and the y axis' labels.
  ctx.font = pal.font;
  ctx.lineWidth = 1;
  ctx.strokeStyle = pal.grid;
  ctx.fillStyle = pal.tick;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'alphabetic';
  ctx.beginPath();
  for (const v of yTicks(m.top)) {
    const gy = crisp(y(v), dpr);
    ctx.moveTo(PAD.left, gy);
    ctx.lineTo(m.width - PAD.right, gy);
    ctx.fillText(axisTick(v), PAD.left - 6, y(v) + 4);
  }
  ctx.stroke();
  // The time axis' labels.
  ctx.textAlign = 'center';
  const last = m.first + m.span;
  if (count > 0) for (const t of timeTicks(m.first, last)) ctx.fillText(clock(t), x(t), m.height - 4);

  if (m.threshold !== null && m.threshold <= m.top) {
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

  // The series: an area under each run of values, then the line over it. Gaps (NaN) break both.
  const y0 = y(0);
  for (let s = 0; s < m.colors.length; s++) {
    const color = m.colors[s]!;
    const line = new Path2D();
    const fill = m.area ? new Path2D() : null;
    let runStart: number | null = null;
    let prevX = 0;
    for (let i = 0; i < count; i++) {
      const v = m.points[i * stride + 1 + s]!;
      if (Number.isNaN(v)) {
        if (fill && runStart !== null) {
          fill.lineTo(prevX, y0);
          fill.lineTo(runStart, y0);
          fill.closePath();
        }
        runStart = null;
        continue;
      }
      const px = x(m.points[i * stride]!);
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

  if (m.hover !== null && m.hover < count) {
    const cx = crisp(x(m.points[m.hover * stride]!), dpr);
    ctx.strokeStyle = pal.cursor;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(cx, PAD.top);
    ctx.lineTo(cx, PAD.top + plotH);
    ctx.stroke();
  }
}

/** What the page posts to the chart worker once per update: canvases handed over, frames to draw, canvases gone. */
export interface ChartMessage {
  add: { id: number; canvas: OffscreenCanvas }[];
  draw: { id: number; frame: ChartFrame }[];
  drop: number[];
}
