// StreamCap's own event-loop delay, one figure per sample interval (loopDelayP99Ms),
// with no timer of its own while the loop is quiet.
//
// Why not a histogram timer all the time: monitorEventLoopDelay at 100 ms woke the loop
// 10 times a second, more than half of the wake-ups of an agent watching 16 instances
// (an idle Node process with it: 0.43 ms of CPU a second here, against 0.01 without), and
// it still missed most stalls: a stall shows only when it covers one of the timer's due
// points, and only by what is left of it after that point — a 60 ms block once a second
// read 2–57 ms on this VM (median 17).
//
// What this does instead: libuv keeps the loop's idle time (performance.eventLoopUtilization,
// free to read), so the loop's active time over an interval bounds every block in it: no
// block lasts longer than all the work done. A tick always sees a whole block (a tick
// cannot run in the middle of one), so a stall is never split over two intervals.
// - Active time under STALL_MS: no block can have reached STALL_MS, and the figure is the
//   tick's own lateness — one timer-delay sample, the kind the histogram took ten of.
// - Active time of STALL_MS or more while the histogram was off: the figure is that active
//   time, an upper bound (a stall of 60 ms reads at least 60); a burst of small tasks from a
//   quiet loop reads high too, for that one interval.
// - From such an interval on, the histogram runs, at BUSY_RESOLUTION_MS (a stall of S
//   reads at least S − 20 ms, against S − 100 before), until QUIET_INTERVALS intervals in
//   a row are quiet again: a busy loop pays its 50 wake-ups a second, and a busy loop's
//   figure is a delay again, not the bound.
// - A loop whose idle time never moves (libuv driven from another thread, as Electron's
//   main process does, keeps none) gets the histogram at 100 ms all the time, as before.
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/** A block this long must show in full in its interval's figure. */
export const STALL_MS = 50;
/**
 * Active time over an interval from which the histogram runs: the intervals under STALL_MS
 * are answered without it. At 20 ms a GC pause and a slow tick on the shared 2-core VM
 * armed it a few times a minute (bench: 23-30 main-thread wake-ups/s instead of 15).
 */
export const BUSY_MS = STALL_MS;
/** The histogram's timer period while it runs (its readings include the period: subtracted). */
export const BUSY_RESOLUTION_MS = 20;
/** Quiet intervals in a row after which the histogram stops again. */
export const QUIET_INTERVALS = 3;
/** The always-on histogram's period where the loop keeps no idle time. */
const NO_IDLE_RESOLUTION_MS = 100;

export class LoopDelayMeter {
  /** While the loop is busy: at BUSY_RESOLUTION_MS; or always, at NO_IDLE_RESOLUTION_MS, where the loop keeps no idle time. */
  private histogram: IntervalHistogram | null = null;
  private resolutionMs = BUSY_RESOLUTION_MS;
  /** Whether the histogram ran through the whole current interval. */
  private histogramSpansInterval = false;
  private quietIntervals = 0;
  private noIdleTime = false;
  private lastActiveMs: number | null = null;

  /** `elu`: the loop's cumulative idle and active ms (a test passes its own). */
  constructor(private readonly elu: () => { idle: number; active: number } = () => performance.eventLoopUtilization()) {}

  /** Starts the first interval. */
  start(): void {
    this.lastActiveMs = this.elu().active;
  }

  /**
   * Ends the interval and gives its figure in ms: `lateMs` is how late the tick reading it
   * ran. Null before start().
   */
  read(lateMs: number): number | null {
    if (this.lastActiveMs === null) return null;
    const elu = this.elu();
    const activeMs = elu.active - this.lastActiveMs;
    this.lastActiveMs = elu.active;
    if (elu.idle === 0 && !this.noIdleTime) {
      this.keepsNoIdleTime();
      return Math.max(0, lateMs);
    }
    let figure: number;
    if (this.histogramSpansInterval && this.histogram!.count > 0) figure = Math.max(lateMs, this.histogram!.percentile(99) / 1e6 - this.resolutionMs);
    else figure = activeMs < STALL_MS || this.noIdleTime ? lateMs : Math.max(lateMs, activeMs);
    // Only a running histogram holds readings (one stopped was emptied before it stopped); a reset
    // of a stopped one still cost 0.1-0.4 ms each tick (a profile of bench:sampler).
    if (this.histogramSpansInterval) this.histogram!.reset();
    if (!this.noIdleTime) this.follow(activeMs);
    return Math.max(0, figure);
  }

  /** Runs the histogram from a busy interval on, until the loop has been quiet for a while. */
  private follow(activeMs: number): void {
    if (activeMs >= BUSY_MS) {
      this.quietIntervals = 0;
      if (!this.histogramSpansInterval) this.run(BUSY_RESOLUTION_MS);
    } else if (this.histogramSpansInterval && ++this.quietIntervals >= QUIET_INTERVALS) {
      this.histogram!.disable();
      this.histogramSpansInterval = false;
    }
  }

  /** Not one idle moment since the loop started: its active time bounds nothing, so the histogram runs all the time. */
  private keepsNoIdleTime(): void {
    this.noIdleTime = true;
    this.histogram?.disable();
    this.run(NO_IDLE_RESOLUTION_MS);
  }

  private run(resolutionMs: number): void {
    if (!this.histogram || this.resolutionMs !== resolutionMs) {
      this.histogram?.disable();
      this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
      this.resolutionMs = resolutionMs;
    }
    this.histogram.enable();
    this.histogramSpansInterval = true;
  }

  stop(): void {
    this.histogram?.disable();
    this.histogramSpansInterval = false;
    this.lastActiveMs = null;
  }
}
