// The Electron shell: a window, a custom protocol for the UI, and IPC wired to the
// core. Everything else lives in electron/core and runs without Electron.
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_EVENT } from '../../shared/wire/ipc';
import { Core } from '../core/core';
import { installLastResort } from '../server/http';
import { startSessionServer, type SessionServer } from '../server/sessions';
import { APP_ORIGIN, registerIpc } from './ipc';
import { registerMemberRelay } from './member-relay';
import { ElectronViewerHost } from './viewers';
import { safeStorageSealer } from './token-sealer';

// ws:/wss: for the stream wall's players (each tile connects to its instance's signalling server).
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:";
const EXTERNAL_ALLOWLIST = [/^https:\/\/github\.com\//, /^https:\/\/docs\.unrealengine\.com\//, /^https:\/\/dev\.epicgames\.com\//];

// The main process supervises every instance: a fault nothing caught is logged, not fatal.
installLastResort();

protocol.registerSchemesAsPrivileged([{ scheme: 'streamcap', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const uiRoot = () => path.join(app.getAppPath(), 'dist', 'renderer');

let core: Core | null = null;
let sessions: SessionServer | null = null;
let quitting = false;

function serveUi(): void {
  protocol.handle('streamcap', async (req) => {
    const url = new URL(req.url);
    if (url.host !== 'app' && url.host !== 'viewer') return new Response('not found', { status: 404 });
    // streamcap://viewer: the measuring viewers' page (hidden windows), streamcap://app: the console.
    const root = url.host === 'viewer' ? path.join(app.getAppPath(), 'dist', 'viewer') : uiRoot();
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    } catch {
      return new Response('bad path', { status: 400 });
    }
    const file = path.normalize(path.join(root, decoded));
    if (!file.startsWith(root + path.sep)) return new Response('forbidden', { status: 403 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('content-security-policy', CSP);
    return new Response(res.body, { status: res.status, headers });
  });
}

function harden(win: BrowserWindow): void {
  win.webContents.on('will-navigate', (e, url) => {
    if (!url.startsWith(APP_ORIGIN + '/')) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (EXTERNAL_ALLOWLIST.some((re) => re.test(url))) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
}

async function createWindow(): Promise<void> {
  const win = new BrowserWindow({
    width: 1440,
    height: 960,
    minWidth: 960,
    minHeight: 640,
    backgroundColor: '#070b14',
    title: 'StreamCap',
    show: false,
    webPreferences: {
      preload: path.join(import.meta.dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      // Middle-click would open links in new windows behind the window-open handler's back.
      disableBlinkFeatures: 'Auxclick',
      additionalArguments: [`--streamcap-locale=${app.getLocale()}`],
    },
  });
  harden(win);
  win.once('ready-to-show', () => win.show());
  const unsubscribe = core!.subscribe((event) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, event);
  });
  win.on('closed', unsubscribe);
  await win.loadURL(`${APP_ORIGIN}/index.html`);
}

app.enableSandbox();
app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  serveUi();
  core = await Core.create({ orphanPolicy: 'ask', viewers: new ElectronViewerHost(), fleet: { sealer: safeStorageSealer() } });
  await serveWaitingRoom(core);
  registerIpc(ipcMain, (n, p) => core!.invoke(n, p));
  // A fleet member's console in place: its commands and events relayed with the token the core keeps.
  registerMemberRelay(ipcMain, (name) => core!.fleetMember(name));
  await createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
});

/**
 * The waiting room and the client sessions API for end users, on a listener of its
 * own (never the admin API). Loopback unless STREAMCAP_SESSIONS_HOST says otherwise
 * (0.0.0.0 for the LAN); a busy port is reported, not fatal.
 */
async function serveWaitingRoom(c: Core): Promise<void> {
  const host = process.env.STREAMCAP_SESSIONS_HOST || '127.0.0.1';
  const port = Number(process.env.STREAMCAP_SESSIONS_PORT || 7421);
  try {
    sessions = await startSessionServer({ core: c, host, port, staticDir: uiRoot() });
    c.setWaitingRoomUrl(`${sessions.url}wait`);
  } catch (e) {
    console.error(`Waiting room not served: ${(e as Error).message}`);
  }
}

app.on('window-all-closed', () => app.quit());
app.on('before-quit', (e) => {
  if (quitting || !core) return;
  // Stop every instance (whole trees) before the console goes away.
  e.preventDefault();
  quitting = true;
  void Promise.all([sessions?.close(), core.shutdown({ stopInstances: true })]).finally(() => app.quit());
});
