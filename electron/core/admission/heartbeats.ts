/**
 * The heartbeat sweep: when each person was last heard from (a join, a look at their
 * place, a heartbeat, a watched socket, or their stream's player on the signalling
 * server), and which of them have been quiet past the timeout. The service frees
 * those places; this part only keeps the times and the timer, on the injected timer
 * source so a test can move time on instead of waiting.
 */
import type { Session } from '../../../shared/admission-rules';
import { realTimers, type TimerSource } from '../timers';

export class Heartbeats {
  private readonly lastSeen = new Map<string, number>();
  private timer: unknown = null;
  private sweep: { fn: () => void; everyMs: number } | null = null;

  constructor(private readonly timers: TimerSource = realTimers) {}

  /** Calls `sweep` every `everyMs` until close() (started once the restored line is in place), while anyone is there to sweep. */
  start(sweep: () => void, everyMs: number): void {
    this.sweep = { fn: sweep, everyMs };
    this.arm();
  }

  /**
   * Nobody is in the line or on a seat: the timer stops until the next `seen` (every join
   * is seen first). An agent with no sessions woke once a second for nothing, beside the
   * sampler's own tick.
   */
  idle(): void {
    if (this.timer !== null) this.timers.clearInterval(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.timer === null && this.sweep) this.timer = this.timers.setInterval(this.sweep.fn, this.sweep.everyMs);
  }

  /** `id` was heard from at `at`. */
  seen(id: string, at: number): void {
    this.lastSeen.set(id, at);
    this.arm();
  }

  /** The session ended: nothing more to expect from it. */
  forget(id: string): void {
    this.lastSeen.delete(id);
  }

  /**
   * The sessions not heard from for more than `limitMs` at `now`. A simulated visitor
   * sends no heartbeats and is never overdue; a session never heard from counts from its join.
   */
  overdue(sessions: Iterable<Session>, now: number, limitMs: number): string[] {
    const out: string[] = [];
    for (const s of sessions) {
      if (s.synthetic) continue;
      if (now - (this.lastSeen.get(s.id) ?? s.joinedAt) > limitMs) out.push(s.id);
    }
    return out;
  }

  close(): void {
    this.idle();
    this.sweep = null;
  }
}
