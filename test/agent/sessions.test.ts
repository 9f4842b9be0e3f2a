// Session admission over real sockets: 200 WebSocket clients joining, leaving and
// vanishing against a running agent, with the rules' invariants checked at every
// step; malformed and oversized requests rejected while the service keeps serving;
// the rate limit; the admin REST API; the public listener that serves nothing else.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAgent, type Agent } from '../../electron/server/api';
import { startSessionServer, type SessionServer } from '../../electron/server/sessions';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { checkInvariants, usage, type AdmissionSnapshot, type QueuePage, type AdmissionState, type SessionView, type Want } from '../../shared/admission-rules';
import { everyoneIn, tmpDir, waitFor, withWholeQueue } from '../helpers';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
let core: Core;
let agent: Agent;
let base: string;
const stepProblems: string[] = [];
let steps = 0;
let maxStreamsSeen = 0;
let dataDir: string;

beforeAll(async () => {
  dataDir = tmpDir();
  core = await Core.create({
    dataDir,
    gpu: new NoGpuSource('test'),
    sampleIntervalMs: 1000,
    admission: {
      sweepMs: 100,
      snapshotThrottleMs: 20,
      wilbur: false,
      onStep: (st: AdmissionState) => {
        steps++;
        const p = checkInvariants(st);
        if (p.length && stepProblems.length < 20) stepProblems.push(...p);
        maxStreamsSeen = Math.max(maxStreamsSeen, usage(st).streams);
      },
    },
  });
  agent = await startAgent({ core, port: 0, token: TOKEN, staticDir: null, sessionRateLimit: { perSec: 100_000, burst: 100_000 }, sessionsPerAddress: 1000 });
  base = `http://127.0.0.1:${agent.port}`;
});
afterAll(async () => {
  await agent.close();
  await core.shutdown();
});

const admin = async (method: string, p: string, body?: unknown) => {
  const r = await fetch(`${base}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { data?: any; error?: { code: string; message: string; issues?: string[] } } };
};
/** The snapshot with its whole line paged in (admission.queue), so the checks see everyone. */
const snapshot = async () =>
  withWholeQueue(
    (await admin('GET', '/admission')).body.data as AdmissionSnapshot,
    async (offset, limit) => (await admin('POST', '/commands/admission.queue', { offset, limit })).body.data as QueuePage,
  );
const kickEveryone = async () => {
  for (const id of everyoneIn(await snapshot())) await admin('DELETE', `/admission/sessions/${id}`);
};

async function joinHttp(body: unknown, url = base): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(`${url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, body: await r.json(), headers: r.headers };
}

interface Client {
  i: number;
  want: Want;
  id: string;
  ws: WebSocket;
  views: SessionView[];
  ended: string | null;
  open: Promise<void>;
}

function connect(id: string, url = base): { ws: WebSocket; views: SessionView[]; ended: { reason: string | null }; open: Promise<void>; errors: unknown[] } {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/sessions/${id}/socket`);
  const views: SessionView[] = [];
  const ended = { reason: null as string | null };
  const errors: unknown[] = [];
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    if (msg.type === 'session') views.push(msg.session);
    else if (msg.type === 'ended') ended.reason = msg.reason;
    else if (msg.type === 'error') errors.push(msg.error);
  });
  const open = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, views, ended, open, errors };
}

describe('200 WebSocket clients against a running agent', () => {
  it('no seat twice, queue order kept, cap never exceeded, every client ends in a known state', async () => {
    // 20 seats, 2 spectators per instance, 8 Mbps streams on a 400 Mbps uplink: at most 50 streams.
    const put = await admin('PUT', '/admission', {
      seatsFrom: 'manual',
      seats: 20,
      spectatorsPerInstance: 2,
      bitrateMbps: 8,
      uplinkMbps: 400,
      policy: 'capped',
      paused: false,
      // Short only once everyone is connected and pinging (a loaded machine may take seconds to connect 200).
      heartbeatTimeoutSec: 60,
    });
    expect(put.status).toBe(200);
    expect(put.body.data.bandwidth.capStreams).toBe(50);

    const wants: Want[] = ['operate', 'watch', 'any'];
    const clients: (Client & { ended2: { reason: string | null } })[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const want = wants[i % 3]!;
        const r = await joinHttp({ name: `client ${i}`, want });
        expect(r.status).toBe(201);
        const c = connect(r.body.id);
        clients.push({ i, want, id: r.body.id, ws: c.ws, views: c.views, ended: null, open: c.open, ended2: c.ended });
        await c.open;
      }),
    );
    let snap = await snapshot();
    expect(snap.bandwidth.streams).toBe(50);
    expect(snap.queueTotal).toBeGreaterThan(140);

    // Keep the living ones alive with pings while the others go.
    const pinger = setInterval(() => clients.forEach((c) => c.ws.readyState === WebSocket.OPEN && c.ws.send('{"type":"ping"}')), 500);
    try {
      expect((await admin('PUT', '/admission', { heartbeatTimeoutSec: 2 })).status).toBe(200);
      const shuffled = [...clients].sort((a, b) => ((a.i * 7919) % 200) - ((b.i * 7919) % 200));
      const byDelete = shuffled.slice(0, 50);
      const bySocket = shuffled.slice(50, 90);
      const vanish = shuffled.slice(90, 120);
      const stay = shuffled.slice(120);
      // The leaves are spread out in time on purpose (k × 5–9 ms), so they interleave with
      // each other, the heartbeat sweeps and the notices: the schedule is the subject.
      await Promise.all([
        ...byDelete.map(async (c, k) => {
          await new Promise((r) => setTimeout(r, k * 7));
          const r = await fetch(`${base}/api/v1/sessions/${c.id}`, { method: 'DELETE' });
          expect(r.status).toBe(200);
        }),
        ...bySocket.map(async (c, k) => {
          await new Promise((r) => setTimeout(r, k * 9));
          c.ws.send('{"type":"leave"}');
        }),
        ...vanish.map(async (c, k) => {
          await new Promise((r) => setTimeout(r, k * 5));
          c.ws.terminate(); // no goodbye: the heartbeat timeout must free the place
        }),
      ]);
      // The vanished are gone after the 2 s heartbeat timeout.
      await waitFor(async () => (await snapshot()).stats.timedOut >= 30, 'the vanished clients to time out', 10_000);
      snap = await snapshot();
      expect(snap.stats.timedOut).toBe(30);
      expect(snap.stats.left).toBe(90);

      // Every leaver is gone for good.
      for (const c of [...byDelete, ...bySocket, ...vanish]) {
        expect((await fetch(`${base}/api/v1/sessions/${c.id}`)).status).toBe(404);
      }
      for (const c of bySocket) await waitFor(() => c.ended2.reason === 'left', 'the socket to say ended', 3000);

      // Every one who stayed: the server's view, their socket's last message and the panel agree.
      // Wait (not sleep) until each socket's latest notice is in: the one matching the server's view.
      const views = async () => Promise.all(stay.map(async (c) => ({ c, now: (await (await fetch(`${base}/api/v1/sessions/${c.id}`)).json()) as SessionView })));
      await waitFor(
        async () => (await views()).every(({ c, now }) => c.views.at(-1)?.role === now.role && c.views.at(-1)?.instance === now.instance && c.views.at(-1)?.position === now.position),
        'every staying socket to have the notice of its current place',
        5000,
      );
      snap = await snapshot();
      const placed = new Map<string, string>();
      for (const seat of snap.seats) {
        if (seat.operator) placed.set(seat.operator.id, 'operator');
        for (const s of seat.spectators) placed.set(s.id, 'spectator');
      }
      const queued = new Map(snap.queue.map((q) => [q.id, q.position]));
      for (const c of stay) {
        const r = await fetch(`${base}/api/v1/sessions/${c.id}`);
        expect(r.status).toBe(200);
        const now = (await r.json()) as SessionView;
        const last = c.views.at(-1)!;
        expect({ role: last.role, instance: last.instance, position: last.position }).toEqual({ role: now.role, instance: now.instance, position: now.position });
        if (now.role === 'queued') expect(queued.get(c.id)).toBe(now.position);
        else expect(placed.get(c.id)).toBe(now.role);
        // Queue order kept: a waiting client's position only ever went down.
        const positions = c.views.map((v) => v.position).filter((p): p is number => p !== null);
        for (let k = 1; k < positions.length; k++) expect(positions[k]!).toBeLessThanOrEqual(positions[k - 1]!);
      }
      expect(placed.size + [...queued.keys()].filter((id) => !placed.has(id)).length).toBe(80);
      expect(snap.bandwidth.streams).toBe(50);
    } finally {
      clearInterval(pinger);
    }
    expect(stepProblems).toEqual([]);
    expect(maxStreamsSeen).toBeLessThanOrEqual(50);
    expect(steps).toBeGreaterThan(200);

    // Everyone else leaves: nothing is left behind.
    await Promise.all(clients.filter((c) => c.ws.readyState === WebSocket.OPEN).map((c) => fetch(`${base}/api/v1/sessions/${c.id}`, { method: 'DELETE' })));
    snap = await snapshot();
    expect(snap.queue).toEqual([]);
    expect(snap.bandwidth.streams).toBe(0);
    clients.forEach((c) => c.ws.terminate());
  }, 60_000);
});

describe('the client API rejects bad input clearly and keeps serving', () => {
  beforeAll(async () => {
    await admin('PUT', '/admission', { seatsFrom: 'manual', seats: 1, spectatorsPerInstance: 0, policy: 'capped', uplinkMbps: 1000, heartbeatTimeoutSec: 30 });
  });

  it.each([
    ['not JSON', '{"name": ', 400, /not valid JSON/],
    ['empty name', { name: '  ', want: 'operate' }, 400, /name is required/],
    ['unknown want', { name: 'x', want: 'drive' }, 400, /want/],
    ['extra field', { name: 'x', want: 'watch', admin: true }, 400, /admin/],
    ['a name of 65 characters', { name: 'x'.repeat(65), want: 'watch' }, 400, /at most 64/],
    ['an array', '[1,2]', 400, /Invalid request/],
    ['5 KB body', { name: 'x', want: 'watch', pad: 'y'.repeat(5000) }, 413, /too large/],
  ])('%s → %i with a message', async (_label, body, status, message) => {
    const r = await joinHttp(body);
    expect(r.status).toBe(status);
    expect(r.body.error.message).toMatch(message);
    const ok = await joinHttp({ name: 'after', want: 'watch' });
    expect(ok.status).toBe(201);
    await fetch(`${base}/api/v1/sessions/${ok.body.id}`, { method: 'DELETE' });
  });

  it('wrong content type, wrong method, unknown session: clear errors', async () => {
    const ct = await fetch(`${base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(ct.status).toBe(400);
    expect(((await ct.json()) as any).error.message).toMatch(/Content-Type/);
    const get = await fetch(`${base}/api/v1/sessions`);
    expect(get.status).toBe(405);
    const unknown = await fetch(`${base}/api/v1/sessions/doesnotexist`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.message).toMatch(/Join again/);
    expect((await fetch(`${base}/api/v1/sessions/doesnotexist`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/sessions/../../commands/host.info`)).status).not.toBe(200);
  });

  it('a socket for an unknown session is refused; a malformed message gets an error frame, an oversized one closes that socket only', async () => {
    const bad = new WebSocket(`${base.replace('http', 'ws')}/api/v1/sessions/nosuchsession/socket`);
    const status = await new Promise<number>((resolve) => bad.on('unexpected-response', (_req, res) => resolve(res.statusCode!)));
    expect(status).toBe(404);

    const r = await joinHttp({ name: 'sock', want: 'operate' });
    const c = connect(r.body.id);
    await c.open;
    c.ws.send('not json');
    c.ws.send('{"type":"dance"}');
    await waitFor(() => c.errors.length === 2, 'two error frames', 3000);
    expect(JSON.stringify(c.errors)).toMatch(/not valid JSON.*Unknown message/);
    const pong = new Promise((resolve) => c.ws.on('message', (m) => JSON.parse(m.toString()).type === 'pong' && resolve(true)));
    c.ws.send('{"type":"ping"}');
    expect(await pong).toBe(true);
    const closed = new Promise<number>((resolve) => c.ws.on('close', (code) => resolve(code)));
    c.ws.send('x'.repeat(4096));
    expect(await closed).toBe(1009);
    // The session itself survives a broken socket (until its heartbeat times out).
    expect((await fetch(`${base}/api/v1/sessions/${r.body.id}`)).status).toBe(200);
    expect((await joinHttp({ name: 'still serving', want: 'watch' })).status).toBe(201);
  });

  it('an open socket alone keeps the place: the server pings within a short heartbeat timeout', async () => {
    await admin('PUT', '/admission', { heartbeatTimeoutSec: 2 });
    try {
      const r = await joinHttp({ name: 'socket only', want: 'watch' });
      const c = connect(r.body.id); // answers ping frames, sends nothing itself
      await c.open;
      // Proving a negative: well past the 2 s heartbeat timeout (the server's sweep runs
      // every 100 ms), the place is kept by the socket's pongs alone.
      await new Promise((res) => setTimeout(res, 3500));
      expect((await fetch(`${base}/api/v1/sessions/${r.body.id}`)).status).toBe(200);
      c.ws.terminate();
    } finally {
      await admin('PUT', '/admission', { heartbeatTimeoutSec: 30 });
    }
  });

  it('a chunked body over the limit gets a 413, not a reset connection', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: agent.port, path: '/api/v1/sessions', method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      for (let k = 0; k < 10; k++) req.write('x'.repeat(1000));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('a page that reconnects is told of a change back to what it saw before it went away', async () => {
    const r = await joinHttp({ name: 'reconnects', want: 'operate' });
    const first = connect(r.body.id);
    await first.open;
    await waitFor(() => first.views.length > 0, 'the first view', 3000);
    first.ws.terminate();
    await admin('PUT', '/admission', { paused: true });
    const second = connect(r.body.id);
    await second.open;
    await waitFor(() => second.views.at(-1)?.paused === true, 'the paused view', 3000);
    await admin('PUT', '/admission', { paused: false });
    await waitFor(() => second.views.at(-1)?.paused === false, 'the resumed view', 3000);
    second.ws.terminate();
    await fetch(`${base}/api/v1/sessions/${r.body.id}`, { method: 'DELETE' });
  });

  it('settings changed at the same time are both kept', async () => {
    await Promise.all([admin('PUT', '/admission', { uplinkMbps: 555 }), admin('PUT', '/admission', { spectatorsPerInstance: 3 })]);
    const cfg = (await snapshot()).config;
    expect([cfg.uplinkMbps, cfg.spectatorsPerInstance]).toEqual([555, 3]);
    await admin('PUT', '/admission', { uplinkMbps: 1000, spectatorsPerInstance: 0 });
  });

  it('a session keeps at most 4 sockets: the oldest is closed', async () => {
    const r = await joinHttp({ name: 'many tabs', want: 'watch' });
    const socks: ReturnType<typeof connect>[] = [];
    for (let k = 0; k < 5; k++) {
      const c = connect(r.body.id);
      await c.open;
      socks.push(c);
    }
    await waitFor(() => socks[0]!.ws.readyState === WebSocket.CLOSED, 'the oldest socket to close', 3000);
    expect(socks.slice(1).every((c) => c.ws.readyState === WebSocket.OPEN)).toBe(true);
    socks.forEach((c) => c.ws.terminate());
    await fetch(`${base}/api/v1/sessions/${r.body.id}`, { method: 'DELETE' });
  });

  it('the socket tells a person at once when they get the seat', async () => {
    await admin('PUT', '/admission', { seats: 1 });
    await kickEveryone();
    const a = await joinHttp({ name: 'A', want: 'operate' });
    const b = await joinHttp({ name: 'B', want: 'operate' });
    expect([a.body.role, b.body.role, b.body.position]).toEqual(['operator', 'queued', 1]);
    const cb = connect(b.body.id);
    await cb.open;
    await fetch(`${base}/api/v1/sessions/${a.body.id}`, { method: 'DELETE' });
    await waitFor(() => cb.views.at(-1)?.role === 'operator', 'B to be told', 3000);
    expect(cb.views.at(-1)).toMatchObject({ role: 'operator', instance: 1, position: null });
    cb.ws.terminate();
  });
});

describe('admin REST API of admission', () => {
  it('needs the token; validates; kicks, promotes and moves', async () => {
    expect((await fetch(`${base}/api/v1/admission`)).status).toBe(401);
    const bad = await admin('PUT', '/admission', { policy: 'everyone', bitrateMbps: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.issues!.join()).toMatch(/policy/);
    expect(bad.body.error!.issues!.join()).toMatch(/bitrateMbps/);
    const badLink = await admin('PUT', '/admission', { linkTemplate: 'http://x:{port}/' });
    expect(badLink.status).toBe(400);

    await admin('PUT', '/admission', { seatsFrom: 'manual', seats: 1, spectatorsPerInstance: 0, paused: true, linkTemplate: 'http://render-01:{8080+i}/' });
    await kickEveryone();
    const ids: string[] = [];
    for (const name of ['P', 'Q', 'R']) ids.push((await joinHttp({ name, want: 'operate' })).body.id);
    expect((await snapshot()).queue.map((q) => q.name)).toEqual(['P', 'Q', 'R']);
    const moved = await admin('POST', `/admission/sessions/${ids[2]}/move`, { position: 1 });
    expect(moved.body.data.position).toBe(1);
    expect((await snapshot()).queue.map((q) => q.name)).toEqual(['R', 'P', 'Q']);
    // Paused: promote lets Q in anyway.
    const promoted = await admin('POST', `/admission/sessions/${ids[1]}/promote`);
    expect(promoted.body.data).toMatchObject({ role: 'operator', instance: 1, link: 'http://render-01:8080/' });
    const kicked = await admin('DELETE', `/admission/sessions/${ids[0]}`);
    expect(kicked.body.data).toEqual({ kicked: ids[0] });
    const gone = await fetch(`${base}/api/v1/sessions/${ids[0]}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as any).error).toMatchObject({ code: 'not_found', ended: 'kicked', message: expect.stringMatching(/removed by the host/) });
    const notWaiting = await admin('POST', `/admission/sessions/${ids[1]}/move`, { position: 1 });
    expect(notWaiting.status).toBe(409);
    await admin('PUT', '/admission', { paused: false });
  });

  it('settings are saved atomically and read back by the next start', async () => {
    await admin('PUT', '/admission', { uplinkMbps: 321 });
    const saved = JSON.parse(fs.readFileSync(path.join(dataDir, 'admission.json'), 'utf8'));
    expect(saved.uplinkMbps).toBe(321);
    const other = await Core.create({ dataDir, gpu: new NoGpuSource('test'), autoStart: false, admission: { wilbur: false } });
    expect((await other.run('admission.get', {})).config.uplinkMbps).toBe(321);
    await other.shutdown();
  });

  it('a damaged settings file falls back to the backup, then to defaults, and says so', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'admission.json'), '{"uplinkMbps": 1');
    const c = await Core.create({ dataDir: dir, gpu: new NoGpuSource('test'), autoStart: false, admission: { wilbur: false } });
    expect(c.settingsProblems).toEqual([expect.stringMatching(/damaged/)]);
    expect((await c.run('admission.get', {})).config.uplinkMbps).toBe(1000);
    await c.shutdown();
  });
});

describe('rate limit and the public listener', () => {
  let limited: Agent;
  let capped: Agent;
  let pub: SessionServer;
  beforeAll(async () => {
    limited = await startAgent({ core, port: 0, token: TOKEN, staticDir: null, sessionRateLimit: { perSec: 0.5, burst: 3 } });
    capped = await startAgent({ core, port: 0, token: TOKEN, staticDir: null, sessionsPerAddress: 2 });
    pub = await startSessionServer({ core, host: '127.0.0.1', port: 0, staticDir: null });
  });
  afterAll(async () => {
    await limited.close();
    await capped.close();
    await pub.close();
  });

  it('too many requests from one address → 429 with Retry-After, then served again', async () => {
    const url = `http://127.0.0.1:${limited.port}/api/v1/sessions/none`;
    const codes = [];
    for (let k = 0; k < 4; k++) codes.push((await fetch(url)).status);
    expect(codes).toEqual([404, 404, 404, 429]);
    const r = await fetch(url);
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await r.json()) as any).error.message).toMatch(/Too many requests/);
    // The admin API is not limited by it.
    expect((await fetch(`http://127.0.0.1:${limited.port}/api/v1/commands/host.info`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('one address holds a bounded number of places in line; leaving one frees room', async () => {
    const url = `http://127.0.0.1:${capped.port}`;
    // The limit counts this address's places in the whole core: clear the earlier tests' people.
    await kickEveryone();
    const a = await joinHttp({ name: 'a', want: 'watch' }, url);
    const b = await joinHttp({ name: 'b', want: 'watch' }, url);
    const c = await joinHttp({ name: 'c', want: 'watch' }, url);
    expect([a.status, b.status, c.status]).toEqual([201, 201, 429]);
    expect(c.body.error.message).toMatch(/already holds 2 places/);
    await fetch(`${url}/api/v1/sessions/${a.body.id}`, { method: 'DELETE' });
    const d = await joinHttp({ name: 'd', want: 'watch' }, url);
    expect(d.status).toBe(201);
    for (const id of [b.body.id, d.body.id]) await fetch(`${url}/api/v1/sessions/${id}`, { method: 'DELETE' });
  });

  it('serves the client API with CORS, and no admin API at all', async () => {
    const pre = await fetch(`${pub.url}api/v1/sessions`, { method: 'OPTIONS', headers: { origin: 'http://frontend.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    const j = await joinHttp({ name: 'lan user', want: 'watch' }, pub.url.replace(/\/$/, ''));
    expect(j.status).toBe(201);
    expect(j.headers.get('access-control-allow-origin')).toBe('*');
    const cmd = await fetch(`${pub.url}api/v1/commands/host.info`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(cmd.status).toBe(404);
    expect((await fetch(`${pub.url}api/v1/admission`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    expect((await fetch(`${pub.url}`, { redirect: 'manual' })).headers.get('location')).toBe('/wait');
    const wait = await fetch(`${pub.url}wait`);
    expect([200, 503]).toContain(wait.status);
    await fetch(`${pub.url}api/v1/sessions/${j.body.id}`, { method: 'DELETE' });
  });

  it('a port in use is a clear error', async () => {
    await expect(startSessionServer({ core, host: '127.0.0.1', port: pub.port, staticDir: null })).rejects.toThrow(/already in use/);
  });
});
