// HTTP plumbing shared by the agent's two listeners (the admin console + API, and the
// public waiting-room listener): JSON answers, bounded bodies, safe request targets,
// and guards that make sure no request, however malformed, can take the process down.
//
// Why by hand: these few functions sit on every request of both listeners; a framework
// would bring routing and body parsing we already do in a dozen lines, and its own
// crash surface below ours.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, type ApiErrorCode } from '../../shared/contract';

export const HTTP_STATUS: Record<ApiErrorCode, number> = {
  invalid_payload: 400,
  unknown_command: 404,
  not_found: 404,
  conflict: 409,
  exe_not_found: 422,
  disk_full: 507,
  unauthorized: 401,
  forbidden: 403,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(JSON.stringify(body));
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError('internal', `Internal error: ${(e as Error)?.message ?? String(e)}`);
}

/** Reads a JSON body of at most `limit` bytes. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new ApiError('too_large', `Request body too large (${declared} bytes; the limit is ${limit}).`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        // Stop keeping it but let the 413 go out (destroying the request would reset the
        // connection before the client reads why); the response closes the connection.
        req.off('data', onData);
        req.resume();
        reject(new ApiError('too_large', `Request body too large (over ${limit} bytes).`));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
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

/**
 * The request target as a URL, or null when it is not one a server should act on.
 * Origin-form targets ("/path?q") are joined to a fixed origin as text, so odd paths
 * such as "//", "/\\x" or "/%zz" stay paths instead of being read as a host (which
 * `new URL("//", base)` rejects with a throw). Absolute-form ("http://h/p") is accepted
 * as HTTP/1.1 says a server must; anything else ("*", "foo", "") is refused.
 */
export function requestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? '';
  try {
    if (target.startsWith('/')) return new URL(`http://request${target}`);
    if (/^https?:\/\//i.test(target)) {
      const u = new URL(target);
      return new URL(`http://request${u.pathname}${u.search}`);
    }
  } catch {
    /* not a URL: refused below */
  }
  return null;
}

export const BAD_TARGET = 'Malformed request target: send a path such as /api/v1/health.';

/** Ends a socket that never became a WebSocket with a plain HTTP answer. */
export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = `${message.replace(/[\r\n]+/g, ' ')}\n`;
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

export type Report = (message: string, error: unknown) => void;
const defaultReport: Report = (message, error) => process.stderr.write(`${message}: ${(error as Error)?.stack ?? String(error)}\n`);

/**
 * A request handler that can never throw or reject into the event loop: a fault in it
 * answers 500 (or closes the response if the head went out) and is reported, and the
 * listener keeps serving.
 */
export function guardRequest(handler: (req: IncomingMessage, res: ServerResponse) => unknown, report: Report = defaultReport): (req: IncomingMessage, res: ServerResponse) => void {
  const fail = (res: ServerResponse, e: unknown) => {
    report('StreamCap: request handler failed (the request was answered 500; still serving)', e);
    try {
      if (!res.headersSent) sendJson(res, 500, new ApiError('internal', 'Internal error; the request was not carried out.').toJSON(), { connection: 'close' });
      else res.destroy();
    } catch {
      res.destroy();
    }
  };
  return (req, res) => {
    try {
      const out = handler(req, res);
      if (out instanceof Promise) out.catch((e: unknown) => fail(res, e));
    } catch (e) {
      fail(res, e);
    }
  };
}

/** The same for WebSocket upgrades: a fault ends that socket with a 500, nothing else. */
export function guardUpgrade(handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => unknown, report: Report = defaultReport): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    // A client that resets mid-upgrade emits 'error' on a socket nobody else listens to yet.
    socket.on('error', () => socket.destroy());
    // An upgraded socket lives as long as its WebSocket heartbeat says: no idle reaping.
    (socket as Partial<Socket>).setTimeout?.(0);
    const fail = (e: unknown) => {
      report('StreamCap: WebSocket upgrade failed (answered 500; still serving)', e);
      try {
        rejectUpgrade(socket, 500, 'Internal error.');
      } catch {
        socket.destroy();
      }
    };
    try {
      const out = handler(req, socket, head);
      if (out instanceof Promise) out.catch(fail);
    } catch (e) {
      fail(e);
    }
  };
}

/**
 * Timeouts that reap idle and drip-fed connections: the whole head within
 * `headersMs`, the whole request within `requestMs`, and an idle keep-alive
 * connection closed after `idleMs`. Node checks these every `connectionsCheckingInterval`
 * (set at creation), so the server must be made with `serverOptions()`.
 */
export interface ReapOptions {
  headersMs: number;
  requestMs: number;
  idleMs: number;
}

export function serverOptions(reap: ReapOptions): http.ServerOptions {
  return {
    headersTimeout: reap.headersMs,
    requestTimeout: reap.requestMs,
    keepAliveTimeout: reap.idleMs,
    connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(reap.headersMs / 4))),
  };
}

/**
 * Caps connections per remote address on a listener (the public one faces the LAN):
 * one address cannot hold every socket the process may open.
 */
export function capConnectionsPerAddress(server: http.Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const key = socket.remoteAddress ?? '?';
    const n = (open.get(key) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(key, n);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}

/** Idle (keep-alive, no request in flight) sockets have no socket timeout by default; this one does. */
export function idleSocketTimeout(server: http.Server, ms: number): void {
  server.on('connection', (socket) => {
    socket.setTimeout(ms, () => socket.destroy());
  });
}

/** server.listen with errors a person can act on. */
export function listen(server: http.Server, host: string, port: number, portFlag: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new ApiError('conflict', `Port ${port} on ${host} is already in use. Stop the other program or pick another port with ${portFlag} N (0 picks a free one).`));
      else if (e.code === 'EACCES') reject(new ApiError('forbidden', `Not allowed to listen on ${host}:${port}. Use a port above 1024 (${portFlag} N).`));
      else if (e.code === 'EADDRNOTAVAIL') reject(new ApiError('invalid_payload', `${host} is not an address of this machine.`));
      else reject(e);
    });
    server.listen(port, host, () => resolve());
  });
}

/**
 * Process-wide last resort for a long-running door (agent, Electron main): an
 * exception nothing caught is logged and the process keeps serving, instead of
 * Node's default of exiting (which would leave every supervised instance unseen and
 * every person in line without an answer). Returns a function that removes it.
 */
export function installLastResort(report: Report = defaultReport): () => void {
  const onError = (e: unknown) => report('StreamCap: uncaught exception (logged; still serving)', e);
  const onRejection = (e: unknown) => report('StreamCap: unhandled rejection (logged; still serving)', e);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onRejection);
  };
}
