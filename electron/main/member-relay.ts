// A fleet member's console in place, inside the desktop app: the page asks main for a
// member's commands and events over IPC, and main relays them to the member agent with
// the member's token (kept by the core, never sent to the page). The web console does
// the same through the agent's HTTP relay (electron/server/fleet-proxy.ts).
// Kept free of Electron imports so the tests drive it with stand-ins of ipcMain and
// WebContents (as test/main/ipc-fuzz.test.ts does for the main handler).
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { AgentServerMessage } from '../../shared/wire/agent';
import { API_ERROR_CODES, ApiError } from '../../shared/contract';
import { IPC_MEMBER_EVENT, IPC_MEMBER_INVOKE, IPC_MEMBER_UNWATCH, IPC_MEMBER_WATCH, type MemberWatchMessage } from '../../shared/wire/ipc';
import type { FleetMemberAccess } from '../core/core';
import { handleInvoke, type InvokeEventLike, type IpcMainLike, type WebContentsLike } from './ipc';

/** A page's watches at once (one console shows one member; a few for reloads in flight). */
const MAX_WATCHES_PER_PAGE = 8;
/** A page this far behind (a member's burst of history) misses events rather than growing main's memory. */
const MAX_EVENT_BYTES = 8 << 20;

const MemberAnswer = z.union([
  z.object({ data: z.unknown() }),
  z.object({ error: z.object({ code: z.enum(API_ERROR_CODES).catch('unavailable'), message: z.string().max(2000), issues: z.array(z.string()).optional() }) }),
]);
const MemberName = z.string().min(1).max(64);
const WatchId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

function arg<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ApiError('invalid_payload', `The ${what} is not valid: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return r.data;
}

export interface MemberRelay {
  /** The watches open now (tests and shutdown). */
  readonly open: number;
  close(): void;
}

/** Registers the member channels on ipcMain; `member(name)` is the core's fleetMember (throws not_found for an unknown name). */
export function registerMemberRelay(ipcMain: IpcMainLike, member: (name: string) => FleetMemberAccess): MemberRelay {
  const watches = new Map<string, { ws: WebSocket; page: WebContentsLike }>();
  const pages = new Set<number>();

  const relay = async (name: unknown, command: unknown, payload: unknown): Promise<unknown> => {
    const m = member(arg(MemberName, name, 'server name'));
    if (typeof command !== 'string' || command.length > 64) throw new ApiError('unknown_command', 'Command name must be a string of at most 64 characters.');
    const a = await m.command(command, payload ?? {}).catch((e: Error) => {
      throw new ApiError('unavailable', `${m.name} cannot be reached: ${e.message}`);
    });
    const body = MemberAnswer.safeParse(a.body);
    if (!body.success) throw new ApiError('unavailable', `${m.name} answered HTTP ${a.status} with something that is not a StreamCap answer; is that address a StreamCap agent?`);
    if ('error' in body.data) throw new ApiError(body.data.error.code, `${m.name}: ${body.data.error.message}`, body.data.error.issues);
    return body.data.data;
  };

  const end = (key: string) => {
    const w = watches.get(key);
    if (!w) return;
    watches.delete(key);
    w.ws.removeAllListeners();
    w.ws.on('error', () => {}); // a socket still connecting reports its own termination
    w.ws.terminate();
  };

  const watch = (page: WebContentsLike | undefined, name: unknown, id: unknown): number => {
    if (!page) throw new ApiError('forbidden', 'A watch needs a page to send its events to.');
    const watchId = arg(WatchId, id, 'watch id');
    const key = `${page.id}:${watchId}`;
    if (watches.has(key)) throw new ApiError('conflict', `Watch ${watchId} is already open.`);
    if ([...watches.values()].filter((w) => w.page === page).length >= MAX_WATCHES_PER_PAGE) throw new ApiError('rate_limited', `At most ${MAX_WATCHES_PER_PAGE} member consoles per window.`);
    const m = member(arg(MemberName, name, 'server name'));
    const send = (msg: MemberWatchMessage) => {
      if (!page.isDestroyed()) page.send(IPC_MEMBER_EVENT, msg);
    };
    const ws = m.openEvents();
    let sentBytes = 0;
    let since = Date.now();
    watches.set(key, { ws, page });
    if (!pages.has(page.id)) {
      pages.add(page.id);
      page.once('destroyed', () => {
        pages.delete(page.id);
        for (const [k, w] of watches) if (w.page === page) end(k);
      });
    }
    ws.on('open', () => send({ watch: watchId, state: 'open' }));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      // A rough per-second budget: IPC has no backpressure to read, unlike a socket's bufferedAmount.
      const now = Date.now();
      if (now - since > 1000) {
        since = now;
        sentBytes = 0;
      }
      const text = data.toString();
      if ((sentBytes += text.length) > MAX_EVENT_BYTES) return;
      let msg: AgentServerMessage | null;
      try {
        // The member is a StreamCap agent the admin added; its events are the contract's, as on our own socket.
        msg = JSON.parse(text) as AgentServerMessage | null;
      } catch {
        return;
      }
      // Only events go to the page; the page's commands go over IPC_MEMBER_INVOKE.
      if (msg?.type === 'event') send({ watch: watchId, event: msg.event });
    });
    let reason: string | undefined;
    ws.on('unexpected-response', (_req, res) => {
      reason = res.statusCode === 401 ? `${m.name} refused the token it has in the servers list (HTTP 401); paste its link again.` : `${m.name} answered HTTP ${res.statusCode}.`;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (e) => {
      reason ??= `${m.name} cannot be reached: ${e.message}`;
    });
    ws.on('close', () => {
      if (watches.get(key)?.ws !== ws) return;
      watches.delete(key);
      send({ watch: watchId, state: 'closed', reason: reason ?? `${m.name} closed the connection.` });
    });
    return watchId;
  };

  ipcMain.handle(IPC_MEMBER_INVOKE, (event, name, command, payload) => handleInvoke(() => relay(name, command, payload), frameOf(event), command, payload));
  ipcMain.handle(IPC_MEMBER_WATCH, (event, name, id) => handleInvoke(async () => watch(senderOf(event), name, id), frameOf(event), 'watch', null));
  ipcMain.handle(IPC_MEMBER_UNWATCH, (event, id) =>
    handleInvoke(
      async () => {
        const page = senderOf(event);
        if (page) end(`${page.id}:${arg(WatchId, id, 'watch id')}`);
        return null;
      },
      frameOf(event),
      'unwatch',
      null,
    ),
  );

  return {
    get open() {
      return watches.size;
    },
    close() {
      for (const k of [...watches.keys()]) end(k);
    },
  };
}

function frameOf(event: InvokeEventLike) {
  try {
    return event?.senderFrame ?? null;
  } catch {
    return null; // a destroyed frame: refused like any unknown sender
  }
}

function senderOf(event: InvokeEventLike): WebContentsLike | undefined {
  try {
    return event?.sender;
  } catch {
    return undefined;
  }
}
