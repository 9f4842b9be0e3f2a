// Preload of the hidden viewer windows: one named function, the viewer's reports.
import { contextBridge, ipcRenderer } from 'electron';

contextBridge.exposeInMainWorld('streamcapReport', (report: unknown) => ipcRenderer.send('streamcap:viewer-report', report));
