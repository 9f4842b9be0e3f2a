// The Electron IPC wire (electron/main/ipc.ts + preload.ts ↔ renderer/src/transport/electron.ts):
// one channel for every command, one for the events, and the shape of an answer. IPC
// never throws across: errors come back as data.
import type { ApiErrorBody, AppEvent } from '../contract';

export const IPC_INVOKE = 'streamcap:invoke';
export const IPC_EVENT = 'streamcap:event';

/** A fleet member's console in place (Electron): its commands and its event socket, relayed by main with the member's token, which never reaches the page. */
export const IPC_MEMBER_INVOKE = 'streamcap:member-invoke';
export const IPC_MEMBER_WATCH = 'streamcap:member-watch';
export const IPC_MEMBER_UNWATCH = 'streamcap:member-unwatch';
export const IPC_MEMBER_EVENT = 'streamcap:member-event';

/** What main sends on IPC_MEMBER_EVENT for one watch: the member's socket opened or closed, or one of its events. */
export type MemberWatchMessage = { watch: number; state: 'open' | 'closed'; reason?: string } | { watch: number; event: AppEvent };

export type IpcResult = { ok: true; data: unknown } | { ok: false; error: ApiErrorBody['error'] };

/** The narrow API the preload exposes to the page as `window.streamcap` (named functions, never ipcRenderer). */
export interface PreloadApi {
  invoke(name: string, payload: unknown): Promise<IpcResult>;
  onEvent(listener: (e: AppEvent) => void): () => void;
  /** A fleet member's console in place: its commands, and a watch on its events (the listener gets open/closed and events; the function returned ends the watch). */
  member: {
    invoke(member: string, name: string, payload: unknown): Promise<IpcResult>;
    watch(member: string, listener: (m: MemberWatchMessage) => void): () => void;
  };
  locale: string;
}
