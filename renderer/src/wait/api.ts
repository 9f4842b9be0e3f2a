// The waiting room's client of the sessions API (electron/server/sessions.ts):
// join / get / leave over HTTP, and a live link that follows one session over
// its WebSocket, reconnecting with backoff and polling GET while the socket is down.
import { LEAVE_REASONS, type LeaveReason, type SessionView, type Want } from '../../../shared/admission-rules';
import { SESSION_ID, SESSIONS_PATH, sessionPath, sessionSocketPath, type EndReason as ServerEndReason, type SessionServerMessage } from '../../../shared/wire/sessions';

export type { SessionView, Want };

/** Why a session is over: the server's reasons, plus "expired" (a GET or socket found it gone). */
export type EndReason = ServerEndReason | 'expired';

/** A failed request, sorted by what the person can do about it. */
export class WaitApiError extends Error {
  constructor(
    readonly kind: 'bad_request' | 'rate_limited' | 'not_found' | 'network' | 'server',
    message: string,
    readonly status: number,
    /** Seconds to wait (429). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
  /** 404 of a session that ended recently: why. */
  ended?: LeaveReason;
}

/** Same origin, relative to the page (works behind a reverse proxy under a path prefix too). */
export function apiUrl(path: string): string {
  return new URL(path.replace(/^\//, ''), location.href).toString();
}

export function socketUrl(id: string): string {
  const u = new URL(apiUrl(sessionSocketPath(id)));
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.search = '';
  u.hash = '';
  return u.toString();
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new WaitApiError('network', (e as Error)?.message || 'network error', 0);
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    /* not JSON: the status says enough */
  }
  if (res.ok) return json as T;
  const message = (json as { error?: { message?: string } } | null)?.error?.message ?? res.statusText ?? `HTTP ${res.status}`;
  if (res.status === 429) {
    const header = Number(res.headers.get('retry-after'));
    const fromText = Number(/(\d+)\s*s\b/.exec(message)?.[1]);
    const wait = Number.isFinite(header) && header > 0 ? header : Number.isFinite(fromText) && fromText > 0 ? fromText : 5;
    throw new WaitApiError('rate_limited', message, 429, Math.ceil(wait));
  }
  if (res.status === 404) {
    const ended = (json as { error?: { ended?: string } } | null)?.error?.ended;
    const err = new WaitApiError('not_found', message, 404);
    const reason = LEAVE_REASONS.find((r) => r === ended);
    if (reason) err.ended = reason;
    throw err;
  }
  if (res.status >= 400 && res.status < 500) throw new WaitApiError('bad_request', message, res.status);
  throw new WaitApiError('server', message, res.status);
}

export function joinSession(name: string, want: Want): Promise<SessionView> {
  return request<SessionView>('POST', SESSIONS_PATH, { name, want });
}

export function getSession(id: string): Promise<SessionView> {
  return request<SessionView>('GET', sessionPath(id));
}

export async function leaveSession(id: string): Promise<void> {
  try {
    await request('DELETE', sessionPath(id));
  } catch (e) {
    // Already gone is what we wanted.
    if (!(e instanceof WaitApiError && e.kind === 'not_found')) throw e;
  }
}

// ---- Remembering the place across reloads (per tab) ----------------------------------

const STORE_KEY = 'streamcap.wait.session';

export interface StoredSession {
  id: string;
  name: string;
  want: Want;
}

export function loadStored(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(STORE_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof v.id !== 'string' || !SESSION_ID.test(v.id)) return null;
    return { id: v.id, name: typeof v.name === 'string' ? v.name : '', want: v.want === 'watch' || v.want === 'any' ? v.want : 'operate' };
  } catch {
    return null;
  }
}

export function saveStored(s: StoredSession | null): void {
  try {
    if (s) sessionStorage.setItem(STORE_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(STORE_KEY);
  } catch {
    /* storage disabled: the place just won't survive a reload */
  }
}

// ---- The live link ------------------------------------------------------------------

/** connecting: first socket not open yet; live: socket open; polling: socket down, GET every few seconds. */
export type Connection = 'connecting' | 'live' | 'polling';

export interface LinkEvents {
  view(v: SessionView): void;
  ended(reason: EndReason): void;
  connection(c: Connection, detail: { online: boolean }): void;
}

export interface LinkOptions {
  pingMs?: number;
  pollMs?: number;
  /** First reconnect delay; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

type ServerMessage = SessionServerMessage;

/**
 * Follows one session: the socket while it is up (ping every pingMs), GET every
 * pollMs while it is down (also the heartbeat then), reconnecting with jittered
 * exponential backoff. Ends once, with the reason.
 */
export class SessionLink {
  private ws: WebSocket | null = null;
  private done = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private online = true;
  private readonly opts: Required<LinkOptions>;

  constructor(
    readonly id: string,
    private readonly events: LinkEvents,
    opts: LinkOptions = {},
  ) {
    this.opts = { pingMs: 10_000, pollMs: 5_000, backoffMs: 1_000, maxBackoffMs: 30_000, ...opts };
  }

  start(): void {
    window.addEventListener('online', this.wake);
    window.addEventListener('offline', this.onOffline);
    document.addEventListener('visibilitychange', this.onVisible);
    this.events.connection('connecting', { online: this.online });
    this.connect();
  }

  /** Stops following (the session itself is untouched). */
  stop(): void {
    this.done = true;
    window.removeEventListener('online', this.wake);
    window.removeEventListener('offline', this.onOffline);
    document.removeEventListener('visibilitychange', this.onVisible);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopPolling();
    this.stopPinging();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onclose = ws.onerror = ws.onmessage = null;
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, 'bye');
    }
  }

  private end(reason: EndReason): void {
    if (this.done) return;
    this.stop();
    this.events.ended(reason);
  }

  private connect(): void {
    if (this.done) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(socketUrl(this.id));
    } catch {
      this.lost();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.stopPolling();
      this.startPinging();
      this.events.connection('live', { online: true });
    };
    ws.onmessage = (e) => {
      this.lastHeard = Date.now();
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(e.data)) as ServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'session') this.events.view(msg.session);
      else if (msg.type === 'ended') this.end(msg.reason);
    };
    ws.onclose = () => {
      if (this.ws === ws) this.lost();
    };
    // onclose follows every error.
    ws.onerror = null;
  }

  /** The socket is down (or never came up): poll meanwhile and try again later. */
  private lost(): void {
    if (this.done) return;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onclose = ws.onerror = ws.onmessage = null;
      try {
        ws.close();
      } catch {
        /* already closed */
      }
    }
    this.stopPinging();
    this.events.connection('polling', { online: this.online });
    this.startPolling();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.done || this.reconnectTimer) return;
    const base = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** this.attempt);
    this.attempt++;
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  /** Back online or visible again: try the socket now rather than at the end of the backoff. */
  private wake = (): void => {
    this.online = true;
    if (this.done || this.ws) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.attempt = 0;
    void this.poll();
    this.connect();
  };

  private onOffline = (): void => {
    this.online = false;
    if (!this.done && !this.ws) this.events.connection('polling', { online: false });
  };

  private onVisible = (): void => {
    if (document.visibilityState === 'visible') this.wake();
  };

  private startPinging(): void {
    this.stopPinging();
    this.pingTimer = setInterval(() => {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      // Nothing heard for three rounds (not even a pong): the connection is dead without knowing it.
      if (Date.now() - this.lastHeard > this.opts.pingMs * 3) {
        this.lost();
        return;
      }
      ws.send(JSON.stringify({ type: 'ping' }));
    }, this.opts.pingMs);
  }

  private stopPinging(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private startPolling(): void {
    if (this.pollTimer || this.done) return;
    void this.poll();
    this.pollTimer = setInterval(() => void this.poll(), this.opts.pollMs);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private async poll(): Promise<void> {
    if (this.done) return;
    try {
      const v = await getSession(this.id);
      if (this.done) return;
      this.online = true;
      this.events.view(v);
      if (!this.ws) this.events.connection('polling', { online: true });
    } catch (e) {
      if (this.done) return;
      if (e instanceof WaitApiError && e.kind === 'not_found') this.end(e.ended ?? 'expired');
      else if (e instanceof WaitApiError && e.kind === 'network') {
        this.online = false;
        if (!this.ws) this.events.connection('polling', { online: false });
      }
    }
  }
}
