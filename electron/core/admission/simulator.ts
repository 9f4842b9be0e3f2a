/**
 * The "simulate visitors" demo: synthetic people who arrive (Poisson), keep a place
 * for a while (exponential), give up waiting when the line is slow, and leave. They
 * are clients like any other: they join, look at their place and leave through the
 * service's public API, so they meet the same rules, and the same refusals (a
 * draining server, a full line) as real people. They send no heartbeats: the service
 * knows a synthetic session and never times one out.
 *
 * Clock, randomness and timers are injected, so a test can drive a run step by step.
 */
import { ApiError } from '../../../shared/contract';
import type { LeaveReason, SessionView, SimulationSettings, SimulationStatus, Want } from '../../../shared/admission-rules';
import { realTimers, type TimerSource } from '../timers';

/** The part of the admission service a visitor uses: what any client may call. */
export interface VisitorDoor {
  join(input: unknown, opts: { synthetic: true }): SessionView;
  get(id: string): SessionView;
  leave(id: string, reason?: LeaveReason): void;
}

/** At most this many simulated visitors at once (in line or holding a place). */
export const MAX_SIM_VISITORS = 500;
/** How often the simulation steps (ms). */
const TICK_MS = 250;

/** A visitor's plan: how long it keeps a place once it has one, and when it stops waiting. */
interface Plan {
  holdMs: number;
  leaveAt: number | null;
  giveUpAt: number;
}

export class VisitorSimulator {
  private settings: SimulationSettings = { arrivalsPerMin: 12, meanSessionSec: 60, operateShare: 0.5 };
  private running = false;
  private arrived = 0;
  private gaveUp = 0;
  private seq = 0;
  private timer: unknown = null;
  private readonly plans = new Map<string, Plan>();

  constructor(
    private readonly door: VisitorDoor,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly timers: TimerSource = realTimers,
  ) {}

  /** The run's settings and counters; how many visitors are present is the service's to say (it holds their sessions). */
  status(): Omit<SimulationStatus, 'visitors'> {
    return { ...this.settings, running: this.running, arrived: this.arrived, gaveUp: this.gaveUp };
  }

  /** Starts (or restarts with new settings) or stops the run; settings left out stay. */
  set(settings: Partial<SimulationSettings> & { running: boolean }): void {
    const { running, ...rest } = settings;
    const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<SimulationSettings>;
    this.settings = { ...this.settings, ...given };
    this.running = running;
    this.stopTimer();
    if (running) {
      let last = this.now();
      this.timer = this.timers.setInterval(() => {
        const now = this.now();
        this.tick((now - last) / 1000, now);
        last = now;
      }, TICK_MS);
    } else {
      // Stopping the simulation sends its visitors home.
      for (const id of [...this.plans.keys()]) this.leave(id);
    }
  }

  /** Stops the timer (the service is closing: its sessions end with it). */
  close(): void {
    this.running = false;
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== null) this.timers.clearInterval(this.timer);
    this.timer = null;
  }

  /** One step: Poisson arrivals over dt, then each visitor looks at its place and leaves or gives up when due. */
  private tick(dtSec: number, now: number): void {
    const expo = (meanMs: number) => -Math.log(1 - this.random()) * meanMs;
    let arrivals = 0;
    // Poisson arrivals over dt by inversion (rate·dt is small per tick).
    const lambda = (this.settings.arrivalsPerMin / 60) * dtSec;
    let p = Math.exp(-lambda);
    let cdf = p;
    const r = this.random();
    while (r > cdf && arrivals < 100) {
      arrivals++;
      p *= lambda / arrivals;
      cdf += p;
    }
    for (let k = 0; k < arrivals && this.plans.size < MAX_SIM_VISITORS; k++) {
      const x = this.random();
      const share = this.settings.operateShare;
      const rest = (1 - share) / 2;
      const want: Want = x < share ? 'operate' : x < share + rest ? 'watch' : 'any';
      const meanMs = this.settings.meanSessionSec * 1000;
      const plan: Plan = { holdMs: expo(meanMs), leaveAt: null, giveUpAt: now + expo(meanMs * 3) };
      let view: SessionView;
      try {
        view = this.door.join({ name: `${want === 'watch' ? 'Viewer' : 'Visitor'} ${++this.seq}`, want }, { synthetic: true });
      } catch (e) {
        // Refused like anyone (draining, line full): the service counted the refusal; this visitor goes away.
        if (e instanceof ApiError) continue;
        throw e;
      }
      this.arrived++;
      this.plans.set(view.id, plan);
      this.placed(plan, view);
    }
    for (const [id, plan] of [...this.plans]) {
      let view: SessionView;
      try {
        view = this.door.get(id);
      } catch {
        this.plans.delete(id); // ended elsewhere (kicked by the admin)
        continue;
      }
      this.placed(plan, view);
      if (plan.leaveAt !== null && now >= plan.leaveAt && view.role !== 'queued') {
        this.leave(id);
      } else if (view.role === 'queued' && now >= plan.giveUpAt) {
        this.gaveUp++;
        this.leave(id);
      }
    }
  }

  /** The hold starts when the visitor first has a place (its view's `since` says when). */
  private placed(plan: Plan, view: SessionView): void {
    if (plan.leaveAt === null && view.role !== 'queued') plan.leaveAt = view.since + plan.holdMs;
  }

  private leave(id: string): void {
    this.plans.delete(id);
    try {
      this.door.leave(id);
    } catch {
      /* already gone (kicked): nothing to leave */
    }
  }
}
