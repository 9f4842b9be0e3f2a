import { API_PREFIX, type AppEvent, type CommandName, type ServerMessage } from '../../../shared/contract';
import { CommandError, type ConnectionState, type Transport } from './types';

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

export class WebTransport implements Transport {
  readonly kind = 'web' as const;
  /** base: this agent's API, or a fleet member's console relayed by it (memberApiBase). */
  constructor(
    private readonly token: string,
    private readonly base: string = API_PREFIX,
  ) {}

  async invoke<K extends CommandName>(name: K, input: unknown): Promise<never> {
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

  subscribe(onEvent: (e: AppEvent) => void, onState: (s: ConnectionState) => void): () => void {
    let ws: WebSocket | null = null;
    let closed = false;
    let retry = 0;
    let timer: number | undefined;
    const connect = () => {
      onState('connecting');
      const proto = location.protocol === 'https:' ? 'wss' : 'ws';
      ws = new WebSocket(`${proto}://${location.host}${this.base}/events`, ['streamcap.v1', `streamcap-token.${this.token}`]);
      let opened = false;
      ws.onopen = () => {
        opened = true;
        retry = 0;
        onState('open');
      };
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as ServerMessage;
        if (msg.type === 'event') onEvent(msg.event);
      };
      ws.onclose = () => {
        if (closed) return;
        if (!opened && retry >= 2) {
          // Never opened: a wrong token is the usual cause; ask the health endpoint to tell apart.
          void fetch(`${API_PREFIX}/commands/host.info`, { method: 'POST', headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' }, body: '{}' })
            .then((r) => onState(r.status === 401 ? 'unauthorized' : 'closed'))
            .catch(() => onState('closed'));
        } else onState('closed');
        retry++;
        timer = window.setTimeout(connect, Math.min(10000, 500 * 2 ** Math.min(retry, 5)));
      };
    };
    connect();
    return () => {
      closed = true;
      window.clearTimeout(timer);
      ws?.close();
    };
  }
}
