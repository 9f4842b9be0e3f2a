// The live charts' drawing thread. Each chart's <canvas> hands its drawing over to this
// worker (transferControlToOffscreen) and the page posts, once per update, every changed
// chart's frame: the drawing, its rasterisation (on the CPU where there is no GPU) and the
// canvases' commits run here, off the page's main thread. See charts.tsx.
import { drawChart } from './chart-draw';
import type { ChartMessage } from './chart-draw';

const canvases = new Map<number, OffscreenCanvas>();

self.onmessage = (e: MessageEvent<ChartMessage>) => {
  const { add, draw, drop } = e.data;
  for (const a of add) canvases.set(a.id, a.canvas);
  for (const d of draw) {
    const canvas = canvases.get(d.id);
    if (canvas) drawChart(canvas, d.frame);
  }
  for (const id of drop) canvases.delete(id);
};
self.postMessage('ready');
