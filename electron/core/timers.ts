/**
 * Time as a dependency: the core's timed parts (the admission service and its parts,
 * the Wilbur poller) take a clock and a timer source, the real ones by default, so a
 * test drives them with a fake clock instead of waiting (test/fake-time.ts).
 */

/** A timer source (unref'd Node timers by default, a fake one in tests). */
export interface TimerSource {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Node's timers, unref'd: a pending poll or sweep never keeps the process alive. */
export const realTimers: TimerSource = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => {
    const t = setInterval(fn, ms);
    t.unref();
    return t;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};
