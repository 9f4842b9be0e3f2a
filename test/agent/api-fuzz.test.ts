// Property-based fuzzing of every door onto the core, in a real agent process that
// has no last-resort handler (a fault that escapes a handler ends it): every admin
// command over HTTP (and the REST aliases) and over the admin WebSocket, the public
// sessions API and its socket. Payloads come from the contract's zod schemas and
// from mutations of them (wrong types, huge numbers, deep nesting, unicode, extra
// and prototype keys, bodies that are not JSON). Asserted for every case: the agent
// is alive, no answer is a 5xx (or an "internal" error on a socket), and a refused
// request changed nothing (profiles, instances, probe, orphans, the line, settings).
// Time-bounded: FUZZ_API_MS per interface (6 s by default; `npm run soak` runs more).
import type { ChildProcess } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { JoinSchema } from '../../shared/wire/sessions';
import { commandInputs } from '../../shared/contract';
import { fromZod, harmless, mutate, oddValue, rawBody } from '../fuzz/arbitraries';
import { NODE, tmpDir, waitFor } from '../helpers';
import { spawnAgentChild, type AgentChild } from './fixtures/spawn-agent';

const BUDGET_MS = Number(process.env.FUZZ_API_MS ?? 6000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const NAMES = Object.keys(commandInputs) as (keyof typeof commandInputs)[];

let child: ChildProcess;
let ports: { admin: number; sessions: number; token: string };
let agent: AgentChild;
const stderr = () => agent.stderr();
const alive = () => child.exitCode === null && child.signalCode === null;
const tally: Record<string, { cases: number; accepted: number; refused: number }> = {};

beforeAll(async () => {
  agent = await spawnAgentChild(tmpDir('sc-fuzz-'), { SESSIONS_PER_ADDRESS: '100000' });
  child = agent.proc;
  ports = agent;
});
afterAll(() => {
  child?.kill('SIGKILL');
  console.log(
    `API fuzz cases: ${Object.entries(tally)
      .map(([k, t]) => `${k} ${t.cases} (${t.accepted} accepted, ${t.refused} refused)`)
      .join('; ')}`,
  );
});

async function http(port: number, method: string, route: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const r = await fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    headers: { authorization: `Bearer ${ports.token}`, 'content-type': 'application/json', ...headers },
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
  });
  const text = await r.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: the status says enough */
  }
  return { status: r.status, json };
}
const command = async (name: string, payload: unknown = {}) => (await http(ports.admin, 'POST', `/api/v1/commands/${name}`, JSON.stringify(payload))).json?.data;

/** Everything a refused request must leave as it was. */
async function fingerprint(): Promise<string> {
  const [profiles, admission, instances, probe, history, orphans] = await Promise.all(
    ['profiles.list', 'admission.get', 'instances.list', 'probe.status', 'probe.history', 'orphans.list'].map((n) => command(n)),
  );
  return JSON.stringify({
    profiles,
    config: admission.config,
    seats: admission.seats,
    queue: admission.queue,
    queueTotal: admission.queueTotal,
    simulating: admission.simulation.running,
    instances: (instances as { id: string; state: string }[]).map((i) => [i.id, i.state]),
    probe: probe?.run?.state ?? null,
    history: (history as { id: string }[]).map((h) => h.id),
    orphans,
  });
}

/** After an accepted command: nothing left running that would change the state between cases. */
async function settle(): Promise<void> {
  await command('probe.cancel');
  await command('instances.stopAll');
  await command('instances.clearExited');
  await command('admission.simulate', { running: false });
  // A shorter heartbeat timeout would let the people in line time out between cases.
  await http(ports.admin, 'PUT', '/api/v1/admission', JSON.stringify({ heartbeatTimeoutSec: 3600 }));
}

/** The state once it stops moving (a cancelled probe's run reaches the history a moment after the answer). */
async function steady(): Promise<string> {
  let last = await fingerprint();
  for (const end = Date.now() + 5000; Date.now() < end;) {
    // Bounded polling, not a wait for an event: "nothing moves any more" is two equal
    // readings 150 ms apart (no event says that nothing more will change).
    await new Promise((r) => setTimeout(r, 150));
    const now = await fingerprint();
    if (now === last) return now;
    last = now;
  }
  throw new Error(`the state kept changing after an accepted command: ${last.slice(0, 500)}`);
}

/** Real ids, so the fuzz reaches past "not found": a saved profile, a probe run, people in line. */
const known = { profile: 'fz-exits', probe: 'none', sessions: [] as string[] };
/** With some payloads, the id fields name a real thing (replaced at send time). */
function withKnownIds(name: string, payload: unknown, pick: number): unknown {
  if (pick % 3 !== 0 || !payload || typeof payload !== 'object' || Array.isArray(payload)) return payload;
  const p = { ...(payload as Record<string, unknown>) };
  for (const k of ['id', 'profileId', 'compareId']) if (k in p) p[k] = `@known:${name}:${k}`;
  return p;
}
function knownId(marker: string, n: number): string {
  const [, name, key] = marker.split(':');
  if (key === 'profileId' || name === 'profiles.delete') return known.profile;
  if (name!.startsWith('probe.')) return known.probe;
  if (name!.startsWith('admission.') || name!.startsWith('sessions.')) return known.sessions[n % Math.max(1, known.sessions.length)] ?? 'nobody';
  return 'nothing';
}
let pickSeq = 0;
const resolveKnown = (body: string) => body.replace(/@known:[a-z.]+:[A-Za-z]+/gi, (m) => knownId(m, pickSeq++));

interface Outcome {
  accepted: boolean;
  fault: string | null;
}

/** Runs sampled cases until the time budget is spent; checks the agent and the state after each. */
async function fuzz<C>(label: string, arb: fc.Arbitrary<C>, send: (c: C) => Promise<Outcome>, describeCase: (c: C) => string): Promise<void> {
  const t = (tally[label] = { cases: 0, accepted: 0, refused: 0 });
  const faults: string[] = [];
  const changed: string[] = [];
  let baseline = await fingerprint();
  const end = Date.now() + BUDGET_MS;
  for (let round = 0; Date.now() < end; round++) {
    for (const c of fc.sample(arb, { numRuns: 25, seed: SEED + round })) {
      const o = await send(c).catch((e: Error) => ({ accepted: false, fault: `no answer: ${e.message}` }));
      t.cases++;
      if (!alive()) throw new Error(`the agent died on ${describeCase(c)}\n${stderr().slice(-3000)}`);
      if (o.fault) faults.push(`${o.fault} for ${describeCase(c)}`);
      if (o.accepted) {
        t.accepted++;
        await settle();
        baseline = await steady();
      } else {
        t.refused++;
        const now = await fingerprint();
        if (now !== baseline) {
          const a = JSON.parse(baseline) as Record<string, unknown>;
          const b = JSON.parse(now) as Record<string, unknown>;
          const what = Object.keys(b).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
          changed.push(`${describeCase(c)} changed ${what.map((k) => `${k}: ${JSON.stringify(a[k]).slice(0, 300)} → ${JSON.stringify(b[k]).slice(0, 300)}`).join(', ')}`);
          baseline = now;
        }
      }
    }
  }
  expect(faults.slice(0, 10)).toEqual([]);
  expect(changed.slice(0, 10)).toEqual([]);
  expect(t.cases).toBeGreaterThan(20);
  expect(alive()).toBe(true);
  expect(stderr()).not.toMatch(/uncaught|unhandled/i);
}

const short = (s: string) => JSON.stringify(s.length > 300 ? s.slice(0, 300) + '…' : s);

describe('admin commands over HTTP', () => {
  type Case = { method: string; route: string; body: string; ctype?: string };
  const payloadOf = (name: string) => fc.tuple(mutate(fromZod(commandInputs[name as keyof typeof commandInputs])), fc.nat()).map(([p, k]) => withKnownIds(name, harmless(name, p), k));

  beforeAll(async () => {
    // A profile, a probe run of it in the history, people in line.
    // A program that ends at once: a probe of it is over in seconds (its first instance exits).
    await command('profiles.save', { id: known.profile, name: 'Ends at once', exe: NODE, args: ['-e', 'process.exit(3)'], staggerSec: 2 });
    await http(ports.admin, 'PUT', '/api/v1/admission', JSON.stringify({ seatsFrom: 'manual', seats: 1, heartbeatTimeoutSec: 3600 }));
    for (let k = 0; k < 4; k++) known.sessions.push((await http(ports.sessions, 'POST', '/api/v1/sessions', JSON.stringify({ name: `Line ${k}`, want: 'any' }))).json.id);
    const started = await http(ports.admin, 'POST', '/api/v1/commands/probe.start', JSON.stringify({ profileId: known.profile, warmupSec: 0, settleSec: 0.5 }));
    expect(started.status).toBe(200);
    // The agent runs in another process: its history is asked, up to 20 s.
    await waitFor(async () => (await command('probe.history')).length > 0, 'the probe run in the history', 20_000, 100);
    await settle();
    known.probe = (await command('probe.history'))[0]?.id ?? 'none';
    expect(known.probe).not.toBe('none');
  });
  const arb: fc.Arbitrary<Case> = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...NAMES).chain((name) => payloadOf(name).map((p) => ({ method: 'POST', route: `/api/v1/commands/${name}`, body: JSON.stringify(p ?? null) }))) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...NAMES), rawBody).map(([name, body]) => ({ method: 'POST', route: `/api/v1/commands/${name}`, body })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 70 }), fc.constantFrom('POST', 'GET', 'PUT', 'DELETE'))
        .map(([name, method]) => ({ method, route: `/api/v1/commands/${encodeURIComponent(name)}`, body: '{}' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...NAMES), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', ''))
        .map(([name, ctype]) => ({ method: 'POST', route: `/api/v1/commands/${name}`, body: '{}', ctype })),
    },
    // The REST aliases of the admission commands.
    { weight: 2, arbitrary: mutate(fromZod(commandInputs['admission.set'])).map((p) => ({ method: 'PUT', route: '/api/v1/admission', body: JSON.stringify(harmless('PUT /admission', p) ?? null) })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.constant('@known:admission.kick:id')),
          fc.constantFrom('', '/promote', '/move'),
          fc.constantFrom('DELETE', 'POST', 'GET'),
          mutate(fromZod(commandInputs['admission.move'])),
        )
        .map(([id, tail, method, p]) => ({ method, route: `/api/v1/admission/sessions/${id}${tail}`, body: JSON.stringify(p ?? null) })),
    },
    { weight: 1, arbitrary: mutate(fromZod(commandInputs['admission.simulate'])).map((p) => ({ method: 'POST', route: '/api/v1/admission/simulate', body: JSON.stringify(p ?? null) })) },
  );

  it(
    `every command, ${BUDGET_MS / 1000} s of schema-drawn and mutated payloads: no crash, no 5xx, nothing changed by a refusal`,
    async () => {
      await fuzz(
        'admin HTTP',
        arb,
        async (c) => {
          const r = await http(ports.admin, c.method, resolveKnown(c.route), resolveKnown(c.body), c.ctype !== undefined ? { 'content-type': c.ctype } : {});
          return { accepted: r.status < 300, fault: r.status >= 500 ? `${r.status} ${JSON.stringify(r.json).slice(0, 200)}` : null };
        },
        (c) => `${c.method} ${c.route} ${short(c.body)}`,
      );
    },
    BUDGET_MS + 60_000,
  );
});

/** A socket whose replies are read one at a time (events pushed meanwhile are skipped). */
function openSocket(url: string, protocols: string[]): Promise<{ ws: WebSocket; next: (filter: (m: any) => boolean, ms?: number) => Promise<any> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { maxPayload: 64 << 20 });
    const inbox: any[] = [];
    let waiter: (() => void) | null = null;
    ws.on('message', (raw) => {
      try {
        inbox.push(JSON.parse(String(raw)));
      } catch {
        inbox.push({ type: 'unparseable', raw: String(raw).slice(0, 200) });
      }
      waiter?.();
    });
    ws.on('close', (code) => {
      inbox.push({ type: 'closed', code });
      waiter?.();
    });
    const next = (filter: (m: any) => boolean, ms = 5000) =>
      new Promise<any>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`no reply within ${ms} ms`)), ms); // a deadline
        const look = () => {
          for (;;) {
            const m = inbox.shift();
            if (m === undefined) return;
            if (m.type === 'closed' || filter(m)) {
              clearTimeout(t);
              waiter = null;
              res(m);
              return;
            }
          }
        };
        waiter = look;
        look();
      });
    ws.once('open', () => resolve({ ws, next }));
    ws.once('error', reject);
  });
}

describe('admin commands over the WebSocket', () => {
  type Frame = { data: string | Buffer };
  let seq = 1_000_000;
  const invoke = fc
    .constantFrom(...NAMES)
    .chain((name) => fc.tuple(mutate(fromZod(commandInputs[name])), fc.nat()).map(([p, k]) => ({ type: 'invoke', id: 0, name, payload: withKnownIds(name, harmless(name, p), k) })));
  const arb: fc.Arbitrary<Frame> = fc.oneof(
    { weight: 6, arbitrary: invoke.map((m) => ({ data: JSON.stringify(m) })) },
    // The envelope itself bent: wrong id, name or type, extra keys, not an object.
    { weight: 3, arbitrary: mutate(invoke).map((m) => ({ data: JSON.stringify(m ?? null) })) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 100 }), oddValue).map(([name, payload]) => ({ data: JSON.stringify({ type: 'invoke', id: 7, name, payload }) })) },
    { weight: 2, arbitrary: rawBody.map((s) => ({ data: s })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => ({ data: Buffer.from(b) })) },
  );

  it(
    `every command, ${BUDGET_MS / 1000} s of frames: no crash, no internal error, nothing changed by a refusal, one reply per frame`,
    async () => {
      const url = `ws://127.0.0.1:${ports.admin}/api/v1/events`;
      let sock = await openSocket(url, ['streamcap.v1', `streamcap-token.${ports.token}`]);
      await fuzz(
        'admin WebSocket',
        arb,
        async (f) => {
          // Unique ids, so a reply is matched to its frame.
          const data = typeof f.data === 'string' ? resolveKnown(f.data.replace(/"id":0,/, `"id":${seq++},`)) : f.data;
          if (sock.ws.readyState !== WebSocket.OPEN) sock = await openSocket(url, ['streamcap.v1', `streamcap-token.${ports.token}`]);
          sock.ws.send(data, { binary: Buffer.isBuffer(data) });
          const reply = await sock.next((m) => m.type === 'result' || m.type === 'error' || m.type === 'pong');
          if (reply.type === 'closed') {
            // Only a frame over the 64 KiB cap closes the socket (1009).
            const size = Buffer.byteLength(data);
            return { accepted: false, fault: reply.code === 1009 && size > 64 * 1024 ? null : `socket closed (${reply.code}) on a ${size}-byte frame` };
          }
          const error = reply.type === 'error' ? reply.error : reply.ok === false ? reply.error : null;
          return { accepted: reply.type === 'pong' || reply.ok === true, fault: error && ['internal', 'disk_full', 'unavailable'].includes(error.code) ? `${error.code}: ${error.message}` : null };
        },
        (f) => short(typeof f.data === 'string' ? f.data : `binary ${f.data.toString('hex').slice(0, 100)}`),
      );
      sock.ws.terminate();
    },
    BUDGET_MS + 60_000,
  );
});

describe('the public sessions API', () => {
  const joined: string[] = [];
  beforeAll(async () => {
    // A line that stays put between cases: nobody times out, nothing is simulated. The admin
    // fuzz before may have left any setting it accepted, draining (joins answered 503) included.
    await http(
      ports.admin,
      'PUT',
      '/api/v1/admission',
      JSON.stringify({ seatsFrom: 'manual', seats: 2, spectatorsPerInstance: 1, policy: 'open', paused: false, draining: false, heartbeatTimeoutSec: 3600, uplinkMbps: 1000, bitrateMbps: 8 }),
    );
    for (let k = 0; k < 5; k++) {
      const r = await http(ports.sessions, 'POST', '/api/v1/sessions', JSON.stringify({ name: `Seed ${k}`, want: 'any' }));
      joined.push(r.json.id);
    }
  });

  type Case = { method: string; route: string; body?: string; ctype?: string };
  const id = fc.oneof(
    fc.constantFrom('nobody', 'a'.repeat(64), 'a'.repeat(65), '..', '%2e%2e', '%00', '_-_', ''),
    fc.string({ maxLength: 80 }).map(encodeURIComponent),
    fc.nat().map((k) => `@${k}`), // replaced by a real session id at send time
  );
  const arb: fc.Arbitrary<Case> = fc.oneof(
    { weight: 5, arbitrary: mutate(fromZod(JoinSchema)).map((p) => ({ method: 'POST', route: '/api/v1/sessions', body: JSON.stringify(p ?? null) })) },
    { weight: 2, arbitrary: rawBody.map((body) => ({ method: 'POST', route: '/api/v1/sessions', body })) },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'multipart/form-data', '').map((ctype) => ({ method: 'POST', route: '/api/v1/sessions', body: '{"name":"A","want":"any"}', ctype })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(id, fc.constantFrom('GET', 'DELETE', 'POST', 'PUT', 'OPTIONS', 'PATCH'), fc.constantFrom('', '/', '/socket', '/x'))
        .map(([i, method, tail]) => ({ method, route: `/api/v1/sessions/${i}${tail}`, body: method === 'GET' ? undefined : '{}' })),
    },
  );

  it(
    `${BUDGET_MS / 1000} s of joins, reads and leaves, valid and not: no crash, no 5xx, the line unchanged by a refusal`,
    async () => {
      await fuzz(
        'sessions HTTP',
        arb,
        async (c) => {
          const route = c.route.replace(/@(\d+)/, (_, k) => joined[Number(k) % joined.length] ?? 'gone');
          // No token on the public side.
          const r = await fetch(`http://127.0.0.1:${ports.sessions}${route}`, {
            method: c.method,
            headers: { 'content-type': c.ctype ?? 'application/json' },
            body: c.method === 'GET' ? undefined : c.body,
          });
          const json = (await r.json().catch(() => null)) as { id?: string } | null;
          if (r.status === 201 && json?.id) joined.push(json.id);
          // A read counts as a heartbeat (a change of lastSeen only): accepted, not a refusal.
          return { accepted: r.status < 300, fault: r.status >= 500 ? `${r.status} ${JSON.stringify(json).slice(0, 200)}` : null };
        },
        (c) => `${c.method} ${c.route} ${short(c.body ?? '')}`,
      );
    },
    BUDGET_MS + 60_000,
  );

  it(
    `${BUDGET_MS / 1000} s of frames on a session's socket: no crash, an error reply for each bad frame, the line unchanged`,
    async () => {
      const join = async () => (await http(ports.sessions, 'POST', '/api/v1/sessions', JSON.stringify({ name: 'Socket fuzz', want: 'any' }))).json.id as string;
      const connect = async (sid: string) => {
        const s = await openSocket(`ws://127.0.0.1:${ports.sessions}/api/v1/sessions/${sid}/socket`, []);
        await s.next((m) => m.type === 'session');
        return s;
      };
      let sid = await join();
      let sock = await connect(sid);
      const arb = fc.oneof(
        { weight: 5, arbitrary: mutate(fc.constantFrom<unknown>({ type: 'ping' }, { type: 'ping' }, { type: 'leave' })).map((m) => JSON.stringify(m ?? null) as string | Buffer) },
        { weight: 2, arbitrary: rawBody.map((s) => s as string | Buffer) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b) as string | Buffer) },
      );
      await fuzz(
        'sessions socket',
        arb,
        async (data) => {
          // A socket closed for a frame over the cap: the session is still there, reconnect.
          if (sock.ws.readyState !== WebSocket.OPEN) sock = await connect(sid);
          sock.ws.send(data, { binary: Buffer.isBuffer(data) });
          const reply = await sock.next((m) => m.type === 'pong' || m.type === 'error' || m.type === 'ended');
          if (reply.type === 'ended' || reply.type === 'closed') {
            const size = Buffer.byteLength(data);
            const left = reply.type === 'ended' && reply.reason === 'left';
            if (left) {
              // Part of this accepted case: someone new joins for the next frames.
              sid = await join();
              sock = await connect(sid);
            }
            // A leave ends the session (accepted); only a frame over the 1 KiB cap may close the socket otherwise.
            return { accepted: left, fault: left || (reply.type === 'closed' && reply.code === 1009 && size > 1024) ? null : `socket ended (${JSON.stringify(reply)}) on ${short(String(data))}` };
          }
          return { accepted: reply.type === 'pong', fault: reply.type === 'error' && reply.error?.code !== 'invalid_payload' ? JSON.stringify(reply.error) : null };
        },
        (d) => short(typeof d === 'string' ? d : `binary ${d.toString('hex').slice(0, 100)}`),
      );
      sock.ws.terminate();
    },
    BUDGET_MS + 60_000,
  );
});
