// One member agent, as the fleet hears it: its admin WebSocket (/api/v1/events, with
// its token) pushes its samples, instances, admission and probe figures; a ping every
// second tells that it is alive between samples. When the socket drops it reconnects
// every second; the figures it had are dropped once the member is offline, so nobody
// reads frozen numbers as live ones.
import { WebSocket } from 'ws';
import { z } from 'zod';
import type { AdmissionSnapshot } from '../../../shared/admission-rules';
import { ApiError, type InstanceInfo, type Snapshot } from '../../../shared/contract';
import type { AgentServerMessage } from '../../../shared/wire/agent';
import { memberState } from '../../../shared/fleet-rules';
import type { ServerEntry } from '../../../shared/wire/fleet';
import { errorCode, errorText, requestJson, type JsonAnswer } from './http-client';

const RECONNECT_MS = 1000;
const HostBrief = z.object({ hostname: z.string(), version: z.string() });
const PING_MS = 1000;

export interface MemberFigures {
  sample: Snapshot | null;
  instances: InstanceInfo[] | null;
  admission: AdmissionSnapshot | null;
  host: { hostname: string; version: string } | null;
}

export class MemberLink {
  private ws: WebSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private closed = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  lastHeardAt: number | null = null;
  error: string | null = null;
  /** The last attempt to connect was refused: nothing listens at its address (the agent stopped). */
  private refused = false;
  readonly figures: MemberFigures = { sample: null, instances: null, admission: null, host: null };

  constructor(
    public entry: ServerEntry,
    /** Something changed (figures, reachability). */
    private readonly onChange: (kind: 'admission' | 'figures' | 'link') => void,
  ) {
    this.connect();
  }

  get name(): string {
    return this.entry.name;
  }

  state(now = Date.now()) {
    return memberState(this.lastHeardAt, now, this.refused);
  }

  private heard(): void {
    this.lastHeardAt = Date.now();
    this.error = null;
    this.refused = false;
  }

  private connect(): void {
    if (this.closed) return;
    const url = `${this.entry.url.replace(/^http/, 'ws')}/api/v1/events`;
    const ws = new WebSocket(url, ['streamcap.v1'], { headers: { authorization: `Bearer ${this.entry.token}` }, handshakeTimeout: 3000, maxPayload: 64 << 20 });
    this.ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      this.error =
        res.statusCode === 401
          ? 'the agent refused the token (401): paste its current URL again'
          : res.statusCode === 403
            ? 'the agent refused the address (403): use its own host name or address'
            : `the agent answered HTTP ${res.statusCode}`;
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      this.heard();
      this.onChange('link');
      void this.invoke('host.info', {}).then(
        (h) => {
          const parsed = HostBrief.safeParse(h);
          if (parsed.success) this.figures.host = parsed.data;
          this.onChange('figures');
        },
        () => undefined,
      );
      this.pinger = setInterval(() => {
        if (ws.readyState === ws.OPEN) ws.ping();
      }, PING_MS);
    });
    ws.on('pong', () => this.heard());
    ws.on('message', (raw) => {
      this.heard();
      // The member is an agent of ours, holding our token: its messages are the contract's ServerMessage.
      let msg: AgentServerMessage;
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (msg.type === 'event') {
        const e = msg.event;
        if (e.type === 'sample') this.figures.sample = e.data;
        else if (e.type === 'instances') this.figures.instances = e.data;
        else if (e.type === 'admission') {
          this.figures.admission = e.data;
          this.onChange('admission');
          return;
        } else return;
        this.onChange('figures');
      } else if (msg.type === 'result') {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.data);
        else p.reject(new ApiError(msg.error.code, msg.error.message, msg.error.issues));
      }
    });
    ws.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') {
        this.refused = true;
        this.onChange('link');
      }
      if (!this.error || this.error.startsWith('cannot reach') || this.error.startsWith('connection refused')) {
        this.error = e.code === 'ECONNREFUSED' ? 'connection refused: is the agent running?' : `cannot reach it: ${e.code ?? e.message}`;
      }
    });
    ws.on('close', () => {
      if (this.pinger) clearInterval(this.pinger);
      this.pinger = null;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new ApiError('unavailable', `${this.name} went away before answering.`));
        this.pending.delete(id);
      }
      if (this.ws === ws) this.ws = null;
      this.onChange('link');
      // At once after a drop (a restart is told apart from a stop within a moment), then every second.
      if (!this.closed) this.timer = setTimeout(() => this.connect(), this.refused ? RECONNECT_MS : 50);
    });
  }

  /** Drops the figures of a member that went offline (never shown frozen). */
  forgetFigures(): void {
    this.figures.sample = null;
    this.figures.instances = null;
    this.figures.admission = null;
  }

  /** A command on the member's admin API, over its socket. */
  invoke(name: string, payload: unknown, timeoutMs = 5000): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return Promise.reject(new ApiError('unavailable', `${this.name} is not connected${this.error ? `: ${this.error}` : ''}.`));
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError('unavailable', `${this.name} did not answer ${name} within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ type: 'invoke', id, name, payload }));
    });
  }

  /** A call on the member's public sessions API (what the front door relays). */
  sessions(method: 'POST' | 'GET' | 'DELETE', path: string, body?: unknown): Promise<JsonAnswer> {
    // With the member's token: a front door places many people from one address (the member lifts its per-address cap for it).
    return requestJson(method, `${this.entry.url}/api/v1/sessions${path}`, body, { authorization: `Bearer ${this.entry.token}` }, 3000);
  }

  /** A socket of its own on the member's events (the console of this member, in place), opened with its token. */
  openEvents(): WebSocket {
    return new WebSocket(`${this.entry.url.replace(/^http/, 'ws')}/api/v1/events`, ['streamcap.v1'], {
      headers: { authorization: `Bearer ${this.entry.token}` },
      handshakeTimeout: 5000,
      maxPayload: 64 << 20,
    });
  }

  /** A command relayed over HTTP (the console of this member, in place). */
  command(name: string, payload: unknown): Promise<JsonAnswer> {
    return requestJson('POST', `${this.entry.url}/api/v1/commands/${name}`, payload ?? {}, { authorization: `Bearer ${this.entry.token}` }, 30_000);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pinger) clearInterval(this.pinger);
    this.ws?.terminate();
    this.ws = null;
  }
}

export { errorCode, errorText };
