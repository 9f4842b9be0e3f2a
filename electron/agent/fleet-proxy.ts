// A member's console through this agent: the console (in a browser on this agent's
// origin, with this agent's token) opens a fleet member "in place" by pointing its web
// transport at /api/v1/fleet/servers/<name>; commands and the event socket are relayed
// to that member with the member's token, which never leaves the core.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { ApiError, ClientMessageSchema } from '../../shared/contract';
import { FLEET_PROXY_PATH } from '../../shared/wire/fleet';
import type { Core } from '../core/core';
import { readJsonBody, sendJson } from './http';
import { WS_PROTOCOL } from './security';

const MAX_BODY = 1 << 20;
/** A browser this far behind misses samples rather than growing our memory. */
const MAX_BUFFERED = 4 << 20;

export interface FleetProxy {
  /** A relayed command (the admin token already checked); false when the path is not one. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** A relayed event socket (the admin token already checked); false when the path is not one. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean;
  close(): void;
}

export function createFleetProxy(core: Core): FleetProxy {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, handleProtocols: (p) => (p.has(WS_PROTOCOL) ? WS_PROTOCOL : false) });
  const open = new Set<WebSocket>();

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const m = FLEET_PROXY_PATH.exec(url.pathname);
    if (!m || !m[3]) return false;
    if (req.method !== 'POST') {
      sendJson(res, 405, new ApiError('invalid_payload', `Use POST for ${url.pathname}.`).toJSON(), { allow: 'POST' });
      return true;
    }
    const member = core.fleet.member(m[1]!);
    const body = await readJsonBody(req, MAX_BODY);
    const a = await member.command(m[3], body).catch((e: Error) => {
      throw new ApiError('unavailable', `${member.name} cannot be reached: ${e.message}`);
    });
    sendJson(res, a.status || 502, a.body);
    return true;
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
    const m = FLEET_PROXY_PATH.exec(url.pathname);
    if (!m || m[2] !== '/events') return false;
    let member;
    try {
      member = core.fleet.member(m[1]!);
    } catch {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return true;
    }
    const entry = member.entry;
    wss.handleUpgrade(req, socket, head, (browser) => {
      open.add(browser);
      const upstream = new WebSocket(`${entry.url.replace(/^http/, 'ws')}/api/v1/events`, [WS_PROTOCOL], { headers: { authorization: `Bearer ${entry.token}` }, handshakeTimeout: 5000, maxPayload: 64 << 20 });
      const early: string[] = [];
      upstream.on('open', () => {
        for (const t of early.splice(0)) upstream.send(t);
      });
      upstream.on('message', (data, isBinary) => {
        if (isBinary || browser.readyState !== browser.OPEN) return;
        if (browser.bufferedAmount > MAX_BUFFERED) return;
        browser.send(data.toString());
      });
      browser.on('message', (data, isBinary) => {
        // Only the contract's messages go on, as on this agent's own socket.
        let parsed: unknown;
        try {
          parsed = JSON.parse(isBinary ? '' : data.toString());
        } catch {
          return;
        }
        if (!ClientMessageSchema.safeParse(parsed).success) return;
        const text = JSON.stringify(parsed);
        if (upstream.readyState === upstream.OPEN) upstream.send(text);
        else if (upstream.readyState === upstream.CONNECTING && early.length < 64) early.push(text);
      });
      const end = () => {
        open.delete(browser);
        if (browser.readyState === browser.OPEN) browser.close(1011, 'member closed');
        upstream.terminate();
      };
      upstream.on('close', end);
      upstream.on('error', end);
      upstream.on('unexpected-response', (_r, res) => {
        res.resume();
        end();
      });
      browser.on('close', end);
      browser.on('error', end);
    });
    return true;
  }

  return {
    handle,
    upgrade,
    close: () => {
      for (const ws of open) ws.terminate();
      wss.close();
    },
  };
}
