// The Electron IPC wire (electron/main/ipc.ts + preload.ts ↔ renderer/src/transport/electron.ts):
// one channel for every command, one for the events, and the shape of an answer. IPC
// never throws across: errors come back as data.
import type { ApiErrorBody, AppEvent } from '../contract';

export const IPC_INVOKE = 'streamcap:invoke';
export const IPC_EVENT = 'streamcap:event';

export type IpcResult = { ok: true; data: unknown } | { ok: false; error: ApiErrorBody['error'] };

/** The narrow API the preload exposes to the page as `window.streamcap` (named functions, never ipcRenderer). */
export interface PreloadApi {
  invoke(name: string, payload: unknown): Promise<IpcResult>;
  onEvent(listener: (e: AppEvent) => void): () => void;
  locale: string;
}
