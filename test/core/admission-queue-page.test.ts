// The admin snapshot carries a page of the line, not the whole line: with a crowd
// waiting it goes to every console up to five times a second. admission.queue pages on.
import { afterEach, describe, expect, it } from 'vitest';
import { AdmissionService } from '../../electron/core/admission/service';
import { commandInputs } from '../../shared/contract';
import { QUEUE_PAGE, QUEUE_PAGE_MAX } from '../../shared/admission-rules';
import { fakeTime } from '../fake-time';
import { tmpDir, withWholeQueue } from '../helpers';

const open: AdmissionService[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function crowd(n: number, paused = false): Promise<{ svc: AdmissionService; ids: string[] }> {
  const time = fakeTime();
  const svc = new AdmissionService({ dataDir: tmpDir(), onSnapshot: () => undefined, wilbur: false, now: time.now, timers: time.timers });
  open.push(svc);
  await svc.setConfig({ seatsFrom: 'manual', seats: 1, spectatorsPerInstance: 0, paused });
  const ids: string[] = [];
  for (let k = 0; k < n; k++) ids.push(svc.join({ name: `P${k}`, want: (['operate', 'watch', 'any'] as const)[k % 3]! }).id);
  return { svc, ids };
}

describe('the paged admission snapshot', () => {
  it('1,000 in line: the snapshot holds the first QUEUE_PAGE and the total; pages cover everyone once, in order', async () => {
    const { svc, ids } = await crowd(1001); // the first takes the one seat
    const line = ids.slice(1);
    const snap = svc.snapshot();
    expect(snap.queue).toHaveLength(QUEUE_PAGE);
    expect(snap.queueTotal).toBe(1000);
    expect(snap.queue.map((q) => q.id)).toEqual(line.slice(0, QUEUE_PAGE));
    expect(snap.queue.map((q) => q.position)).toEqual(Array.from({ length: QUEUE_PAGE }, (_, i) => i + 1));
    // The whole line's wants, though only a page is carried (the fleet's free places need them).
    const wants = line.map((_, k) => (['watch', 'any', 'operate'] as const)[k % 3]!);
    expect(snap.queueWants).toEqual({ seats: wants.filter((w) => w !== 'watch').length, spectators: wants.filter((w) => w !== 'operate').length });

    const seen: string[] = [];
    for (let offset = 0; offset < 1000; offset += 70) {
      const p = svc.queuePage(offset, 70);
      expect(p).toMatchObject({ offset, total: 1000 });
      expect(p.entries.map((q) => q.position)).toEqual(Array.from({ length: p.entries.length }, (_, i) => offset + i + 1));
      seen.push(...p.entries.map((q) => q.id));
    }
    expect(seen).toEqual(line);
    expect(svc.queuePage(1000, 10).entries).toEqual([]);
    const whole = await withWholeQueue(snap, async (o, l) => svc.queuePage(o, l));
    expect(whole.queue.map((q) => q.id)).toEqual(line);
  });

  it('admin actions reach people past the first page', async () => {
    const { svc, ids } = await crowd(501);
    const far = ids[400]!; // position 400
    expect(svc.queuePage(399, 1).entries[0]!.id).toBe(far);
    svc.move(far, 2);
    expect(svc.snapshot().queue[1]!.id).toBe(far);
    const farther = ids[450]!;
    svc.promote(farther);
    expect(svc.snapshot().queue[0]!.id).toBe(farther);
    const last = ids[500]!;
    svc.kick(last);
    expect(svc.snapshot().queueTotal).toBe(499);
    expect((await withWholeQueue(svc.snapshot(), async (o, l) => svc.queuePage(o, l))).queue.some((q) => q.id === last)).toBe(false);
  });

  it('admission.queue input: offset from 0, limit 1..QUEUE_PAGE_MAX, nothing else', () => {
    const s = commandInputs['admission.queue'];
    expect(s.safeParse({ offset: 0, limit: 1 }).success).toBe(true);
    expect(s.safeParse({ offset: 5, limit: QUEUE_PAGE_MAX }).success).toBe(true);
    for (const bad of [{ offset: -1, limit: 10 }, { offset: 0, limit: 0 }, { offset: 0, limit: QUEUE_PAGE_MAX + 1 }, { offset: 1.5, limit: 10 }, { offset: 0 }, { offset: 0, limit: 10, x: 1 }])
      expect(s.safeParse(bad).success).toBe(false);
  });

  it('size of the serialized snapshot with 10,000 in line, whole line vs first page', async () => {
    const { svc } = await crowd(10_000, true); // paused: all 10,000 (the most sessions allowed) wait
    expect(svc.snapshot().queueTotal).toBe(10_000);
    const snap = svc.snapshot();
    // Before: the snapshot as it was, the whole line and no queueTotal/queueWants.
    const { queueTotal: _t, queueWants: _w, ...rest } = snap;
    const before = Buffer.byteLength(JSON.stringify({ ...rest, queue: svc.queuePage(0, 10_000).entries }));
    const after = Buffer.byteLength(JSON.stringify(snap));
    console.log(`admission snapshot, 10,000 in line: ${before} bytes whole line, ${after} bytes paged`);
    expect(after * 20).toBeLessThan(before);
  });
});
