// The agent: the core served headless over HTTP + WebSocket, with the same React
// UI as the Electron window, for remote render servers (a GUI on the server would
// skew the measurement) and for browser tests.
import fs from 'node:fs';
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, type AppEvent } from '../../shared/contract';
import { AgentClientMessageSchema, API_PREFIX, EVENTS_PATH, WS_PROTOCOL, type AgentServerMessage } from '../../shared/wire/agent';
import type { Core } from '../core/core';
import { createMetrics } from '../core/metrics';
import { allowedHostnames, checkHostAndOrigin, requestToken, tokenMatches } from './security';
import { BAD_TARGET, guardRequest, guardUpgrade, HTTP_STATUS, listen, readJsonBody, rejectUpgrade, requestUrl, sendJson, serverOptions, toApiError } from './http';
import { createSessionRoutes, type RateLimit } from './sessions';
import { createFleetProxy } from './fleet-proxy';
import { FLEET_PROXY_PREFIX } from '../../shared/wire/fleet';

export const MAX_BODY_BYTES = 1 << 20;
/** A client this far behind on the socket misses samples rather than growing our memory. */
const MAX_BUFFERED_BYTES = 4 << 20;

export interface AgentOptions {
  core: Core;
  host?: string;
  port?: number;
  token: string;
  /** The read-only token of GET /metrics (the admin token is accepted there too); none: admin token only. */
  metricsToken?: string;
  staticDir: string | null;
  /** Per-address limit of the client (sessions) API. */
  sessionRateLimit?: RateLimit;
  /** Places in line one address may hold at once. */
  sessionsPerAddress?: number;
}

export interface Agent {
  url: string;
  /** The URL to open in a browser: it carries the token once, the page then drops it from the address bar. */
  browserUrl: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

const sendError = (res: ServerResponse, e: unknown): void => {
  const err = toApiError(e);
  sendJson(res, HTTP_STATUS[err.code], err.toJSON());
};

/** The admin API's REST aliases of admission commands: method + path → command and payload. */
function admissionRoute(method: string, pathname: string, body: () => Promise<unknown>): Promise<[string, unknown]> | null {
  if (pathname === `${API_PREFIX}/admission`) {
    if (method === 'GET') return Promise.resolve(['admission.get', {}]);
    if (method === 'PUT') return body().then((b) => ['admission.set', b]);
    return null;
  }
  if (pathname === `${API_PREFIX}/admission/simulate` && method === 'POST') return body().then((b) => ['admission.simulate', b]);
  const m = /^\/api\/v1\/admission\/sessions\/([A-Za-z0-9_-]{1,64})(?:\/(promote|move))?$/.exec(pathname);
  if (!m) return null;
  const id = m[1]!;
  if (!m[2] && method === 'DELETE') return Promise.resolve(['admission.kick', { id }]);
  if (m[2] === 'promote' && method === 'POST') return Promise.resolve(['admission.promote', { id }]);
  if (m[2] === 'move' && method === 'POST') return body().then((b) => ['admission.move', { ...(b as object), id }]);
  return null;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export async function startAgent(opts: AgentOptions): Promise<Agent> {
  const { core, token } = opts;
  const host = opts.host ?? '127.0.0.1';
  let port = opts.port ?? 0;
  let allowed = allowedHostnames(host);
  const statics =
    opts.staticDir && fs.existsSync(opts.staticDir)
      ? sirv(opts.staticDir, { single: true, dev: false, etag: true, setHeaders: (res) => Object.entries(SECURITY_HEADERS).forEach(([k, v]) => res.setHeader(k, v)) })
      : null;

  const version = core.hostInfo().version;
  const metrics = createMetrics(core.metricsSource());
  const sessions = createSessionRoutes({
    core,
    staticDir: opts.staticDir,
    rateLimit: opts.sessionRateLimit,
    sessionsPerAddress: opts.sessionsPerAddress,
    cors: false,
    isFrontDoor: (req) => tokenMatches(requestToken(req), token),
  });
  const fleetProxy = createFleetProxy(core);

  const server = http.createServer(
    serverOptions({ headersMs: 10_000, requestMs: 30_000, idleMs: 5_000 }),
    guardRequest(async (req, res) => {
      try {
        const problem = checkHostAndOrigin(req, allowed, port);
        if (problem) throw new ApiError('forbidden', problem);
        const url = requestUrl(req);
        if (!url) throw new ApiError('invalid_payload', BAD_TARGET);
        if (url.pathname === `${API_PREFIX}/health`) return sendJson(res, 200, { ok: true, version });
        if (url.pathname === '/metrics') {
          const given = requestToken(req);
          if (!tokenMatches(given, token) && !(opts.metricsToken && tokenMatches(given, opts.metricsToken))) {
            res.setHeader('www-authenticate', 'Bearer realm="streamcap"');
            throw new ApiError(
              'unauthorized',
              'Missing or wrong token: send "Authorization: Bearer <token>" with the metrics token (metrics-token in the data folder; "streamcap agent" prints it) or the admin token.',
            );
          }
          if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.setHeader('allow', 'GET, HEAD');
            return sendJson(res, 405, new ApiError('invalid_payload', 'Use GET for /metrics.').toJSON());
          }
          const text = await metrics.text();
          res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
          return res.end(req.method === 'HEAD' ? undefined : text);
        }
        // The people's side (waiting room, sessions): no admin token.
        if (await sessions.handle(req, res, url)) return;
        if (url.pathname.startsWith(API_PREFIX + '/')) {
          if (!tokenMatches(requestToken(req), token)) {
            throw new ApiError('unauthorized', 'Missing or wrong admin token: send "Authorization: Bearer <token>" (the agent prints it on start).');
          }
          const isJson = () => {
            if (!/^application\/json\b/i.test(req.headers['content-type'] ?? 'application/json')) {
              throw new ApiError('invalid_payload', 'Content-Type must be application/json.');
            }
          };
          if (await fleetProxy.handle(req, res, url)) return;
          const alias = admissionRoute(req.method ?? 'GET', url.pathname, () => (isJson(), readJsonBody(req, MAX_BODY_BYTES)));
          if (alias) {
            const [name, payload] = await alias;
            return sendJson(res, 200, { data: await core.invoke(name, payload) });
          }
          const m = /^\/api\/v1\/commands\/([A-Za-z.]{1,64})$/.exec(url.pathname);
          if (!m) throw new ApiError('not_found', `No API route ${req.method} ${url.pathname}.`);
          if (req.method !== 'POST') {
            res.setHeader('allow', 'POST');
            return sendJson(res, 405, new ApiError('invalid_payload', `Use POST for ${url.pathname}.`).toJSON());
          }
          isJson();
          const body = await readJsonBody(req, MAX_BODY_BYTES);
          const data = await core.invoke(m[1]!, body);
          return sendJson(res, 200, { data });
        }
        if (statics && (req.method === 'GET' || req.method === 'HEAD')) {
          return statics(req, res, () => sendJson(res, 404, new ApiError('not_found', 'Not found').toJSON()));
        }
        if (!statics) {
          res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
          return res.end('The StreamCap UI is not built. Run "npm run build" and start the agent again.\n');
        }
        throw new ApiError('not_found', 'Not found');
      } catch (e) {
        if (!res.headersSent) sendError(res, e);
        else res.end();
      }
    }),
  );

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const clients = new Set<WebSocket>();

  server.on(
    'upgrade',
    guardUpgrade((req, socket, head) => {
      const reject = (status: number, message: string) => rejectUpgrade(socket, status, message);
      const problem = checkHostAndOrigin(req, allowed, port);
      if (problem) return reject(403, problem);
      const url = requestUrl(req);
      if (!url) return reject(400, BAD_TARGET);
      if (sessions.upgrade(req, socket, head, url)) return;
      const proxied = url.pathname.startsWith(FLEET_PROXY_PREFIX);
      if (!proxied && url.pathname !== EVENTS_PATH) return reject(404, 'No such WebSocket endpoint');
      if (!tokenMatches(requestToken(req), token)) return reject(401, 'Missing or wrong admin token');
      if (proxied) {
        if (!fleetProxy.upgrade(req, socket, head, url)) reject(404, 'No such WebSocket endpoint');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    }),
  );

  const send = (ws: WebSocket, msg: AgentServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    for (const event of core.currentState()) send(ws, { type: 'event', event });
    ws.on('message', async (raw, isBinary) => {
      let parsedJson: unknown;
      try {
        parsedJson = JSON.parse(isBinary ? '' : raw.toString());
      } catch {
        return send(ws, { type: 'error', error: { code: 'invalid_payload', message: 'Message is not valid JSON.' } });
      }
      const parsed = AgentClientMessageSchema.safeParse(parsedJson);
      if (!parsed.success) {
        return send(ws, {
          type: 'error',
          error: { code: 'invalid_payload', message: `Malformed message: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}` },
        });
      }
      const msg = parsed.data;
      if (msg.type === 'ping') return send(ws, { type: 'pong' });
      try {
        const data = await core.invoke(msg.name, msg.payload);
        send(ws, { type: 'result', id: msg.id, ok: true, data });
      } catch (e) {
        send(ws, { type: 'result', id: msg.id, ok: false, error: toApiError(e).toJSON().error });
      }
    });
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
  });

  const unsubscribe = core.subscribe((event: AppEvent) => {
    const text = JSON.stringify({ type: 'event', event } satisfies AgentServerMessage);
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (event.type === 'sample' && ws.bufferedAmount > MAX_BUFFERED_BYTES) continue;
      ws.send(text);
    }
  });

  await listen(server, host, port, '--port');
  port = (server.address() as AddressInfo).port;
  allowed = allowedHostnames(host);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/`;

  return {
    url,
    browserUrl: `${url}#token=${encodeURIComponent(token)}`,
    port,
    host,
    close: async () => {
      unsubscribe();
      metrics.close();
      sessions.close();
      fleetProxy.close();
      for (const ws of clients) ws.terminate();
      wss.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
