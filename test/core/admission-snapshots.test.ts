import { describe, expect, it } from 'vitest';
import { SnapshotThrottle } from '../../electron/core/admission/snapshots';
import { fakeTime } from '../fake-time';

describe('the throttled admin snapshot', () => {
  it('sends at most one snapshot per gap, on the injected clock and timers, and none after close', () => {
    const f = fakeTime();
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
    expect(f.pending()).toBe(0);
  });
});
