// A member's console through this agent: the console (in a browser on this agent's
// origin, with this agent's token) opens a fleet member "in place" by pointing its web
// transport at /api/v1/fleet/servers/<name>; commands and the event socket are relayed
// to that member with the member's token, which never leaves the core.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from '../../shared/contract';
import { AgentClientMessageSchema, WS_PROTOCOL } from '../../shared/wire/agent';
import { FLEET_PROXY_PATH } from '../../shared/wire/fleet';
import type { Core, FleetMemberAccess } from '../core/core';
import { readJsonBody, sendJson } from './http';

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
    const member = core.fleetMember(m[1]!);
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
    let member: FleetMemberAccess;
    try {
      member = core.fleetMember(m[1]!);
    } catch {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return true;
    }
    wss.handleUpgrade(req, socket, head, (browser) => {
      open.add(browser);
      const upstream = member.openEvents();
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
        if (!AgentClientMessageSchema.safeParse(parsed).success) return;
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
