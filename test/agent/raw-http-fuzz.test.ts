// Below the JSON: raw TCP at both listeners of a real agent process (the admin
// listener and the public waiting-room listener). Request lines, request targets of
// every odd shape a URL parser may reject, headers, and WebSocket upgrades, from
// fast-check. The agent runs without a last-resort handler, so a fault that escapes
// a handler ends its process: the test asserts it is still alive and still serving
// after every batch, that no answer is a 5xx, and that nothing changed state.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextLine, NODE, ROOT, tmpDir, waitFor } from '../helpers';
import { spawnAgentChild, type AgentChild } from './fixtures/spawn-agent';

/** Cases per listener in the test suite; `npm run soak` raises it through FUZZ_RAW_RUNS. */
const RUNS = Number(process.env.FUZZ_RAW_RUNS ?? 600);

let agent: AgentChild;
let child: ChildProcess;
let ports: { admin: number; sessions: number; token: string };
const stderr = () => agent.stderr();

async function startChild(env: Record<string, string> = {}): Promise<{ proc: ChildProcess; ports: typeof ports }> {
  const a = await spawnAgentChild(tmpDir(), env);
  return { proc: a.proc, ports: a };
}

beforeAll(async () => {
  agent = await spawnAgentChild(tmpDir());
  child = agent.proc;
  ports = agent;
});
afterAll(() => {
  child?.kill('SIGKILL');
});

/** Writes raw bytes, returns the status code of the first answer (null: closed without one) once the server answers or closes. */
export function rawExchange(port: number, bytes: Buffer | string, waitMs = 1500): Promise<{ status: number | null; text: string }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(t);
      s.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, text });
    };
    // A deadline, not a wait: an upgrade that succeeded stays open, and a server may say nothing.
    const t = setTimeout(finish, waitMs);
    s.on('connect', () => s.write(bytes));
    s.on('data', (d) => {
      text += d.toString('latin1');
      // One full head is enough to judge.
      if (text.includes('\r\n\r\n')) finish();
    });
    s.on('error', finish);
    s.on('close', finish);
  });
}

const alive = () => child.exitCode === null && child.signalCode === null;

async function healthy(): Promise<boolean> {
  const a = await fetch(`http://127.0.0.1:${ports.admin}/api/v1/health`).then(
    (r) => r.status,
    () => 0,
  );
  const b = await fetch(`http://127.0.0.1:${ports.sessions}/api/v1/sessions/nobody`).then(
    (r) => r.status,
    () => 0,
  );
  return a === 200 && b === 404;
}

// Targets a URL parser may choke on: protocol-relative, empty authority, bad
// percent-escapes, backslashes, absolute-form with odd hosts, asterisk-form, unicode.
const ODD_TARGETS = [
  '//',
  '///',
  '//a',
  '//a/b',
  '//@',
  '//:0',
  '//[',
  '//[::1',
  '/%',
  '/%z',
  '/%zz',
  '/%00',
  '/%ff%fe',
  '/..',
  '/../..',
  '/./',
  '/\\',
  '/\\\\x',
  '*',
  '',
  '?',
  '#',
  '?a=%',
  'a',
  'http:',
  'http:/',
  'http://',
  'http:///',
  'http://[',
  'http://[::1',
  'http://a:99999/',
  'http://%zz/',
  'HTTP://A/B',
  'https://x/',
  'ftp://x/',
  'javascript:alert(1)',
  '/api/v1/sessions/%2e%2e/socket',
  '/api/v1/sessions//socket',
  '/api/v1/sessions/' + 'a'.repeat(70) + '/socket',
  '/api//v1/health',
  '/wait/%',
  '/assets/..%2f..%2fpackage.json',
  '/api/v1/events?x=%',
  '/' + 'é'.repeat(10),
  '/\u2028',
  '/' + 'x'.repeat(8000),
  '//api/v1/events',
  '/api/v1/commands/host.info?%',
  '/api/v1/admission/sessions/%zz/move',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PRI', 'FOO', 'get', 'G ET', ''];
const PATHS = ['/api/v1/health', '/api/v1/sessions', '/api/v1/sessions/abc', '/api/v1/sessions/abc/socket', '/api/v1/events', '/wait', '/', '/api/v1/commands/host.info', '/api/v1/admission'];

const target = fc.oneof(
  fc.constantFrom(...ODD_TARGETS),
  fc.constantFrom(...PATHS),
  fc.tuple(fc.constantFrom(...PATHS, ...ODD_TARGETS), fc.string({ maxLength: 20 })).map(([a, b]) => a + b),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => '/' + s),
  fc.webUrl().map((u) => u),
);
const headerValue = fc.oneof(
  fc.constantFrom(
    '127.0.0.1',
    'localhost',
    '',
    ' ',
    '[::1',
    '[',
    ':',
    'a'.repeat(300),
    'websocket',
    'Upgrade',
    '13',
    '-1',
    '0',
    '99999999999999999999',
    'chunked',
    'null',
    'streamcap.v1',
    'streamcap-token.x',
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const header = fc.tuple(
  fc.constantFrom(
    'Host',
    'Origin',
    'Upgrade',
    'Connection',
    'Sec-WebSocket-Key',
    'Sec-WebSocket-Version',
    'Sec-WebSocket-Protocol',
    'Content-Length',
    'Transfer-Encoding',
    'Content-Type',
    'Authorization',
    'X-' + 'y'.repeat(50),
  ),
  headerValue,
);
/** A WebSocket upgrade, valid but for the pieces fast-check bends. */
const upgradeHeaders = fc.record({
  key: fc.oneof(fc.constant('dGhlIHNhbXBsZSBub25jZQ=='), headerValue),
  version: fc.oneof(fc.constant('13'), headerValue),
  protocol: fc.option(headerValue, { nil: undefined }),
  origin: fc.option(fc.oneof(fc.constantFrom('http://127.0.0.1', 'null', 'http://evil.example', '%', 'http://['), headerValue), { nil: undefined }),
});

const request = fc.oneof(
  // A well-formed line with odd targets and odd headers.
  fc
    .record({
      method: fc.constantFrom(...METHODS),
      target,
      version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0', 'HTTP/1.1 ', 'http/1.1', 'HTTP/9'),
      host: fc.boolean(),
      headers: fc.array(header, { maxLength: 5 }),
      body: fc.string({ maxLength: 80 }),
    })
    .map(({ method, target: t, version, host, headers, body }) => `${method} ${t} ${version}\r\n${host ? 'Host: 127.0.0.1\r\n' : ''}${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`),
  // WebSocket upgrades at odd targets with odd handshakes.
  fc
    .record({ target, up: upgradeHeaders })
    .map(
      ({ target: t, up }) =>
        `GET ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${up.key}\r\nSec-WebSocket-Version: ${up.version}\r\n` +
        `${up.protocol !== undefined ? `Sec-WebSocket-Protocol: ${up.protocol}\r\n` : ''}${up.origin !== undefined ? `Origin: ${up.origin}\r\n` : ''}\r\n`,
    ),
  // Garbage bytes, and a valid head cut anywhere.
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
  fc
    .tuple(fc.constantFrom('GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 20\r\n\r\n{"name":"a"}'), fc.nat())
    .map(([s, n]) => s.slice(0, n % (s.length + 1))),
);

describe.each([
  ['public waiting-room listener', () => ports.sessions],
  ['admin listener', () => ports.admin],
])('raw HTTP at the %s', (_name, port) => {
  it(`survives ${RUNS} malformed requests and upgrades: no crash, no 5xx, still serving`, async () => {
    const cases = fc.sample(request, { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261201) });
    // Every odd target at least once, plain and as an upgrade, whatever the sample drew.
    for (const t of ODD_TARGETS) {
      cases.push(`GET ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      cases.push(`GET ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    }
    const fives: string[] = [];
    const BATCH = 50;
    for (let i = 0; i < cases.length; i += BATCH) {
      const batch = cases.slice(i, i + BATCH);
      const answers = await Promise.all(batch.map((c) => rawExchange(port(), Buffer.from(c, 'latin1'), 400)));
      answers.forEach((a, k) => {
        if (a.status !== null && a.status >= 500) fives.push(`${a.status} for ${JSON.stringify(batch[k]!.slice(0, 120))}`);
      });
      if (!alive()) throw new Error(`the agent died on one of: ${batch.map((c) => JSON.stringify(c.slice(0, 120))).join('\n')}\n${stderr().slice(-2000)}`);
    }
    expect(fives).toEqual([]);
    expect(alive()).toBe(true);
    expect(await healthy()).toBe(true);
    expect(stderr()).not.toMatch(/failed|uncaught|unhandled/i);
  });
});

describe('state after the fuzz', () => {
  it('no token-less request changed the profiles or the line', async () => {
    const auth = { authorization: `Bearer ${ports.token}`, 'content-type': 'application/json' };
    const snap = (await (await fetch(`http://127.0.0.1:${ports.admin}/api/v1/admission`, { headers: auth })).json()) as { data: { queue: unknown[]; seats: unknown[] } };
    const profiles = (await (await fetch(`http://127.0.0.1:${ports.admin}/api/v1/commands/profiles.list`, { method: 'POST', headers: auth, body: '{}' })).json()) as { data: { id: string }[] };
    // Only the built-in demo profile: nothing was saved, and nobody joined the line.
    expect(profiles.data.map((p) => p.id)).toEqual(['demo']);
    expect(snap.data.queue).toEqual([]);
  });
});

describe('the public listener under idle sockets', () => {
  it('holds 500 idle sockets, still loads for a new visitor, and closes the idle ones within the timeout', async () => {
    const { proc, ports: p } = await startChild({ REAP_MS: '2000', CONN_CAP: '1000' });
    try {
      const sockets: net.Socket[] = [];
      const closedAt: number[] = [];
      let allClosed!: () => void;
      const closed = new Promise<void>((r) => (allClosed = r));
      const t0 = Date.now();
      await Promise.all(
        Array.from(
          { length: 500 },
          (_, i) =>
            new Promise<void>((resolve) => {
              const s = net.connect(p.sessions, '127.0.0.1', () => {
                // Half send nothing, half drip a head that never ends.
                if (i % 2) s.write('GET /wait HTTP/1.1\r\nHost: 127.0.0.1\r\n');
                resolve();
              });
              s.on('error', () => resolve());
              s.on('close', () => closedAt.push(Date.now() - t0) === 500 && allClosed());
              sockets.push(s);
            }),
        ),
      );
      const r = await fetch(`http://127.0.0.1:${p.sessions}/api/v1/sessions/nobody`);
      expect(r.status).toBe(404);
      // headersTimeout 2 s, checked every 500 ms: all gone well within 2 s + slack.
      await Promise.race([closed, new Promise((res) => setTimeout(res, 6000).unref())]); // the last close, or a 6 s deadline
      expect(closedAt.length).toBe(500);
      expect(Math.max(...closedAt)).toBeLessThan(5000);
      for (const s of sockets) s.destroy();
    } finally {
      proc.kill('SIGKILL');
    }
  });

  it('caps connections per address', async () => {
    const { proc, ports: p } = await startChild({ CONN_CAP: '20' });
    try {
      const sockets = await Promise.all(
        Array.from(
          { length: 20 },
          () =>
            new Promise<net.Socket>((resolve) => {
              const s = net.connect(p.sessions, '127.0.0.1', () => resolve(s));
            }),
        ),
      );
      // No wait needed: the listener accepts connections in the order they were made,
      // so the server has counted the 20 before it sees this one.
      const extra = await rawExchange(p.sessions, 'GET /api/v1/sessions/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 1000);
      expect(extra.status).toBeNull(); // closed at once, unanswered
      sockets[0]!.destroy();
      // The server counts the closed one out when it reads its end (no event tells this side):
      // ask again, for up to 3 s, until a new connection is served.
      const ask = () => rawExchange(p.sessions, 'GET /api/v1/sessions/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', 1000);
      const after = await waitFor(
        async () => {
          const r = await ask();
          return r.status !== null ? r : null;
        },
        'a connection served after one of the 20 closed',
        3000,
        20,
      ).catch(() => ask());
      expect(after.status).toBe(404);
      for (const s of sockets) s.destroy();
    } finally {
      proc.kill('SIGKILL');
    }
  });
});

describe('the last resort', () => {
  it('logs an uncaught exception and an unhandled rejection, and keeps serving', async () => {
    const proc = spawn(NODE, ['--import', 'tsx', path.join(ROOT, 'test/agent/fixtures/last-resort-child.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    try {
      const port = (JSON.parse(await nextLine(proc, (l) => l.startsWith('{'), 'the fixture to print its port')) as { port: number }).port;
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('still here');
      expect(err).toMatch(/uncaught exception \(logged; still serving\).*boom from a timer/s);
      expect(err).toMatch(/unhandled rejection \(logged; still serving\).*boom from a promise/s);
      expect(proc.exitCode).toBeNull();
    } finally {
      proc.kill('SIGKILL');
    }
  });
});
