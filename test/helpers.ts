import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUEUE_PAGE_MAX, type AdmissionSnapshot, type QueuePage } from '../shared/admission-rules';
import { ProfileSchema, type AppEvent, type EventMap, type EventName, type Profile, type ProfileInput } from '../shared/contract';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CPU_LOAD = path.join(ROOT, 'electron/core/workloads/cpu-load.mjs');
export const NODE = process.execPath;

export function tmpDir(prefix = 'sc-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A fixed wait. Only for what no event can say: that nothing happens for a while (a
 * negative), a real measurement window, a deliberately idle peer. Every caller says
 * which, in a comment; anything else waits on an event or a condition (below).
 */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until `fn` returns a truthy value, or fails with `what` after `timeoutMs`.
 * For state no event announces (ps, /proc, a file, another process's HTTP answers);
 * where an event exists, wait on it with nextEvent / nextEmitted / nextLine instead.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15000, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Resolves with the first value `subscribe` hands on that `predicate` accepts; rejects
 * with `what` after `timeoutMs`, or with the predicate's own error. Unsubscribes either way.
 * The building block of the helpers below.
 */
export function firstOf<T>(subscribe: (fn: (v: T) => void) => () => void, predicate: (v: T) => boolean, what: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let off: (() => void) | null = null;
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off?.();
      f();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))), timeoutMs);
    off = subscribe((v) => {
      try {
        if (predicate(v)) finish(() => resolve(v));
      } catch (e) {
        finish(() => reject(e));
      }
    });
    if (done) off(); // the subscription answered synchronously
  });
}

/** What the event helpers need of a core: its event stream, and the current value of its state events. */
export interface EventSource {
  subscribe(fn: (e: AppEvent) => void): () => void;
  currentState?(): AppEvent[];
}
type StateName = 'profiles' | 'instances' | 'orphans' | 'admission';

/** Resolves with the data of the next `type` event for which `predicate` holds; fails saying `what` after `timeoutMs`. */
export function nextEvent<K extends EventName>(core: EventSource, type: K, predicate: (data: EventMap[K]) => boolean = () => true, what = `a ${type} event`, timeoutMs = 15_000): Promise<EventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const off = core.subscribe((e) => {
      if (e.type !== type) return;
      const data = e.data as EventMap[K];
      if (!predicate(data)) return;
      clearTimeout(timer);
      off();
      resolve(data);
    });
  });
}

/** Like nextEvent, for a state event (instances, admission…): resolves at once if the state in force already matches. */
export async function untilState<K extends StateName>(
  core: EventSource & { currentState(): AppEvent[] },
  type: K,
  predicate: (data: EventMap[K]) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<EventMap[K]> {
  // Both synchronous: no event can come between the look and the subscription.
  const now = core.currentState().find((e) => e.type === type)?.data as EventMap[K] | undefined;
  if (now !== undefined && predicate(now)) return now;
  return nextEvent(core, type, predicate, what, timeoutMs);
}

/**
 * The next `count` `type` events that `accept` takes, in order (their data): "wait for N
 * readings" (e.g. 8 samples that measured an instance) where a test used to sleep N intervals.
 */
export async function nextEvents<K extends EventName>(
  core: EventSource,
  type: K,
  count: number,
  accept: (data: EventMap[K]) => boolean = () => true,
  what = `a ${type} event`,
  timeoutMs = 30_000,
): Promise<EventMap[K][]> {
  const got: EventMap[K][] = [];
  const enough = (d: EventMap[K]) => {
    if (accept(d)) got.push(d);
    return got.length >= count;
  };
  try {
    await nextEvent(core, type, enough, `${count} × ${what}`, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message} (got ${got.length})`);
  }
  return got;
}

/**
 * The first `event` of a node EventEmitter (a server's 'request', a socket's 'message',
 * a process's 'exit') whose arguments `predicate` accepts; resolves with those arguments.
 */
export function nextEmitted<A extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, predicate: (...args: A) => boolean, what: string, timeoutMs = 15000): Promise<A> {
  return firstOf<A>(
    (fn) => {
      const listener = (...args: unknown[]) => fn(args as A);
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    (args) => predicate(...args),
    what,
    timeoutMs,
  );
}

/** The next WebSocket message (JSON) that `predicate` accepts, from a `ws` socket. */
export function nextMessage<M = unknown>(ws: EventEmitter, predicate: (m: M) => boolean, what: string, timeoutMs = 15000): Promise<M> {
  const parse = (raw: unknown): M | undefined => {
    try {
      return JSON.parse(String(raw)) as M;
    } catch {
      return undefined;
    }
  };
  return nextEmitted<[unknown]>(
    ws,
    'message',
    (raw) => {
      const m = parse(raw);
      return m !== undefined && predicate(m);
    },
    what,
    timeoutMs,
  ).then(([raw]) => parse(raw)!);
}

/**
 * The first whole line a child process prints on stdout (or `stream`) that `predicate`
 * accepts; rejects early, with what it printed, if the process exits first.
 */
export function nextLine(proc: ChildProcess, predicate: (line: string) => boolean, what: string, timeoutMs = 30000, stream: NodeJS.ReadableStream | null = proc.stdout): Promise<string> {
  if (!stream) return Promise.reject(new Error(`no output stream to wait on for ${what}`));
  let out = '';
  let pending = '';
  return firstOf<string | { exited: number | null; signal: NodeJS.Signals | null }>(
    (fn) => {
      const onData = (d: Buffer | string) => {
        out += d;
        pending += d;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const l of lines) fn(l.replace(/\r$/, ''));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => fn({ exited: code, signal });
      stream.on('data', onData);
      proc.on('exit', onExit);
      if (proc.exitCode !== null || proc.signalCode !== null) queueMicrotask(() => onExit(proc.exitCode, proc.signalCode));
      return () => {
        stream.off('data', onData);
        proc.off('exit', onExit);
      };
    },
    (v) => {
      if (typeof v === 'string') return predicate(v);
      throw new Error(`the process exited (${v.signal ?? `code ${v.exited}`}) before ${what}; it printed:\n${out.slice(-2000)}`);
    },
    what,
    timeoutMs,
  ).then((v) => v as string);
}

export function profile(over: Partial<ProfileInput> = {}): Profile {
  return ProfileSchema.parse({ id: 'test', name: 'Test workload', exe: NODE, args: [CPU_LOAD, '--load', '10'], staggerSec: 0, ...over });
}

/** Is this PID alive (not a zombie)? Independent of the code under test: asks ps. */
export function alive(pid: number): boolean {
  try {
    const out = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return out !== '' && !out.startsWith('Z');
  } catch {
    return false;
  }
}

/** PIDs of a process group, per ps (zombies excluded). */
export function groupPids(pgid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,stat=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length === 2 && !f[1]!.startsWith('Z'))
      .map((f) => Number(f[0]));
  } catch {
    return [];
  }
}

/** utime+stime+cutime+cstime in ticks, read with a plain split (not the parser under test). */
export function ticksOf(pid: number): number {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

export function have(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const CLI = path.join(ROOT, 'bin/streamcap.js');

/** Runs `streamcap ARGS…` as a user would, with a data folder of its own; never throws. */
export function runCli(args: string[], timeoutMs = 60000): Promise<{ code: number | null; stdout: string; stderr: string; home: string }> {
  const home = tmpDir();
  return new Promise((resolve) => {
    const p = spawn(NODE, [CLI, ...args], { cwd: ROOT, env: { ...process.env, STREAMCAP_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr, home });
    });
  });
}

/**
 * The snapshot with its whole line: the snapshot carries only the first page, the rest is
 * paged in through admission.queue (`page` calls it) and checked to join up in order.
 */
export async function withWholeQueue(snap: AdmissionSnapshot, page: (offset: number, limit: number) => Promise<QueuePage>): Promise<AdmissionSnapshot> {
  const queue = [...snap.queue];
  while (queue.length < snap.queueTotal) {
    const p = await page(queue.length, QUEUE_PAGE_MAX);
    if (p.entries.length === 0) break; // the line got shorter since the snapshot
    queue.push(...p.entries);
  }
  return { ...snap, queue, queueTotal: queue.length };
}

/** Every session in an admission snapshot: operators, spectators and the people in line (once each); the snapshot must hold the whole line (withWholeQueue). */
export function everyoneIn(snap: AdmissionSnapshot): string[] {
  if (snap.queue.length !== snap.queueTotal) throw new Error(`everyoneIn: the snapshot holds ${snap.queue.length} of ${snap.queueTotal} in line; page in the rest (withWholeQueue)`);
  const ids = [...snap.seats.flatMap((s) => [...(s.operator ? [s.operator.id] : []), ...s.spectators.map((x) => x.id)]), ...snap.queue.map((q) => q.id)];
  return [...new Set(ids)];
}
