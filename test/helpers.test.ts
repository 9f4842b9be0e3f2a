// The waiting helpers themselves: they resolve on the first match, reject with what they
// waited for when it does not come, and leave no listener behind.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../shared/contract';
import { nextEmitted, nextEvent, nextEvents, nextLine, NODE } from './helpers';

/** A stand-in for Core: the same subscribe, events pushed by hand. */
function fakeCore() {
  const listeners = new Set<(e: AppEvent) => void>();
  return {
    listeners,
    subscribe(fn: (e: AppEvent) => void) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    emit(e: AppEvent) {
      for (const fn of [...listeners]) fn(e);
    },
  };
}
const profiles = (n: number): AppEvent => ({ type: 'profiles', data: Array.from({ length: n }, () => ({}) as never) });

describe('nextEvent / nextEvents on core.subscribe', () => {
  it('resolves with the data of the first matching event, and unsubscribes', async () => {
    const core = fakeCore();
    const p = nextEvent(core, 'profiles', (l) => l.length === 2, 'two profiles');
    core.emit({ type: 'orphans', data: [] });
    core.emit(profiles(1));
    core.emit(profiles(2));
    expect(await p).toHaveLength(2);
    expect(core.listeners.size).toBe(0);
  });

  it('rejects naming what it waited for, and unsubscribes', async () => {
    const core = fakeCore();
    await expect(nextEvent(core, 'probe', undefined, 'a probe event', 50)).rejects.toThrow('timed out after 50 ms waiting for a probe event');
    expect(core.listeners.size).toBe(0);
  });

  it('nextEvents collects N in order, and says how many came before the deadline', async () => {
    const core = fakeCore();
    const p = nextEvents(core, 'profiles', 3);
    for (const n of [1, 2, 3, 4]) core.emit(profiles(n));
    expect((await p).map((l) => l.length)).toEqual([1, 2, 3]);
    const q = nextEvents(core, 'profiles', 3, undefined, 'a profiles event', 50);
    core.emit(profiles(1));
    await expect(q).rejects.toThrow(/3 × a profiles event \(got 1\)/);
  });
});

describe('nextEmitted and nextLine', () => {
  it('nextEmitted resolves with the arguments of the first matching emit', async () => {
    const em = new EventEmitter();
    const p = nextEmitted<[string, number]>(em, 'x', (_a, b) => b > 1, 'x with b > 1');
    em.emit('x', 'no', 1);
    em.emit('x', 'yes', 2);
    expect(await p).toEqual(['yes', 2]);
    expect(em.listenerCount('x')).toBe(0);
  });

  it('nextLine: a whole line, however the output is chunked; a process that exits first rejects with its output', async () => {
    const proc = spawn(NODE, ['-e', "process.stdout.write('noise\\nrea'); setTimeout(() => process.stdout.write('dy 42\\r\\n'), 20)"]);
    expect(await nextLine(proc, (l) => l.startsWith('ready'), 'ready')).toBe('ready 42');
    const quitter = spawn(NODE, ['-e', "console.log('bye'); process.exit(3)"]);
    await expect(nextLine(quitter, (l) => l === 'never', 'a line that never comes', 10_000)).rejects.toThrow(/exited \(code 3\) before a line that never comes; it printed:\nbye/);
  });
});
