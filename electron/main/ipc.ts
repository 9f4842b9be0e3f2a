// The IPC door: one handler for every command of the contract, which checks the
// sender (our own page, main frame) before anything else and lets the core validate
// the payload. It never throws across IPC: errors come back as data.
import { ApiError } from '../../shared/contract';
import { IPC_INVOKE, type IpcResult } from '../../shared/wire/ipc';
import type { ViewerReport } from '../core/streams/viewer-host';

export const APP_ORIGIN = 'streamcap://app';
export const VIEWER_ORIGIN = 'streamcap://viewer';

/** What the handler needs of Electron's WebFrameMain (kept minimal so tests can pass a plain object). */
export interface SenderFrame {
  url: string;
  parent: unknown | null;
}

/**
 * A main frame (no parent) showing a page of `origin`: scheme and host exactly, no port
 * and no user or password (`streamcap://evil@app/` parses to host `app`; no page of
 * ours is ever loaded with one, so such a URL is refused, not guessed at).
 */
function isMainFrameOf(origin: string, frame: SenderFrame | null | undefined): boolean {
  try {
    // Inside the try: a disposed WebFrameMain throws on every property read.
    if (!frame || frame.parent || typeof frame.url !== 'string') return false;
    const u = new URL(frame.url);
    return `${u.protocol}//${u.host}` === origin && u.username === '' && u.password === '' && u.port === '';
  } catch {
    return false;
  }
}

export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  return isMainFrameOf(APP_ORIGIN, frame);
}

/** The sender for a message: its URL (cut short), or why there is none. */
function senderName(frame: SenderFrame | null | undefined): string {
  try {
    return frame ? `${String(frame.url).slice(0, 200)}${frame.parent ? ', a sub-frame' : ''}` : 'no frame';
  } catch {
    return 'a disposed frame';
  }
}

export async function handleInvoke(invoke: (name: string, payload: unknown) => Promise<unknown>, frame: SenderFrame | null | undefined, name: unknown, payload: unknown): Promise<IpcResult> {
  try {
    if (!isTrustedSender(frame)) throw new ApiError('forbidden', `IPC from an untrusted sender (${senderName(frame)}) was refused.`);
    if (typeof name !== 'string' || name.length > 64) throw new ApiError('unknown_command', 'Command name must be a string of at most 64 characters.');
    return { ok: true, data: await invoke(name, payload) };
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError('internal', (e as Error)?.message ?? String(e));
    return { ok: false, error: err.toJSON().error };
  }
}

/** What registerIpc needs of Electron's IpcMainInvokeEvent. */
export interface InvokeEventLike {
  /** Electron: the frame that sent the message; null once it has navigated or been destroyed. */
  readonly senderFrame: SenderFrame | null;
  /** Electron: the page's WebContents (where main sends a member console's events). */
  readonly sender?: WebContentsLike;
}

/** What main needs of Electron's WebContents to push messages to a page, and to know when it is gone. */
export interface WebContentsLike {
  readonly id: number;
  send(channel: string, message: unknown): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): void;
}

/** What registerIpc needs of Electron's ipcMain (tests pass a stand-in of the same shape). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
}

/** Registers the one invoke handler on `ipcMain`: Electron main passes its own, the tests a stand-in. */
export function registerIpc(ipcMain: IpcMainLike, invoke: (name: string, payload: unknown) => Promise<unknown>): void {
  ipcMain.handle(IPC_INVOKE, (event, name, payload) => {
    let frame: SenderFrame | null;
    try {
      frame = event?.senderFrame ?? null;
    } catch {
      frame = null; // a destroyed frame: refused like any unknown sender
    }
    return handleInvoke(invoke, frame, name, payload);
  });
}

/** A measuring viewer's report comes from one of our hidden viewer windows' main frame only. */
export function isViewerSender(frame: SenderFrame | null | undefined): boolean {
  return isMainFrameOf(VIEWER_ORIGIN, frame);
}

const VIEWER_STATES = new Set(['connecting', 'streaming', 'failed']);
/** Figures of a stats report the core computes with: finite numbers, never negative. */
const STATS_NUMBERS = ['fps', 'mbps', 'framesReceived', 'bytesReceived', 'at'] as const;

/**
 * A viewer report as the viewer page sends it, or null. The page is ours, but it runs a
 * stream's content: a report without stats (the core reads stats.mbps) would throw in
 * the main process's listener, and NaN or a string would end up in every average.
 */
export function asViewerReport(r: unknown): ViewerReport | null {
  if (!r || typeof r !== 'object') return null;
  const o = r as Record<string, unknown>;
  if (o.type === 'state') {
    if (typeof o.state !== 'string' || !VIEWER_STATES.has(o.state)) return null;
    if (o.reason !== undefined && typeof o.reason !== 'string') return null;
    return { type: 'state', state: o.state as 'connecting' | 'streaming' | 'failed', ...(typeof o.reason === 'string' ? { reason: o.reason.slice(0, 500) } : {}) };
  }
  if (o.type === 'stats') {
    const st = o.stats as Record<string, unknown> | null;
    if (!st || typeof st !== 'object' || Array.isArray(st)) return null;
    for (const k of STATS_NUMBERS) if (typeof st[k] !== 'number' || !Number.isFinite(st[k]) || (st[k] as number) < 0) return null;
    return { type: 'stats', stats: st as unknown as Extract<ViewerReport, { type: 'stats' }>['stats'] };
  }
  return null;
}
