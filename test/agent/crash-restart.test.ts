// The waiting line survives kill -9: a real agent process with 200 people in line
// (operators, spectators, people waiting, admin moves and kicks), killed with
// SIGKILL and started again on the same data folder. Everyone keeps role, place and
// instance; their sessions answer 200; nobody is timed out for the downtime.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AdmissionSnapshot, QueuePage, SessionView, Want } from '../../shared/admission-rules';
import { NODE, tmpDir, waitFor, withWholeQueue } from '../helpers';
import { spawnAgentChild, type AgentChild } from './fixtures/spawn-agent';

type Agent = AgentChild;
const started: ChildProcess[] = [];

async function startAgent(dataDir: string): Promise<Agent> {
  const a = await spawnAgentChild(dataDir, { SESSIONS_PER_ADDRESS: '1000' });
  started.push(a.proc);
  return a;
}

afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

const kill9 = (p: ChildProcess) =>
  new Promise<void>((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGKILL');
  });

async function call(a: Agent, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`http://127.0.0.1:${a.admin}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

const snapshotOf = async (a: Agent) =>
  withWholeQueue(
    (await call(a, 'GET', '/admission')).body.data as AdmissionSnapshot,
    async (offset, limit) => (await call(a, 'POST', '/commands/admission.queue', { offset, limit })).body.data as QueuePage,
  );
const picture = (s: AdmissionSnapshot) => ({ seats: s.seats, queue: s.queue, stats: s.stats });

describe('kill -9 of the agent with 200 people in line', () => {
  it('everyone keeps role, instance and place; their sessions answer 200; nobody times out for the downtime', async () => {
    const dir = tmpDir('sc-crash-');
    const a = await startAgent(dir);
    // 5 seats, 2 spectators each: 5 operators, 10 spectators, the rest wait.
    expect((await call(a, 'PUT', '/admission', { seatsFrom: 'manual', seats: 5, spectatorsPerInstance: 2, policy: 'open', heartbeatTimeoutSec: 60 })).status).toBe(200);
    const wants: Want[] = ['operate', 'watch', 'any', 'operate'];
    const joined: SessionView[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const views = await Promise.all(
        Array.from({ length: 20 }, async (_, k) => {
          const n = batch * 20 + k;
          const r = await fetch(`http://127.0.0.1:${a.sessions}/api/v1/sessions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `Person ${n} ✓`, want: wants[n % 4] }),
          });
          expect(r.status).toBe(201);
          return (await r.json()) as SessionView;
        }),
      );
      joined.push(...views);
    }
    const queued = joined.filter((v) => v.role === 'queued');
    // The admin's hand: a move to the front, a promote, a kick.
    expect((await call(a, 'POST', `/admission/sessions/${queued.at(-1)!.id}/move`, { position: 1 })).status).toBe(200);
    expect((await call(a, 'POST', `/admission/sessions/${queued.at(-2)!.id}/promote`)).status).toBe(200);
    const kicked = queued[3]!.id;
    expect((await call(a, 'DELETE', `/admission/sessions/${kicked}`)).status).toBe(200);
    // Everyone is heard from, then the timeout is shortened: a restart that counted the
    // downtime against them would time them all out.
    await Promise.all(joined.filter((v) => v.id !== kicked).map((v) => fetch(`http://127.0.0.1:${a.sessions}/api/v1/sessions/${v.id}`).then((r) => r.arrayBuffer())));
    expect((await call(a, 'PUT', '/admission', { heartbeatTimeoutSec: 5 })).status).toBe(200);
    const before = await snapshotOf(a);
    expect(before.seats.filter((s) => s.operator)).toHaveLength(5);
    expect(before.seats.flatMap((s) => s.spectators)).toHaveLength(10);
    // The last change is on disk once the journal names the kicked session's leave.
    const journal = path.join(dir, 'sessions.journal');
    await waitFor(() => fs.existsSync(journal) && fs.readFileSync(journal, 'utf8').includes(`"t":"leave","id":"${kicked}"`), 'the kick in the journal', 5000, 10);

    await kill9(a.proc);
    const killedAt = Date.now();
    // Down for longer than the heartbeat timeout (5 s): that is the point of the wait. Real
    // time, not a fake clock: the agent is another process, and the downtime is wall-clock.
    await new Promise((r) => setTimeout(r, 5500));
    const b = await startAgent(dir);
    expect(Date.now() - killedAt).toBeGreaterThan(5000);

    const after = await snapshotOf(b);
    expect(picture(after)).toEqual(picture(before));
    const people = joined.filter((v) => v.id !== kicked);
    const answers = await Promise.all(
      people.map((v) => fetch(`http://127.0.0.1:${b.sessions}/api/v1/sessions/${v.id}`).then(async (r) => ({ status: r.status, view: (await r.json()) as SessionView }))),
    );
    expect(answers.filter((x) => x.status !== 200)).toEqual([]);
    const byId = new Map(before.queue.map((q) => [q.id, q.position]));
    for (const { view } of answers) {
      const seat = before.seats.find((s) => s.operator?.id === view.id || s.spectators.some((x) => x.id === view.id));
      expect({ id: view.id, role: view.role, instance: view.instance, position: view.position }).toEqual({
        id: view.id,
        role: seat ? (seat.operator?.id === view.id ? 'operator' : 'spectator') : 'queued',
        instance: seat?.instance ?? null,
        position: byId.get(view.id) ?? null,
      });
    }
    console.log(`kill -9 with ${joined.length} joined (${people.length} in after a kick): ${answers.filter((x) => x.status === 200).length} kept, role and place`);
    const gone = await fetch(`http://127.0.0.1:${b.sessions}/api/v1/sessions/${kicked}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { ended: string } }).error.ended).toBe('kicked');
    expect((await snapshotOf(b)).stats.timedOut).toBe(0);
    // The line goes on: the first operator leaves, the first in line who wants a seat gets it.
    const first = before.seats[0]!.operator!.id;
    expect((await fetch(`http://127.0.0.1:${b.sessions}/api/v1/sessions/${first}`, { method: 'DELETE' })).status).toBe(200);
    const next = before.queue.find((q) => q.want !== 'watch')!.id;
    expect(((await (await fetch(`http://127.0.0.1:${b.sessions}/api/v1/sessions/${next}`)).json()) as SessionView).role).toBe('operator');
  }, 90_000);

  it('seats from instances: the people on them keep their seats while the leftovers run, and lose them once they are stopped', async () => {
    const dir = tmpDir('sc-crash-');
    const a = await startAgent(dir);
    const pids: number[] = [];
    try {
      // Silent instances: one that prints would die of the closed pipe once the agent is killed (before the restart, under load).
      expect((await call(a, 'POST', '/commands/profiles.save', { id: 'light', name: 'Light', exe: NODE, args: ['-e', 'setInterval(Date.now, 1000)'], staggerSec: 0 })).status).toBe(200);
      await call(a, 'PUT', '/admission', { seatsFrom: 'instances', spectatorsPerInstance: 0, policy: 'open', heartbeatTimeoutSec: 60 });
      await call(a, 'POST', '/commands/instances.launch', { profileId: 'light', count: 2 });
      await waitFor(async () => (await snapshotOf(a)).seats.filter((s) => s.running).length === 2, 'two seats from two running instances', 20_000);
      pids.push(...((await call(a, 'POST', '/commands/instances.list', {})).body.data as { pid: number }[]).map((i) => i.pid));
      const people: SessionView[] = [];
      for (const name of ['A', 'B', 'C'])
        people.push(
          (await (
            await fetch(`http://127.0.0.1:${a.sessions}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, want: 'operate' }) })
          ).json()) as SessionView,
        );
      expect(people.map((p) => p.role)).toEqual(['operator', 'operator', 'queued']);
      const journal = path.join(dir, 'sessions.journal');
      await waitFor(() => fs.readFileSync(journal, 'utf8').includes(people[2]!.id), 'the joins in the journal', 5000, 10);
      await kill9(a.proc);

      // The instances still run (orphans, "ask"): A and B keep their seats meanwhile.
      const b = await startAgent(dir);
      expect(((await call(b, 'POST', '/commands/orphans.list', {})).body.data as unknown[]).length).toBe(2);
      const held = await snapshotOf(b);
      expect(held.seats.map((s) => s.operator?.name ?? null)).toEqual(['A', 'B']);
      expect(held.queue.map((q) => q.name)).toEqual(['C']);
      // Stopped: no instance runs, no seat is left; A and B wait at the front, ahead of C.
      expect((await call(b, 'POST', '/commands/orphans.resolve', { action: 'stop' })).status).toBe(200);
      await waitFor(async () => (await snapshotOf(b)).seats.length === 0, 'the seats gone with the stopped instances', 10_000);
      expect((await snapshotOf(b)).queue.map((q) => q.name)).toEqual(['A', 'B', 'C']);
    } finally {
      for (const pid of pids) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* stopped */
        }
      }
    }
  }, 90_000);
});
