// What the preload exposes as window.streamcap, built from an ipcRenderer (Electron's in
// preload.ts; a stand-in wired to the main handlers in the tests). Named functions
// only: the page never gets ipcRenderer itself.
import type { AppEvent } from '../../shared/contract';
import { IPC_EVENT, IPC_INVOKE, IPC_MEMBER_EVENT, IPC_MEMBER_INVOKE, IPC_MEMBER_UNWATCH, IPC_MEMBER_WATCH, type IpcResult, type MemberWatchMessage, type PreloadApi } from '../../shared/wire/ipc';

/** What the preload uses of Electron's ipcRenderer. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
}

export function makePreloadApi(ipc: IpcRendererLike, locale: string): PreloadApi {
  let nextWatch = 1;
  return {
    invoke: (name, payload) => ipc.invoke(IPC_INVOKE, name, payload) as Promise<IpcResult>,
    onEvent: (listener) => {
      // What main sends on these channels (webContents.send in main.ts and member-relay.ts).
      const handler = (_e: unknown, event: unknown) => listener(event as AppEvent);
      ipc.on(IPC_EVENT, handler);
      return () => ipc.removeListener(IPC_EVENT, handler);
    },
    member: {
      invoke: (member, name, payload) => ipc.invoke(IPC_MEMBER_INVOKE, member, name, payload) as Promise<IpcResult>,
      watch: (member, listener) => {
        const watch = nextWatch++;
        let ended = false;
        const handler = (_e: unknown, message: unknown) => {
          const m = message as MemberWatchMessage;
          if (m.watch === watch && !ended) listener(m);
        };
        ipc.on(IPC_MEMBER_EVENT, handler);
        void (ipc.invoke(IPC_MEMBER_WATCH, member, watch) as Promise<IpcResult>).then((r) => {
          if (!r.ok && !ended) listener({ watch, state: 'closed', reason: r.error.message });
        });
        return () => {
          ended = true;
          ipc.removeListener(IPC_MEMBER_EVENT, handler);
          void ipc.invoke(IPC_MEMBER_UNWATCH, watch);
        };
      },
    },
    locale,
  };
}
