// Wilbur (Pixel Streaming signalling server) REST API: parsers on bodies in the shapes
// the server's source produces (test/fixtures/wilbur/SOURCES.md), then readWilbur and
// WilburPoller against a real node:http server on a free port.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { combineWilbur, parseWilburPlayers, parseWilburStatus, parseWilburStreamers, type WilburStatus } from '../../shared/wire/wilbur';
import { normalizeWilburUrl, readWilbur, WilburPoller } from '../../electron/core/wilbur-poller';
import { fakeTime } from '../fake-time';
import { firstOf, nextEmitted, ROOT, waitFor } from '../helpers';

const FIX = path.join(ROOT, 'test/fixtures/wilbur');
const raw = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');
const json = (name: string): unknown => JSON.parse(raw(name));

/** What the fixture set (status.json, streamers.json, players.json) says. */
const FIXTURE_COUNTS = {
  streamerCount: 3,
  playerCount: 4,
  version: '2.1.3',
  streamers: [
    { id: 'DefaultStreamer', streaming: true, players: 2 },
    { id: 'DefaultStreamer1', streaming: true, players: 1 },
    { id: 'UnknownStreamer', streaming: false, players: 0 },
  ],
};

describe('Wilbur parsers (fixtures in the source shapes)', () => {
  it('reads /api/status', () => {
    const r = parseWilburStatus(json('status.json'));
    expect(r).toEqual({ ok: true, value: { uptime: 5025113, streamer_count: 3, player_count: 4, version: '2.1.3' } });
  });

  it('reads /api/streamers with their subscribers', () => {
    const r = parseWilburStreamers(json('streamers.json'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map((s) => [s.id, s.type, s.streaming, s.subscribers?.map((p) => p.id)])).toEqual([
      ['DefaultStreamer', 'Streamer', true, ['Player0', 'Player1']],
      ['DefaultStreamer1', 'Streamer', true, ['Player2']],
      ['UnknownStreamer', 'Streamer', false, []],
    ]);
  });

  it('reads /api/players, an unsubscribed player having no subscribedTo', () => {
    const r = parseWilburPlayers(json('players.json'));
    expect(r).toEqual({
      ok: true,
      value: [
        { id: 'Player0', type: 'Player', subscribedTo: 'DefaultStreamer' },
        { id: 'Player1', type: 'Player', subscribedTo: 'DefaultStreamer' },
        { id: 'Player2', type: 'Player', subscribedTo: 'DefaultStreamer1' },
        { id: 'Player3', type: 'Player', subscribedTo: null },
      ],
    });
  });

  it('combines all three: totals from status, players per streamer from subscribers', () => {
    const s = combineWilbur('http://w:80', 1000, json('status.json'), json('streamers.json'), json('players.json'));
    expect(s).toEqual({
      ok: true,
      url: 'http://w:80',
      fetchedAt: 1000,
      ...FIXTURE_COUNTS,
    });
  });

  it('counts an SFU as a player of the streamer it forwards, its viewers as its own', () => {
    const s = combineWilbur('http://w', 1, json('status-sfu.json'), json('streamers-sfu.json'), json('players-sfu.json'));
    expect(s.ok && s.streamers).toEqual([
      { id: 'DefaultStreamer', streaming: true, players: 1 },
      { id: 'SFU', streaming: true, players: 2 },
    ]);
    expect(s.ok && [s.streamerCount, s.playerCount]).toEqual([2, 3]);
  });

  it('without /api/streamers, takes streamers from the players’ subscribedTo', () => {
    const s = combineWilbur('http://w', 1, json('status.json'), null, json('players.json'));
    expect(s.ok && s.streamers).toEqual([
      { id: 'DefaultStreamer', streaming: null, players: 2 },
      { id: 'DefaultStreamer1', streaming: null, players: 1 },
    ]);
  });

  it('with only /api/status, still gives the totals', () => {
    const s = combineWilbur('http://w', 1, json('status.json'), null, null);
    expect(s).toMatchObject({ ok: true, streamerCount: 3, playerCount: 4, streamers: [] });
  });

  it('a list that is not a list counts as missing', () => {
    const s = combineWilbur('http://w', 1, json('status.json'), { error: 'nope' }, json('players.json'));
    expect(s.ok && s.streamers.map((x) => x.id)).toEqual(['DefaultStreamer', 'DefaultStreamer1']);
  });

  it('tolerates older and other shapes', () => {
    // First Wilbur: no version in status; no remoteAddress on streamers; SFU player with sendOffer.
    const status = { uptime: 10, streamer_count: 1, player_count: 2 };
    const streamers = [{ streamerId: 'S', type: 'Streamer', streaming: true, subscribers: [{ playerId: 'Player0', type: 'SFU', subscribedTo: 'S', sendOffer: true }] }];
    expect(combineWilbur('http://w', 1, status, streamers, null)).toMatchObject({
      ok: true,
      version: null,
      streamers: [{ id: 'S', streaming: true, players: 1 }],
    });
    // What the handlers' OpenAPI docs claim: arrays of ids. Subscriptions then come from nowhere.
    expect(combineWilbur('http://w', 1, status, ['S', 'T'], ['Player0', 'Player1'])).toMatchObject({
      ok: true,
      streamers: [
        { id: 'S', streaming: null, players: 0 },
        { id: 'T', streaming: null, players: 0 },
      ],
    });
    // Streamers without subscribers: counted from players' subscribedTo (or a fork's `streamerId`).
    const players = [{ playerId: 'P0', subscribedTo: 'S' }, { playerId: 'P1', streamerId: 'S' }, { playerId: 'P2' }, 42, null];
    expect(combineWilbur('http://w', 1, status, [{ streamerId: 'S', streaming: 'yes' }], players)).toMatchObject({
      ok: true,
      streamers: [{ id: 'S', streaming: null, players: 2 }],
    });
    // Extra fields pass; entries without an id are skipped.
    expect(parseWilburStreamers([{ streamerId: 'S', future: { a: 1 } }, { type: 'Streamer' }, 7])).toMatchObject({ ok: true, value: [{ id: 'S' }] });
  });

  it('malformed /api/status: ok:false saying what to do', () => {
    for (const bad of [{ hello: 'world' }, { streamer_count: '3', player_count: 4 }, { streamer_count: -1, player_count: 0 }, [], 'x', null]) {
      const s = combineWilbur('http://w:80', 5, bad, json('streamers.json'), json('players.json'));
      expect(s.ok).toBe(false);
      if (s.ok) continue;
      expect(s.url).toBe('http://w:80');
      expect(s.fetchedAt).toBe(5);
      expect(s.reason).toMatch(/^http:\/\/w:80 is not a Pixel Streaming signalling server REST API \(.+\): start Wilbur .*--rest_api/);
    }
  });
});

describe('normalizeWilburUrl', () => {
  it('accepts http(s), trims a trailing slash and /api', () => {
    expect(normalizeWilburUrl(' http://127.0.0.1:8080/ ')).toEqual({ ok: true, url: 'http://127.0.0.1:8080' });
    expect(normalizeWilburUrl('https://ps.example.com/api/')).toEqual({ ok: true, url: 'https://ps.example.com' });
    expect(normalizeWilburUrl('http://host/proxy/wilbur?x=1#y')).toEqual({ ok: true, url: 'http://host/proxy/wilbur' });
  });

  it('refuses what is not an http(s) address', () => {
    for (const bad of ['', 'localhost:80', '127.0.0.1', 'ftp://host', 'ws://host:80', 'file:///etc/passwd']) {
      const r = normalizeWilburUrl(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/is not an http:\/\/ or https:\/\/ address: enter the signalling server's web address/);
    }
  });
});

// ---------------------------------------------------------------------------
// A fake Wilbur: node:http, with per-path handlers a test can swap.
// ---------------------------------------------------------------------------

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const sendJson =
  (body: string): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(body);
  };
const notFound: Handler = (req, res) => {
  // Express's finalhandler page, as Wilbur answers /api/* when started without --rest_api.
  const body = raw('not-found.html').replace('/api/status', req.url ?? '');
  res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'" });
  res.end(body);
};

let handlers: Record<string, Handler> = {};
const hits: Record<string, number> = {};
let inFlight = 0;
let maxInFlight = 0;
let server: http.Server;
let base = '';

// The client side, seen through fetch (which readWilbur calls): reads still under way.
// A read is over once no fetch is pending and the server has nothing in flight.
let fetching = 0;
const settled = () => waitFor(() => fetching === 0 && inFlight === 0, 'the reads in flight to end', 5000, 5);

function serveFixtures(set: '' | '-sfu' = '') {
  handlers = {
    '/api/status': sendJson(raw(`status${set}.json`)),
    '/api/streamers': sendJson(raw(`streamers${set}.json`)),
    '/api/players': sendJson(raw(`players${set}.json`)),
  };
}

beforeAll(async () => {
  const realFetch = globalThis.fetch.bind(globalThis);
  vi.spyOn(globalThis, 'fetch').mockImplementation((...args: Parameters<typeof fetch>) => {
    fetching++;
    const p = realFetch(...args);
    const done = () => void fetching--;
    p.then(done, done);
    return p;
  });
  server = http.createServer((req, res) => {
    const p = req.url ?? '';
    hits[p] = (hits[p] ?? 0) + 1;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    (handlers[p] ?? notFound)(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  vi.restoreAllMocks();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

afterEach(async () => {
  // Drop connections a slow handler left open, so no test waits on another's. A read
  // cut off this way is retried once (a stale kept-alive connection, to readWilbur):
  // let that retry land and end before the counters are reset.
  server.closeAllConnections();
  serveFixtures();
  await settled();
  for (const k of Object.keys(hits)) delete hits[k];
  maxInFlight = 0;
});

describe('readWilbur against a real HTTP server', () => {
  it('reads the three endpoints', async () => {
    serveFixtures();
    const before = Date.now();
    const s = await readWilbur(base + '/');
    expect(s).toMatchObject({
      ok: true,
      url: base,
      ...FIXTURE_COUNTS,
    });
    expect(s.fetchedAt).toBeGreaterThanOrEqual(before);
    expect(hits).toEqual({ '/api/status': 1, '/api/streamers': 1, '/api/players': 1 });
  });

  it('reads the SFU scenario', async () => {
    serveFixtures('-sfu');
    const s = await readWilbur(base);
    expect(s.ok && s.streamers.map((x) => [x.id, x.players])).toEqual([
      ['DefaultStreamer', 1],
      ['SFU', 2],
    ]);
  });

  it('asks the three endpoints in parallel', async () => {
    serveFixtures();
    // A slow server (the delay is the subject): three reads in sequence would take 900 ms.
    const slow =
      (h: Handler): Handler =>
      (req, res) =>
        void setTimeout(() => h(req, res), 300);
    handlers = Object.fromEntries(Object.entries(handlers).map(([k, h]) => [k, slow(h)]));
    const s = await readWilbur(base, 2000);
    expect(s.ok).toBe(true);
    expect(maxInFlight).toBe(3); // all three were open at once
  });

  it('404 on /api/status (no --rest_api): ok:false naming the fix', async () => {
    serveFixtures();
    delete handlers['/api/status'];
    const s = await readWilbur(base);
    expect(s).toMatchObject({ ok: false, url: base });
    expect(!s.ok && s.reason).toBe(
      `${base}/api/status answered 404: start Wilbur (the signalling server) with --serve --rest_api and use its web port (player_port) (the old cirrus.js has no REST API)`,
    );
  });

  it('a web page instead of JSON: ok:false, not Wilbur', async () => {
    handlers = {
      '/api/status': (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><title>Pixel Streaming</title>');
      },
    };
    const s = await readWilbur(base);
    expect(!s.ok && s.reason).toBe(
      `${base}/api/status answered text/html, not JSON: ${base} is not a Pixel Streaming signalling server REST API: start Wilbur (the signalling server) with --serve --rest_api and use its web port (player_port)`,
    );
  });

  it('JSON of another shape: ok:false, not Wilbur', async () => {
    handlers = { '/api/status': sendJson('{"status":"ok","uptime":3}') };
    const s = await readWilbur(base);
    expect(!s.ok && s.reason).toMatch(new RegExp(`^${base.replace(/\./g, '\\.')} is not a Pixel Streaming signalling server REST API \\(.*\\): start Wilbur`));
  });

  it('an HTTP error other than 404', async () => {
    handlers = {
      '/api/status': (_req, res) => {
        res.writeHead(500, 'Internal Server Error');
        res.end('boom');
      },
    };
    const s = await readWilbur(base);
    expect(!s.ok && s.reason).toBe(`${base}/api/status answered HTTP 500 Internal Server Error: look at the signalling server's log`);
  });

  it('an answer slower than the timeout: ok:false, timed out', async () => {
    serveFixtures();
    const status = handlers['/api/status']!;
    // A server that answers after 3 s (the delay is the subject), past the 300 ms timeout.
    handlers['/api/status'] = (req, res) => void setTimeout(() => !res.destroyed && status(req, res), 3000);
    const t0 = Date.now();
    const s = await readWilbur(base, 300);
    const took = Date.now() - t0;
    expect(!s.ok && s.reason).toBe(`No answer from ${base} within 300 ms (timed out): is the signalling server running and reachable?`);
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2000);
  });

  it('a body that stalls past the timeout also times out', async () => {
    handlers = {
      '/api/status': (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"uptime":1,'); // headers and half a body, then nothing
      },
    };
    const s = await readWilbur(base, 300);
    expect(!s.ok && s.reason).toMatch(/within 300 ms \(timed out\)/);
  });

  it('only /api/status working: counts from status', async () => {
    serveFixtures();
    delete handlers['/api/streamers'];
    delete handlers['/api/players'];
    const s = await readWilbur(base);
    expect(s).toMatchObject({ ok: true, streamerCount: 3, playerCount: 4, streamers: [], version: '2.1.3' });
  });

  it('/api/streamers failing, /api/players working: streamers from players', async () => {
    serveFixtures();
    handlers['/api/streamers'] = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('oops');
    };
    const s = await readWilbur(base);
    expect(s.ok && s.streamers).toEqual([
      { id: 'DefaultStreamer', streaming: null, players: 2 },
      { id: 'DefaultStreamer1', streaming: null, players: 1 },
    ]);
  });

  it('retries a kept-alive connection the server has just closed', async () => {
    // Node servers close idle kept-alive connections after 5 s, as often as the poller
    // reads: a request can go out on a connection the server is closing. Here the server
    // drops every connection on its second request, without answering.
    serveFixtures();
    const served = new WeakSet<object>();
    const fixtures = { ...handlers };
    for (const [p, h] of Object.entries(fixtures)) {
      handlers[p] = (req, res) => {
        if (served.has(req.socket)) return void req.socket.destroy();
        served.add(req.socket);
        h(req, res);
      };
    }
    for (let i = 0; i < 4; i++) {
      const s = await readWilbur(base);
      expect(s, `read ${i}`).toMatchObject({ ok: true, playerCount: 4 });
    }
  });

  it('connection refused (a closed port)', async () => {
    const tmp = http.createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    const port = (tmp.address() as AddressInfo).port;
    await new Promise((r) => tmp.close(r));
    const s = await readWilbur(`http://127.0.0.1:${port}`);
    expect(s).toMatchObject({ ok: false, url: `http://127.0.0.1:${port}` });
    expect(!s.ok && s.reason).toBe(`No answer from http://127.0.0.1:${port} (connection refused): is the signalling server running?`);
  });

  it('a URL that is not http(s)', async () => {
    const s = await readWilbur('ftp://127.0.0.1/');
    expect(s).toMatchObject({ ok: false, url: 'ftp://127.0.0.1/' });
    expect(!s.ok && s.reason).toMatch(/not an http:\/\/ or https:\/\/ address/);
  });
});

describe('WilburPoller (a fake clock and timers: polls happen when the test moves time on)', () => {
  let poller: WilburPoller | null = null;
  afterEach(() => {
    poller?.close();
    poller = null;
  });

  /** A poller on fake time whose every read (changed or not) can be awaited. */
  function polling(onStatus: (s: WilburStatus | null) => void, intervalMs: number) {
    const time = fakeTime();
    const readers: (() => void)[] = [];
    const onRead = () => readers.splice(0).forEach((fn) => fn());
    /** The next read's end; ask before the step that starts it. */
    const nextRead = () =>
      firstOf<void>(
        (fn) => (readers.push(() => fn()), () => undefined),
        () => true,
        'a read to end',
        5000,
      );
    poller = new WilburPoller(onStatus, intervalMs, 2000, onRead, time.now, time.timers);
    return { time, poller, nextRead };
  }

  it('reports the first answer, then changes only, and stops on setUrl(null)', async () => {
    serveFixtures();
    const got: (WilburStatus | null)[] = [];
    const { time, poller: p, nextRead } = polling((s) => got.push(s), 40);
    let read = nextRead();
    p.setUrl(base);
    await read;
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ ok: true, playerCount: 4, fetchedAt: time.now() }); // stamped by the injected clock
    /** Moves time on by one interval: the next read starts then, and not before. */
    const nextPoll = async () => {
      time.advance(39);
      expect(fetching).toBe(0); // not due yet
      read = nextRead();
      time.advance(1);
      await read;
    };

    // Three more polls of the same data: no new report.
    for (let k = 0; k < 3; k++) await nextPoll();
    expect(hits['/api/status']).toBe(4);
    expect(got).toHaveLength(1);

    // Player1 leaves.
    handlers['/api/status'] = sendJson('{"uptime":5030000,"streamer_count":3,"player_count":3,"version":"2.1.3"}');
    const streamers = json('streamers.json') as { subscribers: unknown[] }[];
    streamers[0]!.subscribers.splice(1, 1);
    handlers['/api/streamers'] = sendJson(JSON.stringify(streamers));
    await nextPoll();
    expect(got).toHaveLength(2);
    expect(got[1]).toMatchObject({ ok: true, playerCount: 3, streamers: [{ id: 'DefaultStreamer', players: 1 }, { players: 1 }, { players: 0 }] });

    // The server goes away: reported as a change.
    delete handlers['/api/status'];
    await nextPoll();
    expect(got).toHaveLength(3);
    expect(got[2]).toMatchObject({ ok: false, url: base });

    p.setUrl(null);
    expect(got.at(-1)).toBeNull();
    const n = got.length;
    // No poll is left waiting: five intervals pass without a request or a report.
    expect(time.pending()).toBe(0);
    time.advance(200);
    expect(fetching).toBe(0);
    expect(hits['/api/status']).toBe(6);
    expect(got).toHaveLength(n); // nothing reported after null
  });

  it('never has two reads in flight, even with an interval shorter than a read', async () => {
    serveFixtures();
    // The server holds every answer until the test lets it go: a read lasts as long as the test wants.
    const held: (() => void)[] = [];
    handlers = Object.fromEntries(Object.entries(handlers).map(([k, h]) => [k, (req, res) => void held.push(() => h(req, res))]));
    const { time, poller: p, nextRead } = polling(() => {}, 5);
    for (let k = 1; k <= 4; k++) {
      const asked = nextEmitted(server, 'request', (req: http.IncomingMessage) => req.url === '/api/status', `read ${k} to reach the server`, 5000);
      const read = nextRead();
      if (k === 1) p.setUrl(base);
      else time.advance(5);
      await asked;
      await waitFor(() => inFlight === 3, `read ${k}'s three requests`, 5000, 5);
      // A read in flight: no next poll is waiting, however long it takes.
      expect(time.pending()).toBe(0);
      time.advance(1000);
      expect(hits['/api/status']).toBe(k);
      held.splice(0).forEach((go) => go());
      await read;
    }
    expect(maxInFlight).toBe(3); // one read = its three requests
  });

  it('a URL change while a read is in flight drops that read and reads the new URL', async () => {
    serveFixtures();
    const status = handlers['/api/status']!;
    // The first read is held until the URL has changed.
    let release: () => void = () => undefined;
    handlers['/api/status'] = (req, res) => {
      handlers['/api/status'] = status;
      release = () => status(req, res);
    };
    const got: (WilburStatus | null)[] = [];
    const { time, poller: p, nextRead } = polling((s) => got.push(s), 10_000);
    const asked = nextEmitted(server, 'request', (req: http.IncomingMessage) => req.url === '/api/status', 'the first read to reach the server', 5000);
    p.setUrl(base);
    await asked; // the read of `base` is in flight
    const read = nextRead();
    p.setUrl(`${base}/`); // same server, another URL string: a new URL for the poller
    release();
    await read; // the new URL's read (the dropped one never reaches onRead)
    await settled(); // both reads have ended: a report of the dropped one would be in
    expect(got).toHaveLength(1); // only the read of the new URL was reported
    expect(hits['/api/status']).toBe(2);
    expect(time.pending()).toBe(1); // one next poll, of the new URL
  });

  it('close() stops polling without reporting', async () => {
    serveFixtures();
    const got: (WilburStatus | null)[] = [];
    const { time, poller: p, nextRead } = polling((s) => got.push(s), 30);
    const read = nextRead();
    p.setUrl(base);
    await read;
    expect(got).toHaveLength(1);
    p.close();
    expect(time.pending()).toBe(0); // the next poll is cancelled
    p.setUrl(base); // ignored once closed
    expect(fetching).toBe(0); // a read would have called fetch at once
    // Five poll intervals pass without a request or a report.
    time.advance(150);
    expect(fetching).toBe(0);
    expect(hits['/api/status']).toBe(1);
    expect(got).toHaveLength(1);
  });
});
