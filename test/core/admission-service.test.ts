// The admission service inside a real core: seats follow real running instances,
// an operator whose instance stops goes back to the front of the queue, heartbeats
// free places, and the simulated visitors drive the same rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { checkInvariants, type AdmissionState, type SessionView } from '../../shared/admission-rules';
import { CPU_LOAD, profile, sleep, tmpDir, untilState } from '../helpers';

let core: Core;
const problems: string[] = [];

beforeAll(async () => {
  core = await Core.create({
    dataDir: tmpDir(),
    gpu: new NoGpuSource('test'),
    sampleIntervalMs: 500,
    supervisor: { graceMs: 800 },
    admission: { sweepMs: 100, snapshotThrottleMs: 20, wilbur: false, onStep: (st: AdmissionState) => problems.push(...checkInvariants(st)) },
  });
  await core.invoke('profiles.save', profile({ id: 'light', args: [CPU_LOAD, '--load', '2'] }));
});
afterAll(async () => {
  await core.shutdown();
});

describe('admission service in the core', () => {
  it('seats follow the running instances; an instance that stops sends its operator back to the front', async () => {
    await core.invoke('admission.set', { seatsFrom: 'instances', spectatorsPerInstance: 0, policy: 'open', heartbeatTimeoutSec: 60 });
    const { ids } = (await core.invoke('instances.launch', { profileId: 'light', count: 2 })) as { ids: string[] };
    await untilState(core, 'admission', (a) => a.seats.length === 2, 'two seats from two running instances', 20_000);
    const a = await core.run('sessions.join', { person: { name: 'A', want: 'operate' } });
    const b = await core.run('sessions.join', { person: { name: 'B', want: 'operate' } });
    const c = await core.run('sessions.join', { person: { name: 'C', want: 'operate' } });
    expect([a.role, b.role, c.role, c.position]).toEqual(['operator', 'operator', 'queued', 1]);
    const told: SessionView[] = [];
    const unwatch = core.watchSession(b.id, (n) => n.type === 'session' && told.push(n.session));
    // Stop B's instance: B loses the seat and waits first in line, ahead of C.
    const bInstance = (await core.invoke('instances.list', {})) as { id: string; n: number }[];
    await core.invoke('instances.stop', { id: bInstance.find((i) => i.n === b.instance)!.id });
    await untilState(core, 'admission', (a) => a.queue.some((q) => q.id === b.id), 'B to lose the seat', 10_000);
    expect((await core.run('sessions.get', { id: b.id })).position).toBe(1);
    expect((await core.run('sessions.get', { id: c.id })).position).toBe(2);
    expect(told.at(-1)).toMatchObject({ role: 'queued', position: 1 });
    // Start it again: B, first in line, gets the seat back.
    await core.invoke('instances.launch', { profileId: 'light', count: 1 });
    await untilState(core, 'admission', (a) => a.seats.some((seat) => seat.operator?.id === b.id), 'B to get a seat again', 20_000);
    expect((await core.run('sessions.get', { id: c.id })).role).toBe('queued');
    unwatch();
    for (const s of [a, b, c]) await core.run('sessions.leave', { id: s.id });
    await core.invoke('instances.stopAll', {});
    await untilState(core, 'admission', (a) => a.seats.length === 0, 'seats gone with the instances', 10_000);
    expect(ids).toHaveLength(2);
    expect(problems).toEqual([]);
  }, 60_000);

  it('instances a capacity probe starts are a measurement, not seats', async () => {
    await core.invoke('admission.set', { seatsFrom: 'instances' });
    await core.invoke('probe.start', { profileId: 'light', warmupSec: 1, settleSec: 2 }); // short windows: the seats are the subject, not the measurement
    try {
      await untilState(core, 'instances', (list) => list.some((i) => i.state === 'running'), 'the probe’s first instance to run', 30_000);
      await sleep(300); // a while with the probe's instance running: still no seat (nothing to wait for)
      expect((await core.run('admission.get', {})).seats).toEqual([]);
    } finally {
      await core.invoke('probe.cancel', {});
    }
  }, 60_000);

  it('a client that stops sending heartbeats loses its place to the next in line', async () => {
    await core.invoke('admission.set', { seatsFrom: 'manual', seats: 1, heartbeatTimeoutSec: 2 });
    const quiet = await core.run('sessions.join', { person: { name: 'quiet', want: 'operate' } });
    const next = await core.run('sessions.join', { person: { name: 'next', want: 'operate' } });
    const keepAlive = setInterval(() => void core.run('sessions.heartbeat', { id: next.id }), 300);
    try {
      await untilState(core, 'admission', (a) => a.stats.timedOut >= 1, 'the quiet one to time out', 6000);
      await expect(core.run('sessions.get', { id: quiet.id })).rejects.toThrow(/not known/);
      expect((await core.run('sessions.get', { id: next.id })).role).toBe('operator');
    } finally {
      clearInterval(keepAlive);
      await core.run('sessions.leave', { id: next.id });
    }
  });

  it('simulated visitors fill the seats through the same rules, wait, leave, and go home when stopped', async () => {
    await core.invoke('admission.set', { seatsFrom: 'manual', seats: 3, spectatorsPerInstance: 1, policy: 'capped', bitrateMbps: 8, uplinkMbps: 40, heartbeatTimeoutSec: 2 });
    await core.run('admission.simulate', { running: true, arrivalsPerMin: 600, meanSessionSec: 1, operateShare: 0.5 });
    await untilState(core, 'admission', (a) => a.simulation.arrived >= 30, 'visitors to arrive', 15_000);
    await sleep(2500); // past the heartbeat timeout: synthetic visitors need none
    const snap = await core.run('admission.get', {});
    expect(snap.stats.timedOut).toBe(1); // only the previous test's quiet client
    expect(snap.bandwidth.streams).toBeLessThanOrEqual(5);
    expect(snap.stats.left).toBeGreaterThan(0);
    expect(snap.stats.meanHoldSec).not.toBeNull();
    const stopped = await core.run('admission.simulate', { running: false, arrivalsPerMin: 600, meanSessionSec: 1, operateShare: 0.5 });
    expect(stopped.visitors).toBe(0);
    expect((await core.run('admission.get', {})).queue).toEqual([]);
    expect(problems).toEqual([]);
  }, 30_000);
});

describe("signalling server counts beside StreamCap's own", () => {
  it('reads a Wilbur REST API set in the admission settings, and says why when it cannot', async () => {
    const http = await import('node:http');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { ROOT } = await import('../helpers');
    const fixtures = path.join(ROOT, 'test/fixtures/wilbur');
    const server = http.createServer((req, res) => {
      const name = { '/api/status': 'status.json', '/api/streamers': 'streamers.json', '/api/players': 'players.json' }[req.url ?? ''];
      if (!name) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(fs.readFileSync(path.join(fixtures, name)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const c = await Core.create({ dataDir: tmpDir(), gpu: new NoGpuSource('test'), autoStart: false, admission: { snapshotThrottleMs: 20 } });
    try {
      await c.invoke('admission.set', { wilburUrl: `http://127.0.0.1:${port}` });
      const status = JSON.parse(fs.readFileSync(path.join(fixtures, 'status.json'), 'utf8'));
      const w = (await untilState(c, 'admission', (a) => !!a.wilbur, 'the signalling server to be read', 5000)).wilbur;
      expect(w).toMatchObject({ ok: true, playerCount: status.player_count, streamerCount: status.streamer_count });
      await new Promise<void>((r) => server.close(() => r()));
      await c.invoke('admission.set', { wilburUrl: `http://127.0.0.1:${port}/` });
      const down = (await untilState(c, 'admission', (a) => a.wilbur?.ok === false, 'the failure to be reported', 8000)).wilbur;
      expect(down && !down.ok && down.reason).toMatch(/refused|No answer/);
    } finally {
      server.close();
      await c.shutdown();
    }
  }, 20_000);
});
