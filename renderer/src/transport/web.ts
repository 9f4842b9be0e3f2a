import type { AppEvent, CommandName } from '../../../shared/contract';
import { API_PREFIX, eventSocketProtocols, type AgentClientMessage, type AgentServerMessage } from '../../../shared/wire/agent';
import { CommandError, reconnectDelayMs, type ConnectionState, type Transport } from './types';

const TOKEN_KEY = 'streamcap.token';

/** Takes the token from the URL fragment once (the agent prints it there), then drops it from the address bar. */
export function takeToken(): string | null {
  const m = /(?:^|[#&])token=([^&]+)/.exec(window.location.hash);
  if (m) {
    const token = decodeURIComponent(m[1]!);
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return token;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

type Pending = { resolve: (data: unknown) => void; reject: (e: Error) => void };

/**
 * The web console's door: commands over the event socket while it is open (one
 * connection, answers in order, no HTTP round trip per click), over POST
 * /api/v1/commands/<name> while it is not; events over the socket.
 */
export class WebTransport implements Transport {
  readonly kind = 'web' as const;
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** base: this agent's API (/api/v1), or a fleet member's console relayed by it (memberApiBase). */
  constructor(
    private readonly token: string,
    private readonly base: string = API_PREFIX,
  ) {}

  submit<K extends CommandName>(name: K, payload: unknown): Promise<never> {
    return this.invoke(name, payload);
  }

  invoke<K extends CommandName>(name: K, input: unknown): Promise<never> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return this.invokeHttp(name, input);
    const id = this.nextId++;
    return new Promise<never>((resolve, reject) => {
      this.pending.set(id, { resolve: (data) => resolve(data as never), reject });
      ws.send(JSON.stringify({ type: 'invoke', id, name, payload: input ?? {} } satisfies AgentClientMessage));
    });
  }

  private async invokeHttp(name: CommandName, input: unknown): Promise<never> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/commands/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      throw new CommandError('network', 'The StreamCap agent cannot be reached. Is it still running?');
    }
    const body = (await res.json().catch(() => null)) as { data?: unknown; error?: { code: string; message: string; issues?: string[] } } | null;
    if (!res.ok || !body || body.error) {
      const err = body?.error ?? { code: 'internal', message: `HTTP ${res.status}` };
      throw new CommandError(err.code, err.message, err.issues);
    }
    return body.data as never;
  }

  private settle(msg: Extract<AgentServerMessage, { type: 'result' }>): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.data);
    else p.reject(new CommandError(msg.error.code, msg.error.message, msg.error.issues));
  }

  /** The socket went away with commands in flight: they may or may not have run; say so rather than hang. */
  private dropPending(): void {
    for (const p of this.pending.values()) p.reject(new CommandError('network', 'The connection to the StreamCap agent was lost before it answered; check the result and try again.'));
    this.pending.clear();
  }

  subscribe(onEvent: (e: AppEvent) => void, onState: (s: ConnectionState) => void): () => void {
    let closed = false;
    let retry = 0;
    let timer: number | undefined;
    const connect = () => {
      onState('connecting');
      const proto = location.protocol === 'https:' ? 'wss' : 'ws';
      const ws = new WebSocket(`${proto}://${location.host}${this.base}/events`, eventSocketProtocols(this.token));
      this.ws = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        retry = 0;
        onState('open');
      };
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as AgentServerMessage;
        if (msg.type === 'event') onEvent(msg.event);
        else if (msg.type === 'result') this.settle(msg);
      };
      ws.onclose = () => {
        if (this.ws === ws) this.ws = null;
        this.dropPending();
        if (closed) return;
        if (!opened && retry >= 2) {
          // Never opened: a wrong token is the usual cause; ask the health endpoint to tell apart.
          void fetch(`${this.base}/commands/host.info`, { method: 'POST', headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' }, body: '{}' })
            .then((r) => onState(r.status === 401 ? 'unauthorized' : 'closed'))
            .catch(() => onState('closed'));
        } else onState('closed');
        retry++;
        timer = window.setTimeout(connect, reconnectDelayMs(retry));
      };
    };
    connect();
    return () => {
      closed = true;
      window.clearTimeout(timer);
      this.ws?.close();
    };
  }
}
