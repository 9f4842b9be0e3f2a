// kill -9 of the agent at any moment: a real agent process launches instances,
// takes people into the line and saves profiles and settings, and is killed with
// SIGKILL at a random moment of that; then it starts again on the same data folder.
// After every kill: every JSON file parses, the journal has at most a torn last
// record. After every start: no instance of an earlier run is left running (the
// ledger's orphans are stopped), and the line is there. KILL_CYCLES cycles (20 by
// default; `npm run soak` runs 500).
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../electron/core/journal';
import { CPU_LOAD, NODE, tmpDir, waitFor } from '../helpers';
import { spawnAgentChild, type AgentChild } from './fixtures/spawn-agent';

const CYCLES = Number(process.env.KILL_CYCLES ?? 20);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const TAG = `kill-anywhere-${process.pid}-${Date.now()}`;
const started: ChildProcess[] = [];

afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  // Whatever a failed run left behind (the test's own marker only).
  for (const pid of markerPids()) process.kill(-pid, 'SIGKILL');
});

/** Live processes carrying this test's marker in their arguments (ps, not the code under test). */
function markerPids(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\S+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => !!m && !m[2]!.startsWith('Z') && m[3]!.includes(TAG) && !m[3]!.includes('ps -eo'))
    .map((m) => Number(m[1]));
}

async function startAgent(dir: string): Promise<AgentChild> {
  const a = await spawnAgentChild(dir, { ORPHANS: 'stop', SESSIONS_PER_ADDRESS: '100000' });
  started.push(a.proc);
  return a;
}

/** Every file StreamCap keeps: JSON parses (temp files aside, swept at the next start); the journal is whole but for a torn last record. */
function unreadable(dir: string): string[] {
  const bad: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'ui') walk(f);
      } else if (/\.json(\.bak)?$/.test(e.name)) {
        try {
          JSON.parse(fs.readFileSync(f, 'utf8'));
        } catch (x) {
          bad.push(`${path.relative(dir, f)}: ${(x as Error).message}`);
        }
      } else if (e.name === 'sessions.journal') {
        const copy = path.join(tmpDir(), 'j');
        fs.copyFileSync(f, copy);
        const { repaired } = readJournal(copy);
        if (repaired && !/torn last record|damaged last record/.test(repaired)) bad.push(`sessions.journal: ${repaired}`);
      }
    }
  };
  walk(dir);
  return bad;
}

/** A small deterministic generator, so a failing cycle can be run again (FUZZ_SEED). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => (x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe('kill -9 at any moment', () => {
  it(
    `${CYCLES} cycles of work, kill -9 and restart: 0 orphans, 0 unreadable files, the line kept`,
    async () => {
      const dir = tmpDir('sc-kill-');
      const random = rng(SEED);
      let orphansStopped = 0;
      let people = 0;
      const answered: { id: string; at: number }[] = [];
      const mustKeep: string[] = [];
      /** How long before the kill the joins that were answered but not yet on disk were answered (ms). */
      const notOnDisk: number[] = [];
      for (let cycle = 0; cycle <= CYCLES; cycle++) {
        const leftovers = markerPids().length;
        const a = await startAgent(dir);
        // Core.create stopped the ledger's orphans before the agent listened.
        const still = markerPids();
        if (still.length && process.env.KILL_DEBUG)
          console.log(
            execFileSync('ps', ['-o', 'pid,ppid,pgid,stat,lstart,args', '-p', still.join(',')], { encoding: 'utf8' }),
            fs.readdirSync(path.join(dir, 'ledger')).map((f) => `${f}: ${fs.readFileSync(path.join(dir, 'ledger', f), 'utf8')}`),
          );
        expect(still, `cycle ${cycle}: instances of the killed run still running`).toEqual([]);
        orphansStopped += leftovers;
        const auth = { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' };
        const post = (name: string, body: unknown) =>
          fetch(`http://127.0.0.1:${a.admin}/api/v1/commands/${name}`, { method: 'POST', headers: auth, body: JSON.stringify(body) }).then(async (r) => ({
            status: r.status,
            body: (await r.json()) as any,
          }));
        // Everyone whose join was on disk before a kill is still in the line.
        // Asked 100 at a time: the public listener caps connections per address at 256 (and
        // resets the rest, as it should), and from about cycle 64 more than that are kept.
        const lost: string[] = [];
        for (let k = 0; k < mustKeep.length; k += 100)
          for (const id of await Promise.all(mustKeep.slice(k, k + 100).map((id) => fetch(`http://127.0.0.1:${a.sessions}/api/v1/sessions/${id}`).then((r) => (r.status === 200 ? null : id)))))
            if (id) lost.push(id);
        expect(lost, `cycle ${cycle}: joins lost across the kill`).toEqual([]);
        if (cycle === CYCLES) {
          a.proc.kill('SIGTERM');
          await new Promise((r) => a.proc.once('exit', r));
          break;
        }
        if (cycle === 0) {
          await post('profiles.save', { id: 'marked', name: 'Marked', exe: NODE, args: [CPU_LOAD, '--load', '1', '--name', `${TAG}-{n}`], staggerSec: 0 });
          await fetch(`http://127.0.0.1:${a.admin}/api/v1/admission`, { method: 'PUT', headers: auth, body: JSON.stringify({ seatsFrom: 'manual', seats: 2, heartbeatTimeoutSec: 3600 }) });
        }
        // Work in flight when the kill comes: launches, joins, saves, settings.
        const work: Promise<unknown>[] = [];
        // Answers cut off by the kill are expected: handled here, not unhandled rejections.
        const track = (p: Promise<unknown>) => work.push(p.catch(() => undefined));
        track(post('instances.launch', { profileId: 'marked', count: 1 + Math.floor(random() * 3) }));
        for (let k = 0; k < 5; k++) {
          track(
            fetch(`http://127.0.0.1:${a.sessions}/api/v1/sessions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ name: `C${cycle}-${k}`, want: 'any' }),
            }).then(async (r) => {
              if (r.status !== 201) return;
              people++;
              answered.push({ id: ((await r.json()) as { id: string }).id, at: Date.now() });
            }),
          );
        }
        track(post('profiles.save', { id: `p-${cycle % 7}`, name: `Saved in ${cycle}`, exe: NODE, args: ['x'.repeat(Math.floor(random() * 50_000))] }));
        track(fetch(`http://127.0.0.1:${a.admin}/api/v1/admission`, { method: 'PUT', headers: auth, body: JSON.stringify({ uplinkMbps: 100 + cycle }) }));
        // The random moment: anywhere from before the first write to after the last (the
        // moment is the subject, not a wait for something).
        await new Promise((r) => setTimeout(r, Math.floor(random() * 400)));
        const exited = new Promise((r) => a.proc.once('exit', r));
        const killedAt = Date.now();
        a.proc.kill('SIGKILL');
        await exited;
        await Promise.allSettled(work);
        expect(unreadable(dir), `cycle ${cycle}: files damaged by the kill`).toEqual([]);
        // Every join whose record reached the journal before the kill must survive it. Those
        // answered but not yet on disk (the commit window) are counted: how many, how old.
        const journal = fs.existsSync(path.join(dir, 'sessions.journal')) ? fs.readFileSync(path.join(dir, 'sessions.journal'), 'utf8') : '';
        for (const j of answered.splice(0)) {
          if (journal.includes(`"${j.id}"`)) mustKeep.push(j.id);
          else notOnDisk.push(killedAt - j.at);
        }
      }
      await waitFor(() => markerPids().length === 0, 'no instance left after the clean stop', 10_000);
      console.log(
        `kill-anywhere: ${CYCLES} kill -9 cycles, ${orphansStopped} leftover instances stopped at restart, 0 orphans, 0 unreadable files, ${people} people joined, ${mustKeep.length} on disk at the kill all kept, ${notOnDisk.length} answered but not yet on disk (answered ${notOnDisk.length ? `${Math.min(...notOnDisk)}–${Math.max(...notOnDisk)}` : '–'} ms before the kill)`,
      );
    },
    60_000 + CYCLES * 10_000,
  );
});
