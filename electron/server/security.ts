// Access checks of the agent's HTTP/WebSocket API: the admin token, compared in
// constant time, and Host/Origin allowlists against DNS rebinding and
// cross-site WebSocket hijacking.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { TOKEN_PROTOCOL_PREFIX } from '../../shared/wire/agent';

/** The read-only token of `GET /metrics` (Prometheus' credentials_file): it grants nothing else. */
export const METRICS_TOKEN_FILE = 'metrics-token';

/**
 * Reads a token from the data folder, or creates one (mode 0600): the admin token
 * (`agent-token`) by default, or the metrics token. A token written by hand (the same
 * metrics token on every server of a fleet) is kept if it is 32+ of [A-Za-z0-9_-].
 */
export function loadOrCreateToken(dataDir: string, name = 'agent-token'): string {
  const file = path.join(dataDir, name);
  try {
    const t = fs.readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(t)) return t;
  } catch {
    /* none yet */
  }
  const token = randomBytes(24).toString('base64url');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Temp file and rename: a crash mid-write never leaves half a token.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, token + '\n', { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return token;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  return timingSafeEqual(digest(given), digest(token));
}

/** The token of a request: `Authorization: Bearer …`, or the WebSocket subprotocol a browser can set. */
export function requestToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const protocols = req.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',').map((s) => s.trim())) {
      if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) return p.slice(TOKEN_PROTOCOL_PREFIX.length);
    }
  }
  return null;
}

/** Host names the agent answers to: loopback names, plus this machine's names and addresses when bound to the LAN. */
export function allowedHostnames(bindHost: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  const wildcard = bindHost === '0.0.0.0' || bindHost === '::';
  if (!wildcard) names.add(bindHost.includes(':') ? `[${bindHost}]` : bindHost);
  if (wildcard) {
    names.add(os.hostname().toLowerCase());
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) names.add(a.family === 'IPv6' ? `[${a.address}]` : a.address);
    }
  }
  return names;
}

function hostnameOf(hostHeader: string): string {
  // "[::1]:8080" -> "[::1]"; "example:80" -> "example"
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1).toLowerCase();
  return hostHeader.split(':')[0]!.toLowerCase();
}

export function checkHostAndOrigin(req: IncomingMessage, allowed: Set<string>, port: number): string | null {
  const host = req.headers.host;
  if (!host) return 'missing Host header';
  if (!allowed.has(hostnameOf(host))) return `Host "${host}" is not allowed (DNS rebinding protection): open StreamCap through the printed URL.`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return `Origin "${origin}" is not allowed`;
    }
    const originPort = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    if (!allowed.has(u.hostname.toLowerCase().replace(/^([^[].*:.*)$/, '[$1]')) || originPort !== port) {
      return `Origin "${origin}" is not allowed: StreamCap's API only answers its own pages.`;
    }
  } else if (origin === 'null') return 'Origin "null" is not allowed';
  return null;
}
