// The narrow bridge: named functions only, never ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AppEvent } from '../../shared/contract';
import { IPC_EVENT, IPC_INVOKE, type PreloadApi } from '../../shared/wire/ipc';

const localeArg = process.argv.find((a) => a.startsWith('--streamcap-locale='));

const api: PreloadApi = {
  invoke: (name: string, payload: unknown) => ipcRenderer.invoke(IPC_INVOKE, name, payload),
  onEvent: (listener: (e: AppEvent) => void) => {
    const handler = (_e: IpcRendererEvent, event: AppEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
  locale: localeArg ? localeArg.slice('--streamcap-locale='.length) : 'en',
};

contextBridge.exposeInMainWorld('streamcap', api);
