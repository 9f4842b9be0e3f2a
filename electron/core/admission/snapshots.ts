/**
 * The throttled admin snapshot (the queue panel): at most one every `gapMs`, sent on
 * the trailing edge so the panel always ends on the latest state. Time and timers are
 * injected so tests can drive it without real waiting.
 */
import { realTimers, type TimerSource } from '../timers';

export class SnapshotThrottle {
  private timer: unknown = null;
  private lastAt = 0;
  private closed = false;

  constructor(
    private readonly send: () => void,
    private readonly gapMs: number,
    private readonly now: () => number,
    private readonly timers: TimerSource = realTimers,
  ) {}

  /** Asks for a snapshot: sent at once if the last one is older than the gap, else when it is. */
  schedule(): void {
    if (this.closed || this.timer !== null) return;
    const wait = Math.max(0, this.lastAt + this.gapMs - this.now());
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.lastAt = this.now();
      this.send();
    }, wait);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
