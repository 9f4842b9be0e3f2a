export const num = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

// One formatter, made once: toLocaleTimeString builds a new one per call, which cost
// over a second per minute of chart updates (bench/ui.bench.ts profile).
const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
export const clock = (t: number): string => clockFormat.format(t);

const TICK_STEPS = [5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600].map((s) => s * 1000);

/** At most `max` round time ticks between `from` and `to` (epoch ms). */
export function timeTicks(from: number, to: number, max = 6): number[] {
  const span = Math.max(1, to - from);
  const step = TICK_STEPS.find((s) => span / s <= max) ?? TICK_STEPS[TICK_STEPS.length - 1]!;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

/** Shows an argument list the way a shell user would read it (display only: nothing is run through a shell). */
export function quoteArgs(args: string[]): string {
  return args.map((a) => (a === '' ? '""' : /[\s"'&|^%<>()]/.test(a) ? `"${a.replace(/(["\\])/g, '\\$1')}"` : a)).join(' ');
}
