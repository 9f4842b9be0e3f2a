// The front door's heartbeat sweep on fake time: a person not heard from past the
// timeout loses their place; one who keeps pinging keeps it. Nothing waits for real time.
import { describe, expect, it } from 'vitest';
import { FrontDoor } from '../../electron/core/fleet/front-door';
import { fakeTime } from '../fake-time';
import { tmpDir } from '../helpers';

describe('the front door heartbeat sweep', () => {
  it('runs on the injected clock and timers: the quiet one times out, the pinging one stays; close stops the sweep', async () => {
    const time = fakeTime();
    const door = new FrontDoor({ dataDir: tmpDir(), members: { list: () => [], get: () => undefined }, heartbeatTimeoutSec: 5, onChange: () => undefined, now: time.now, timers: time.timers });
    const quiet = await door.join({ name: 'Quiet', want: 'operate' });
    const busy = await door.join({ name: 'Busy', want: 'operate' });
    expect(door.get(quiet.id).id).toBe(quiet.id); // there, before the timeout
    expect(time.pending()).toBeGreaterThan(0);
    for (let s = 0; s < 8; s++) {
      door.heartbeat(busy.id);
      time.advance(1000);
    }
    await Promise.resolve();
    expect(() => door.get(quiet.id)).toThrow();
    expect(door.get(busy.id).id).toBe(busy.id);
    await door.close();
    expect(time.pending()).toBe(0);
  });
});
