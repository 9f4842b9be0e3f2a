// The measuring viewers inside the desktop app: a hidden window per viewer, loading
// the same viewer page the agent runs in headless Chromium (renderer/viewer), so the
// desktop app needs no browser of its own. Reports come back over one IPC channel,
// checked against the window that sent them. (Not run here: no Electron binary can be
// had on the build machines; the agent's Chromium host is what the tests exercise.)
import { BrowserWindow, ipcMain, type IpcMainEvent } from 'electron';
import path from 'node:path';
import { asViewerReport, isViewerSender, VIEWER_ORIGIN } from './ipc';
import type { ViewerHandle, ViewerHost, ViewerReport, ViewerTarget } from '../core/streams/viewer-host';

export { VIEWER_ORIGIN };

export class ElectronViewerHost implements ViewerHost {
  private windows = new Map<number, { win: BrowserWindow; onReport: (r: ViewerReport) => void }>();

  constructor() {
    ipcMain.on('streamcap:viewer-report', (event: IpcMainEvent, raw: unknown) => {
      const entry = this.windows.get(event.sender.id);
      // Only our hidden windows' main frames speak on this channel, and only in the report's shape.
      if (!entry || !isViewerSender(event.senderFrame)) return;
      const report = asViewerReport(raw);
      if (report) entry.onReport(report);
    });
  }

  async open(target: ViewerTarget, onReport: (r: ViewerReport) => void): Promise<ViewerHandle> {
    const win = new BrowserWindow({
      show: false,
      width: 320,
      height: 180,
      webPreferences: {
        preload: path.join(import.meta.dirname, 'viewer-preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        // A hidden window is throttled by default: its stats timer would slow down.
        backgroundThrottling: false,
        partition: 'streamcap-viewers',
        autoplayPolicy: 'no-user-gesture-required',
      },
    });
    const id = win.webContents.id;
    this.windows.set(id, { win, onReport });
    win.webContents.setAudioMuted(true);
    win.webContents.on('render-process-gone', () => onReport({ type: 'state', state: 'failed', reason: 'the viewer window crashed' }));
    win.webContents.on('will-navigate', (e) => e.preventDefault());
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    const q = new URLSearchParams({ ss: target.signallingUrl, id: target.streamerId, mode: 'count', loopback: '0' });
    await win.loadURL(`${VIEWER_ORIGIN}/viewer.html?${q}`);
    return {
      close: async () => {
        this.windows.delete(id);
        if (!win.isDestroyed()) win.destroy();
      },
    };
  }

  rootPids(): number[] {
    const pids = new Set<number>();
    for (const { win } of this.windows.values()) if (!win.isDestroyed()) pids.add(win.webContents.getOSProcessId());
    return [...pids].filter((p) => p > 0);
  }

  async close(): Promise<void> {
    for (const { win } of this.windows.values()) if (!win.isDestroyed()) win.destroy();
    this.windows.clear();
  }
}
