// A fake clock and timer source for the parts that take them injected (the admission
// parts, the Wilbur poller): a test moves time on with advance(), nothing waits for
// real time, and a timer fires exactly when the clock passes its deadline.
import type { TimerSource } from '../electron/core/timers';

export interface FakeTime {
  now: () => number;
  timers: TimerSource;
  /** Moves the clock on by `ms`, firing every timer due on the way, in deadline order. */
  advance: (ms: number) => void;
  /** Timers waiting (timeouts and intervals). */
  pending: () => number;
}

export function fakeTime(start = 1_000_000): FakeTime {
  let now = start;
  let seq = 0;
  const pending = new Map<number, { at: number; every: number | null; fn: () => void }>();
  const add = (fn: () => void, ms: number, every: number | null) => {
    pending.set(++seq, { at: now + Math.max(0, ms), every, fn });
    return seq;
  };
  const drop = (h: unknown) => void pending.delete(h as number);
  const timers: TimerSource = {
    setTimeout: (fn, ms) => add(fn, ms, null),
    clearTimeout: drop,
    // A zero interval would never let the clock move on.
    setInterval: (fn, ms) => add(fn, ms, Math.max(1, ms)),
    clearInterval: drop,
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      let next: [number, { at: number; every: number | null; fn: () => void }] | null = null;
      for (const e of pending) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      const [id, t] = next;
      now = Math.max(now, t.at);
      if (t.every === null) pending.delete(id);
      else t.at += t.every;
      t.fn();
    }
    now = end;
  };
  return { now: () => now, timers, advance, pending: () => pending.size };
}
