// Where a Chromium trace's main-thread time went: the page's renderer main thread's thread
// time (tdur), each event's own time (its children's taken out), summed into the phases
// DevTools shows. bench/ui.bench.ts prints it per update after `--trace FILE`.
import fs from 'node:fs';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** The phase an event's own time counts to; other events (task plumbing, IPC) count as "other". */
const PHASES: [phase: string, test: (name: string) => boolean][] = [
  ['script', (n) => n === 'FunctionCall' || n === 'EvaluateScript' || n === 'v8.callFunction' || n === 'RunMicrotasks' || n === 'TimerFire' || n === 'FireAnimationFrame'],
  ['gc', (n) => n.startsWith('V8.GC') || n === 'MinorGC' || n === 'MajorGC' || n === 'BlinkGC.AtomicPhase'],
  ['style', (n) => n === 'UpdateLayoutTree' || n === 'RecalculateStyles' || n === 'ParseAuthorStyleSheet'],
  ['layout', (n) => n === 'Layout' || n === 'UpdateLayerTree'],
  ['prepaint', (n) => n === 'PrePaint'],
  ['paint', (n) => n === 'Paint' || n === 'PaintImage' || n === 'Layerize'],
  ['commit', (n) => n === 'Commit' || n === 'CompositeLayers' || n === 'UpdateLayer'],
  ['hit test', (n) => n === 'HitTest'],
];
const phaseOf = (name: string) => PHASES.find(([, test]) => test(name))?.[0] ?? 'other';

/** Self thread time of a thread's complete events, by phase, in ms. */
function selfByPhase(events: TraceEvent[]): Map<string, number> {
  const spans = events.filter((e) => e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const out = new Map<string, number>();
  const add = (phase: string, us: number) => out.set(phase, (out.get(phase) ?? 0) + us / 1000);
  const open: { end: number; phase: string }[] = [];
  for (const e of spans) {
    while (open.length > 0 && open[open.length - 1]!.end <= e.ts) open.pop();
    const own = e.tdur ?? e.dur!;
    const parent = open[open.length - 1];
    if (parent) add(parent.phase, -own);
    const phase = phaseOf(e.name);
    add(phase, own);
    open.push({ end: e.ts + e.dur!, phase });
  }
  return out;
}

/** Main-thread ms per update by phase, and the chart worker's ms per update (0 when it has none). */
export function traceBreakdown(file: string, updates: number): { main: [string, number][]; total: number; worker: number } {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const threads = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  const byThread = (name: string) => {
    const keys = new Set([...threads].filter(([, n]) => n === name).map(([k]) => k));
    return events.filter((e) => keys.has(`${e.pid}:${e.tid}`));
  };
  const main = selfByPhase(byThread('CrRendererMain'));
  const worker = [...selfByPhase(byThread('DedicatedWorker thread')).values()].reduce((a, b) => a + b, 0);
  const order = [...PHASES.map(([p]) => p), 'other'];
  const rows = order.filter((p) => main.has(p)).map((p): [string, number] => [p, main.get(p)! / updates]);
  return { main: rows, total: rows.reduce((a, [, v]) => a + v, 0), worker: worker / updates };
}
