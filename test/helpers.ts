import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdmissionSnapshot } from '../shared/admission-rules';
import { ProfileSchema, type AppEvent, type EventMap, type EventName, type Profile, type ProfileInput } from '../shared/contract';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CPU_LOAD = path.join(ROOT, 'electron/core/workloads/cpu-load.mjs');
export const NODE = process.execPath;

export function tmpDir(prefix = 'sc-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns a truthy value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15000, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
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
export async function untilState<K extends StateName>(core: EventSource & { currentState(): AppEvent[] }, type: K, predicate: (data: EventMap[K]) => boolean, what: string, timeoutMs = 15_000): Promise<EventMap[K]> {
  // Both synchronous: no event can come between the look and the subscription.
  const now = core.currentState().find((e) => e.type === type)?.data as EventMap[K] | undefined;
  if (now !== undefined && predicate(now)) return now;
  return nextEvent(core, type, predicate, what, timeoutMs);
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

/** Every session in an admission snapshot: operators, spectators and the people in line (once each). */
export function everyoneIn(snap: AdmissionSnapshot): string[] {
  const ids = [...snap.seats.flatMap((s) => [...(s.operator ? [s.operator.id] : []), ...s.spectators.map((x) => x.id)]), ...snap.queue.map((q) => q.id)];
  return [...new Set(ids)];
}
