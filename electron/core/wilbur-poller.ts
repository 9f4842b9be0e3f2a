// Reads a Pixel Streaming signalling server's REST API (Wilbur started with
// --serve --rest_api; see shared/wire/wilbur.ts for the shapes) and polls it.
// Never throws: every failure becomes { ok: false, reason } in words that say what to do.
import { combineWilbur, WILBUR_PATHS, WILBUR_REST_API_HINT, type WilburStatus } from '../../shared/wire/wilbur';
import { realTimers, type TimerSource } from './timers';

type Fetched = { ok: true; body: unknown } | { ok: false; reason: string };

/** http(s) base address, without a trailing slash (a pasted trailing /api is dropped too). */
export function normalizeWilburUrl(baseUrl: string): { ok: true; url: string } | { ok: false; reason: string } {
  const text = baseUrl.trim();
  const bad = {
    ok: false as const,
    reason: `"${text}" is not an http:// or https:// address: enter the signalling server's web address, e.g. http://127.0.0.1:80`,
  };
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return bad;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return bad;
  // Keep a path prefix (a reverse proxy may serve Wilbur under one); drop query and hash.
  const path = u.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
  return { ok: true, url: u.origin + path };
}

/** Why fetch() failed, from the error it threw (undici puts the socket error in `cause`). */
function describeFetchError(err: unknown, base: string, timeoutMs: number): string {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `No answer from ${base} within ${timeoutMs} ms (timed out): is the signalling server running and reachable?`;
  }
  const cause = (err as { cause?: unknown } | null)?.cause as { code?: unknown; errors?: { code?: unknown }[]; message?: unknown } | undefined;
  // Happy-eyeballs connects (localhost → ::1 and 127.0.0.1) fail with an AggregateError.
  const code = String(cause?.code ?? cause?.errors?.[0]?.code ?? '');
  const what: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ECONNRESET: 'connection reset',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed by the server',
  };
  if (what[code]) return `No answer from ${base} (${what[code]}): is the signalling server running?`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL/i.test(code)) {
    return `${base} has a TLS certificate this machine does not trust (${code}): use http:// on the signalling server's player_port, or give it a trusted certificate`;
  }
  const detail = code || (typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err));
  return `No answer from ${base} (${detail}): is the signalling server running?`;
}

/** A kept-alive connection the server closed just before we reused it (Node servers drop
 *  idle ones after 5 s, as often as we poll): safe to send these GETs again. */
function isStaleConnection(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  return ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(String(cause?.code ?? ''));
}

async function fetchJson(base: string, path: string, timeoutMs: number): Promise<Fetched> {
  const url = base + path;
  // One deadline for the request, a possible retry and the body: the signal stays attached while the body is read.
  const signal = AbortSignal.timeout(timeoutMs);
  const get = () => fetch(url, { signal, headers: { accept: 'application/json' } });
  try {
    const res = await get().catch((err: unknown) => {
      if (isStaleConnection(err) && !signal.aborted) return get();
      throw err;
    });
    const text = await res.text();
    if (res.status === 404) return { ok: false, reason: `${url} answered 404: ${WILBUR_REST_API_HINT} (the old cirrus.js has no REST API)` };
    if (!res.ok) return { ok: false, reason: `${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}: look at the signalling server's log` };
    try {
      return { ok: true, body: JSON.parse(text) };
    } catch {
      const type = res.headers.get('content-type')?.split(';')[0]?.trim();
      return {
        ok: false,
        reason: `${url} answered ${type ? `${type}, ` : ''}not JSON: ${base} is not a Pixel Streaming signalling server REST API: ${WILBUR_REST_API_HINT}`,
      };
    }
  } catch (err) {
    return { ok: false, reason: describeFetchError(err, base, timeoutMs) };
  }
}

/**
 * Reads /api/status, /api/streamers and /api/players in parallel. /api/status must
 * answer; when only the lists fail, the totals from /api/status still come back.
 * `now` stamps fetchedAt; the request deadline is the network's (AbortSignal.timeout).
 */
export async function readWilbur(baseUrl: string, timeoutMs = 2000, now: () => number = Date.now): Promise<WilburStatus> {
  const base = normalizeWilburUrl(baseUrl);
  if (!base.ok) return { ok: false, url: baseUrl, fetchedAt: now(), reason: base.reason };
  const url = base.url;
  const [status, streamers, players] = await Promise.all([
    fetchJson(url, WILBUR_PATHS.status, timeoutMs),
    fetchJson(url, WILBUR_PATHS.streamers, timeoutMs),
    fetchJson(url, WILBUR_PATHS.players, timeoutMs),
  ]);
  const fetchedAt = now();
  if (!status.ok) return { ok: false, url, fetchedAt, reason: status.reason };
  return combineWilbur(url, fetchedAt, status.body, streamers.ok ? streamers.body : null, players.ok ? players.body : null);
}

/** The status without its timestamp: two polls that differ only in fetchedAt are no change. */
function changeKey(s: WilburStatus): string {
  const { fetchedAt: _ignored, ...rest } = s;
  return JSON.stringify(rest);
}

/**
 * Polls one signalling server while a URL is set and reports each change: the first
 * answer, then only answers that differ (in anything but fetchedAt).
 * One read at a time: the next starts intervalMs after the previous one ended.
 * setUrl(null) stops polling and reports null. The timer does not keep the process alive.
 * Clock and timers are injected (the real ones by default): a test moves time on itself.
 */
export class WilburPoller {
  private url: string | null = null;
  private timer: unknown = null;
  private inFlight = false;
  /** Bumped by every setUrl/close: a read started under an older generation is dropped. */
  private generation = 0;
  private lastKey: string | null = null;
  private closed = false;

  constructor(
    private readonly onStatus: (s: WilburStatus | null) => void,
    private readonly intervalMs = 5000,
    private readonly timeoutMs = 2000,
    /** Every read, changed or not (presence by player counts needs each one, not only changes). */
    private readonly onRead?: (s: WilburStatus) => void,
    private readonly now: () => number = Date.now,
    private readonly timers: TimerSource = realTimers,
  ) {}

  setUrl(url: string | null): void {
    if (this.closed) return;
    const next = url?.trim() || null;
    if (next === this.url) return;
    const had = this.url !== null;
    this.url = next;
    this.generation++;
    this.lastKey = null;
    this.clearTimer();
    if (next === null) {
      if (had) this.report(null);
      return;
    }
    // While a read is in flight, it notices the new generation and polls again when it ends.
    if (!this.inFlight) void this.poll();
  }

  close(): void {
    this.closed = true;
    this.url = null;
    this.generation++;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    const url = this.url;
    if (url === null || this.closed) return;
    const gen = this.generation;
    this.inFlight = true;
    let status: WilburStatus;
    try {
      status = await readWilbur(url, this.timeoutMs, this.now);
    } catch (err) {
      // readWilbur does not throw; this is a guard so polling never stops on a bug.
      status = { ok: false, url, fetchedAt: this.now(), reason: `Reading ${url} failed: ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      this.inFlight = false;
    }
    if (this.closed) return;
    if (gen !== this.generation) {
      if (this.url !== null) void this.poll(); // the URL changed while reading: read the new one now
      return;
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, this.intervalMs);
    try {
      this.onRead?.(status);
    } catch (err) {
      console.error('WilburPoller: onRead threw', err);
    }
    const key = changeKey(status);
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.report(status);
    }
  }

  private report(s: WilburStatus | null): void {
    try {
      this.onStatus(s);
    } catch (err) {
      // A failing listener must not stop the polling (nor crash the main process).
      console.error('WilburPoller: onStatus threw', err);
    }
  }
}
