// The agent: the core served headless over HTTP + WebSocket, with the same React
// UI as the Electron window, for remote render servers (a GUI on the server would
// skew the measurement) and for browser tests.
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  API_PREFIX,
  ApiError,
  ClientMessageSchema,
  type ApiErrorCode,
  type AppEvent,
  type ServerMessage,
} from '../../shared/contract';
import type { Core } from '../core/core';
import { allowedHostnames, checkHostAndOrigin, requestToken, tokenMatches, WS_PROTOCOL } from './security';

export const MAX_BODY_BYTES = 1 << 20;
/** A client this far behind on the socket misses samples rather than growing our memory. */
const MAX_BUFFERED_BYTES = 4 << 20;

const STATUS: Record<ApiErrorCode, number> = {
  invalid_payload: 400,
  unknown_command: 404,
  not_found: 404,
  conflict: 409,
  exe_not_found: 422,
  disk_full: 507,
  unauthorized: 401,
  forbidden: 403,
  too_large: 413,
  internal: 500,
};

export interface AgentOptions {
  core: Core;
  host?: string;
  port?: number;
  token: string;
  staticDir: string | null;
}

export interface Agent {
  url: string;
  /** The URL to open in a browser: it carries the token once, the page then drops it from the address bar. */
  browserUrl: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError('internal', `Internal error: ${(e as Error)?.message ?? String(e)}`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  const err = toApiError(e);
  sendJson(res, STATUS[err.code], err.toJSON());
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new ApiError('too_large', `Request body too large (${declared} bytes; the limit is ${MAX_BODY_BYTES}).`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError('too_large', `Request body too large (over ${MAX_BODY_BYTES} bytes).`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new ApiError('invalid_payload', `Body is not valid JSON: ${(e as Error).message}`));
      }
    });
    req.on('error', reject);
  });
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

  const server = http.createServer(async (req, res) => {
    try {
      const problem = checkHostAndOrigin(req, allowed, port);
      if (problem) throw new ApiError('forbidden', problem);
      const url = new URL(req.url ?? '/', 'http://agent');
      if (url.pathname === `${API_PREFIX}/health`) return sendJson(res, 200, { ok: true, version: core.hostInfo().version });
      if (url.pathname.startsWith(API_PREFIX + '/')) {
        if (!tokenMatches(requestToken(req), token)) {
          throw new ApiError('unauthorized', 'Missing or wrong admin token: send "Authorization: Bearer <token>" (the agent prints it on start).');
        }
        const m = /^\/api\/v1\/commands\/([A-Za-z.]{1,64})$/.exec(url.pathname);
        if (!m) throw new ApiError('not_found', `No API route ${req.method} ${url.pathname}.`);
        if (req.method !== 'POST') {
          res.setHeader('allow', 'POST');
          return sendJson(res, 405, new ApiError('invalid_payload', `Use POST for ${url.pathname}.`).toJSON());
        }
        if (!/^application\/json\b/i.test(req.headers['content-type'] ?? 'application/json')) {
          throw new ApiError('invalid_payload', 'Content-Type must be application/json.');
        }
        const body = await readBody(req);
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
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const reject = (status: number, message: string) => {
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${message}\n`);
    };
    const problem = checkHostAndOrigin(req, allowed, port);
    if (problem) return reject(403, problem);
    if (new URL(req.url ?? '/', 'http://agent').pathname !== `${API_PREFIX}/events`) return reject(404, 'No such WebSocket endpoint');
    if (!tokenMatches(requestToken(req), token)) return reject(401, 'Missing or wrong admin token');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const send = (ws: WebSocket, msg: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    send(ws, { type: 'event', event: { type: 'profiles', data: core.profiles.list() } });
    send(ws, { type: 'event', event: { type: 'instances', data: core.supervisor.list() } });
    send(ws, { type: 'event', event: { type: 'orphans', data: core.orphanList() } });
    ws.on('message', async (raw, isBinary) => {
      let parsedJson: unknown;
      try {
        parsedJson = JSON.parse(isBinary ? '' : raw.toString());
      } catch {
        return send(ws, { type: 'error', error: { code: 'invalid_payload', message: 'Message is not valid JSON.' } });
      }
      const parsed = ClientMessageSchema.safeParse(parsedJson);
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
    const text = JSON.stringify({ type: 'event', event } satisfies ServerMessage);
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (event.type === 'sample' && ws.bufferedAmount > MAX_BUFFERED_BYTES) continue;
      ws.send(text);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new ApiError('conflict', `Port ${port} on ${host} is already in use. Stop the other program or pick another port with --port N (--port 0 picks a free one).`));
      else if (e.code === 'EACCES') reject(new ApiError('forbidden', `Not allowed to listen on ${host}:${port}. Use a port above 1024 (--port N).`));
      else if (e.code === 'EADDRNOTAVAIL') reject(new ApiError('invalid_payload', `${host} is not an address of this machine (--host).`));
      else reject(e);
    });
    server.listen(port, host, () => resolve());
  });
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
      for (const ws of clients) ws.terminate();
      wss.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
