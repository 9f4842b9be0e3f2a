// The narrow bridge: named functions only, never ipcRenderer itself (built in preload-api.ts).
import { contextBridge, ipcRenderer } from 'electron';
import { makePreloadApi } from './preload-api';

const localeArg = process.argv.find((a) => a.startsWith('--streamcap-locale='));

contextBridge.exposeInMainWorld('streamcap', makePreloadApi(ipcRenderer, localeArg ? localeArg.slice('--streamcap-locale='.length) : 'en'));
