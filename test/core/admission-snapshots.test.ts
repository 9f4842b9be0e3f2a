import { describe, expect, it } from 'vitest';
import { SnapshotThrottle, type TimerSource } from '../../electron/core/admission/snapshots';

/** A fake clock and timer source: nothing waits for real time. */
function fake() {
  let now = 1_000_000;
  const pending = new Map<number, { at: number; fn: () => void }>();
  let seq = 0;
  const timers: TimerSource = {
    setTimeout: (fn, ms) => {
      pending.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void pending.delete(h as number),
    setInterval: () => 0,
    clearInterval: () => undefined,
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...pending])
      if (t.at <= now) {
        pending.delete(id);
        t.fn();
      }
  };
  return { now: () => now, timers, advance, pending };
}

describe('the throttled admin snapshot', () => {
  it('sends at most one snapshot per gap, on the injected clock and timers, and none after close', () => {
    const f = fake();
    let sent = 0;
    const t = new SnapshotThrottle(() => sent++, 200, f.now, f.timers);
    t.schedule();
    t.schedule();
    f.advance(0);
    expect(sent).toBe(1);
    t.schedule();
    f.advance(100);
    expect(sent).toBe(1);
    f.advance(100);
    expect(sent).toBe(2);
    t.schedule();
    t.close();
    f.advance(1000);
    expect(sent).toBe(2);
    expect(f.pending.size).toBe(0);
  });
});
