// The people's side of admission (the wire: shared/wire/sessions.ts), for the streaming
// front-end pages and the waiting room: no admin token (end users call it),
// rate-limited per address, small bodies. Mounted in the agent (same origin as the
// console) and, when a LAN address is configured, on a listener of its own that
// serves nothing else.
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from '../../shared/contract';
import {
  SESSION_BODY_LIMIT,
  SESSION_MESSAGE_LIMIT,
  SESSION_ROUTE,
  SessionClientMessageSchema,
  SESSIONS_PATH,
  sessionPath,
  SOCKETS_PER_SESSION,
  WAIT_PATH,
  type SessionServerMessage,
} from '../../shared/wire/sessions';
import type { Core } from '../core/core';
import {
  BAD_TARGET,
  capConnectionsPerAddress,
  guardRequest,
  guardUpgrade,
  HTTP_STATUS,
  idleSocketTimeout,
  listen,
  readJsonBody,
  rejectUpgrade,
  requestUrl,
  sendJson,
  serverOptions,
  toApiError,
  type ReapOptions,
} from './http';

/** Socket heartbeat: a ping frame this often (or a third of a shorter heartbeat timeout); the browser's pong (or any message) keeps the place. */
const PING_MS = 10_000;

export interface RateLimit {
  /** Requests per second each address may make, on average. */
  perSec: number;
  /** Requests an address may make at once. */
  burst: number;
}
export const DEFAULT_RATE_LIMIT: RateLimit = { perSec: 20, burst: 100 };
/** Places in line one address may hold at once (a venue behind one NAT is many people; a script is one). */
export const DEFAULT_SESSIONS_PER_ADDRESS = 50;

/** A token bucket per remote address. Buckets idle long enough to be full are dropped. */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly limit: RateLimit) {}

  /** 0 when allowed, else the seconds to wait. */
  take(key: string, now = Date.now()): number {
    const b = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSec);
    b.at = now;
    if (this.buckets.size > 10_000) this.prune(now);
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.limit.perSec);
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * this.limit.perSec >= this.limit.burst) this.buckets.delete(k);
  }
}

export interface SessionRoutesOptions {
  core: Core;
  staticDir: string | null;
  rateLimit?: RateLimit;
  /** Places in line one address may hold at once. */
  sessionsPerAddress?: number;
  /**
   * A request from a fleet front door placing people here (it sends this agent's admin
   * token): it speaks for many people at many addresses, so it is held to neither the
   * per-address cap nor the rate limit. Only the admin listener passes this; the public
   * listener never trusts a token.
   */
  isFrontDoor?: (req: IncomingMessage) => boolean;
  /** Answer cross-origin calls (the public listener: streaming front-ends live on other origins). */
  cors: boolean;
}

export interface SessionRoutes {
  /** Handles the request if it is one of the client routes; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Takes a WebSocket upgrade if it is a session socket; false otherwise. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean;
  close(): void;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
};

export const WAIT_PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export function createSessionRoutes(opts: SessionRoutesOptions): SessionRoutes {
  const { core } = opts;
  const limiter = new RateLimiter(opts.rateLimit ?? DEFAULT_RATE_LIMIT);
  const wss = new WebSocketServer({ noServer: true, maxPayload: SESSION_MESSAGE_LIMIT });
  const extra = opts.cors ? CORS : {};

  const limited = (req: IncomingMessage): ApiError | null => {
    if (opts.isFrontDoor?.(req)) return null;
    const wait = limiter.take(req.socket.remoteAddress ?? '?');
    return wait ? new ApiError('rate_limited', `Too many requests from this address: wait ${wait} s and try again.`) : null;
  };

  const waitPage = (res: ServerResponse): void => {
    const file = opts.staticDir ? path.join(opts.staticDir, 'wait.html') : null;
    if (!file || !fs.existsSync(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The waiting room page is not built. Run "npm run build" and start StreamCap again.\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', ...WAIT_PAGE_HEADERS });
    res.end(fs.readFileSync(file));
  };

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname === '/wait/') {
      // The page loads ./assets/…: it must sit at /wait, not /wait/.
      res.writeHead(301, { location: WAIT_PATH + url.search });
      res.end();
      return true;
    }
    if (url.pathname === WAIT_PATH) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      waitPage(res);
      return true;
    }
    const m = SESSION_ROUTE.exec(url.pathname);
    if (!m && !url.pathname.startsWith(SESSIONS_PATH)) return false;
    try {
      if (req.method === 'OPTIONS' && opts.cors) {
        res.writeHead(204, CORS);
        res.end();
        return true;
      }
      const tooMany = limited(req);
      if (tooMany) {
        sendJson(res, 429, tooMany.toJSON(), { ...extra, 'retry-after': String(/\d+/.exec(tooMany.message)?.[0] ?? 1) });
        return true;
      }
      if (!m || m[2]) throw new ApiError('not_found', `No route ${req.method} ${url.pathname.slice(0, 200)}.`);
      const id = m[1];
      if (!id) {
        if (req.method !== 'POST') return methodNotAllowed(res, 'POST', url);
        if (!/^application\/json\b/i.test(req.headers['content-type'] ?? 'application/json')) {
          throw new ApiError('invalid_payload', 'Content-Type must be application/json.');
        }
        const body = await readJsonBody(req, SESSION_BODY_LIMIT);
        const view = await core.run(
          'sessions.join',
          opts.isFrontDoor?.(req) ? { person: body } : { person: body, owner: req.socket.remoteAddress ?? '?', maxPerOwner: opts.sessionsPerAddress ?? DEFAULT_SESSIONS_PER_ADDRESS },
        );
        sendJson(res, 201, view, { ...extra, location: sessionPath(view.id) });
        return true;
      }
      if (req.method === 'GET' || req.method === 'HEAD') {
        sendJson(res, 200, await core.run('sessions.get', { id }), extra);
        return true;
      }
      if (req.method === 'DELETE') {
        sendJson(res, 200, await core.run('sessions.leave', { id }), extra);
        return true;
      }
      return methodNotAllowed(res, 'GET, DELETE', url);
    } catch (e) {
      const err = toApiError(e);
      const close: Record<string, string> = err.code === 'too_large' ? { connection: 'close' } : {};
      if (!res.headersSent) sendJson(res, HTTP_STATUS[err.code], err.toJSON(), { ...extra, ...close });
      else res.end();
      return true;
    }
  }

  function methodNotAllowed(res: ServerResponse, allow: string, url: URL): true {
    sendJson(res, 405, new ApiError('invalid_payload', `Use ${allow} for ${url.pathname}.`).toJSON(), { ...extra, allow });
    return true;
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
    const m = SESSION_ROUTE.exec(url.pathname);
    if (!m || !m[1] || !m[2]) return false;
    const reject = (status: number, message: string) => rejectUpgrade(socket, status, message);
    if (limited(req)) {
      reject(429, 'Too many requests from this address: wait a few seconds.');
      return true;
    }
    const id = m[1];
    void core.run('sessions.heartbeat', { id }).then(
      ({ alive }) => {
        if (!alive) return reject(404, 'Session not known: it ended. Join again.');
        if (socket.destroyed) return;
        wss.handleUpgrade(req, socket, head, (ws) => attach(ws, id));
      },
      (e: unknown) => reject(HTTP_STATUS[toApiError(e).code], toApiError(e).message),
    );
    return true;
  }

  /** Open sockets by session id. */
  const bySession = new Map<string, WebSocket[]>();

  // One heartbeat for every socket: a ping frame often enough for the timeout in
  // force (the admin may shorten it); the browser's pong keeps the place.
  let timeoutSec = 30;
  void core.run('admission.get', {}).then(
    (s) => (timeoutSec = s.config.heartbeatTimeoutSec),
    () => undefined,
  );
  const offConfig = core.subscribe((e) => {
    if (e.type === 'admission') timeoutSec = e.data.config.heartbeatTimeoutSec;
  });
  const heartbeat = (id: string) => void core.run('sessions.heartbeat', { id }).catch(() => undefined);
  let lastPing = Date.now();
  const pinger = setInterval(() => {
    const every = Math.min(PING_MS, (timeoutSec * 1000) / 3);
    if (Date.now() - lastPing < every) return;
    lastPing = Date.now();
    for (const list of bySession.values()) for (const ws of list) if (ws.readyState === ws.OPEN) ws.ping();
  }, 500);
  pinger.unref();

  function attach(ws: WebSocket, id: string): void {
    const mine = [...(bySession.get(id) ?? []), ws];
    bySession.set(id, mine);
    // A session's oldest sockets beyond the limit are closed: the newest page wins.
    while (mine.length > SOCKETS_PER_SESSION) mine.shift()!.close(1008, 'opened elsewhere');
    const send = (msg: SessionServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    let unwatch: (() => void) | null = null;
    const cleanup = () => {
      const left = (bySession.get(id) ?? []).filter((w) => w !== ws);
      if (left.length) bySession.set(id, left);
      else bySession.delete(id);
      unwatch?.();
      unwatch = null;
    };
    try {
      unwatch = core.watchSession(id, (notice) => {
        send(notice);
        if (notice.type === 'ended') {
          unwatch = null;
          ws.close(1000, notice.reason);
        }
      });
    } catch (e) {
      send({ type: 'error', error: toApiError(e).toJSON().error });
      ws.close(1008, 'session ended');
      cleanup();
      return;
    }
    ws.on('pong', () => heartbeat(id));
    ws.on('message', (raw, isBinary) => {
      heartbeat(id);
      let msg: unknown;
      try {
        msg = JSON.parse(isBinary ? '' : raw.toString());
      } catch {
        return send({ type: 'error', error: { code: 'invalid_payload', message: 'Message is not valid JSON. Send {"type":"ping"} or {"type":"leave"}.' } });
      }
      const parsed = SessionClientMessageSchema.safeParse(msg);
      if (!parsed.success) return send({ type: 'error', error: { code: 'invalid_payload', message: 'Unknown message. Send {"type":"ping"} or {"type":"leave"}.' } });
      if (parsed.data.type === 'ping') return send({ type: 'pong' });
      void core.run('sessions.leave', { id }).catch(() => undefined /* already gone */);
    });
    ws.on('close', cleanup);
    ws.on('error', cleanup);
  }

  return {
    handle,
    upgrade,
    close: () => {
      clearInterval(pinger);
      offConfig();
      for (const list of bySession.values()) for (const ws of list) ws.terminate();
      wss.close();
    },
  };
}

const ASSET_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/** The public listener's timeouts: a head within 10 s, a request within 30 s, an idle socket closed after 15 s. */
export const PUBLIC_REAP: ReapOptions = { headersMs: 10_000, requestMs: 30_000, idleMs: 15_000 };
export const DEFAULT_CONNECTIONS_PER_ADDRESS = 256;

export interface SessionServer {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

/**
 * The public listener: only the client API and the waiting room, for end users on
 * the LAN. The admin API stays on the agent's (loopback by default) address.
 */
export async function startSessionServer(opts: {
  core: Core;
  host: string;
  port: number;
  staticDir: string | null;
  rateLimit?: RateLimit;
  sessionsPerAddress?: number;
  /** Open connections one address may hold (a NAT'd venue: many people, a few sockets each). */
  connectionsPerAddress?: number;
  reap?: ReapOptions;
}): Promise<SessionServer> {
  const routes = createSessionRoutes({ core: opts.core, staticDir: opts.staticDir, rateLimit: opts.rateLimit, sessionsPerAddress: opts.sessionsPerAddress, cors: true });
  const assets = opts.staticDir ? path.join(opts.staticDir, 'assets') : null;
  const reap = opts.reap ?? PUBLIC_REAP;
  const server = http.createServer(
    serverOptions(reap),
    guardRequest(async (req, res) => {
      const url = requestUrl(req);
      if (!url) return sendJson(res, 400, new ApiError('invalid_payload', BAD_TARGET).toJSON(), { connection: 'close' });
      if (await routes.handle(req, res, url)) return;
      if (url.pathname === '/') {
        res.writeHead(302, { location: WAIT_PATH });
        res.end();
        return;
      }
      // The waiting page's own scripts and styles.
      const a = /^\/assets\/([A-Za-z0-9._-]{1,200})$/.exec(url.pathname);
      if (a && assets && (req.method === 'GET' || req.method === 'HEAD')) {
        const file = path.join(assets, a[1]!);
        if (fs.existsSync(file)) {
          const type = ASSET_TYPES[path.extname(file)] ?? 'application/octet-stream';
          res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable', ...WAIT_PAGE_HEADERS });
          res.end(fs.readFileSync(file));
          return;
        }
      }
      sendJson(res, 404, new ApiError('not_found', 'Not found. The waiting room is at /wait.').toJSON());
    }),
  );
  // The LAN faces this listener: reap sockets that sit idle or drip their head, and
  // keep one address from holding every socket.
  idleSocketTimeout(server, reap.idleMs);
  capConnectionsPerAddress(server, opts.connectionsPerAddress ?? DEFAULT_CONNECTIONS_PER_ADDRESS);
  server.on(
    'upgrade',
    guardUpgrade((req, socket, head) => {
      const url = requestUrl(req);
      if (!url) return rejectUpgrade(socket, 400, BAD_TARGET);
      if (!routes.upgrade(req, socket, head, url)) rejectUpgrade(socket, 404, 'No such WebSocket endpoint.');
    }),
  );
  await listen(server, opts.host, opts.port, '--sessions-port');
  const port = (server.address() as AddressInfo).port;
  const shown = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    host: opts.host,
    close: async () => {
      routes.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
