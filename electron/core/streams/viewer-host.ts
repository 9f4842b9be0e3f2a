// Where StreamCap's measuring viewers run. One browser for all of them (a page per
// viewer: one browser's fixed cost instead of one per stream), started on first use
// and closed when no viewer is left. The agent and the CLI use a headless
// Chromium/Chrome/Edge found on the machine, driven by playwright-core; the Electron
// shell can pass a host of its own (a hidden window) through CoreOptions.viewers.
import fs from 'node:fs';
import path from 'node:path';
import type { ViewerStats } from '../../../shared/stream-quality';
import { viewerBundle } from './viewer-bundle';

export interface ViewerTarget {
  signallingUrl: string;
  streamerId: string;
}

export type ViewerReport = { type: 'state'; state: 'connecting' | 'streaming' | 'failed'; reason?: string } | { type: 'stats'; stats: ViewerStats };

export interface ViewerHandle {
  close(): Promise<void>;
}

export interface ViewerHost {
  /** Opens one viewer of a stream; reports arrive through `onReport` until closed. */
  open(target: ViewerTarget, onReport: (r: ViewerReport) => void): Promise<ViewerHandle>;
  /** Roots of the host's process trees (their cost is measured apart, never as an instance's). */
  rootPids(): number[];
  close(): Promise<void>;
}

/** Chromium flags for a loopback-only, unattended viewer (Epic's reference stack's own set, plus what headless needs). */
export const VIEWER_BROWSER_ARGS = [
  '--no-sandbox',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--mute-audio',
  // Pages of a headless browser are "hidden": without these, timers and media of
  // background pages are throttled and the count would read low.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/**
 * StreamCap's own viewers share one renderer process: each page is a few timers and a
 * frame counter, and a renderer per page (Chromium's default) costs its own fixed load.
 */
export const VIEWER_ONLY_ARGS = ['--renderer-process-limit=1'];

const CANDIDATES: Record<string, string[]> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/usr/bin/microsoft-edge', '/snap/bin/chromium'],
  win32: [
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Microsoft\\Edge\\Application\\msedge.exe`,
    `${process.env.PROGRAMFILES ?? 'C:\\Program Files'}\\Microsoft\\Edge\\Application\\msedge.exe`,
    `${process.env.PROGRAMFILES ?? 'C:\\Program Files'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env.LOCALAPPDATA ?? ''}\\Google\\Chrome\\Application\\chrome.exe`,
  ],
  darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
};

/** The browser the viewers run in: $STREAMCAP_CHROMIUM, else the first Chromium-family browser installed. */
export function findBrowser(): { path: string } | { path: null; reason: string } {
  const env = process.env.STREAMCAP_CHROMIUM;
  if (env) return fs.existsSync(env) ? { path: env } : { path: null, reason: `STREAMCAP_CHROMIUM points at ${env}, which does not exist` };
  const list = CANDIDATES[process.platform] ?? [];
  const found = list.find((p) => p && fs.existsSync(p));
  if (found) return { path: found };
  return {
    path: null,
    reason: `no Chromium, Chrome or Edge found (looked in ${list
      .map((p) => path.dirname(p))
      .filter((v, i, a) => a.indexOf(v) === i)
      .join(', ')}); install one or set STREAMCAP_CHROMIUM`,
  };
}

// A loopback origin, served from memory by the route below (nothing listens there):
// Chromium's Local Network Access checks block a public origin's WebSocket to a
// loopback or LAN signalling server, and a loopback origin may reach both.
const ORIGIN = 'http://127.0.0.1:9';
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>StreamCap viewer</title>
<style>html,body{margin:0;background:#000}#player{width:320px;height:180px;position:relative}</style></head>
<body><div id="player"></div><script src="${ORIGIN}/viewer.js"></script></body></html>`;

/** This process's children (Linux): playwright starts the browser as one, with no public handle on its PID. */
export function childPids(): number[] {
  if (process.platform !== 'linux') return [];
  try {
    return fs.readdirSync(`/proc/${process.pid}/task`).flatMap((tid) => fs.readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** The browser playwright just started: the new child whose command line carries its debugging pipe. */
export function browserPid(before: Set<number>): number | null {
  for (const pid of childPids()) {
    if (before.has(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--remote-debugging-pipe')) return pid;
    } catch {
      /* gone */
    }
  }
  return null;
}

type Browser = import('playwright-core').Browser;
type BrowserContext = import('playwright-core').BrowserContext;

export class ChromiumViewerHost implements ViewerHost {
  private browser: Promise<{ browser: Browser; context: BrowserContext }> | null = null;
  private pid: number | null = null;
  private open_ = 0;
  private idle: NodeJS.Timeout | null = null;

  constructor(private readonly opts: { mode?: 'count' | 'decode'; executablePath?: string } = {}) {}

  private start(): Promise<{ browser: Browser; context: BrowserContext }> {
    this.browser ??= (async () => {
      const found = this.opts.executablePath ? { path: this.opts.executablePath } : findBrowser();
      if (found.path === null) throw new Error(found.reason);
      const executablePath = found.path;
      const bundle = await viewerBundle();
      const { chromium } = await import('playwright-core');
      const before = new Set(childPids());
      const browser = await chromium.launch({ executablePath, headless: true, args: [...VIEWER_BROWSER_ARGS, ...VIEWER_ONLY_ARGS] });
      this.pid = browserPid(before);
      const context = await browser.newContext({ viewport: { width: 320, height: 180 } });
      // The page and its script come from memory: no port, no file served.
      await context.route(`${ORIGIN}/**`, (route) => {
        const u = new URL(route.request().url());
        if (u.pathname === '/viewer.js') return route.fulfill({ status: 200, contentType: 'text/javascript', body: bundle });
        return route.fulfill({ status: 200, contentType: 'text/html', body: PAGE });
      });
      browser.on('disconnected', () => {
        this.browser = null;
        this.pid = null;
      });
      return { browser, context };
    })();
    this.browser.catch(() => (this.browser = null));
    return this.browser;
  }

  async open(target: ViewerTarget, onReport: (r: ViewerReport) => void): Promise<ViewerHandle> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    this.open_++;
    let closed = false;
    let page: import('playwright-core').Page;
    try {
      const { context } = await this.start();
      page = await context.newPage();
    } catch (e) {
      this.released();
      throw e;
    }
    await page.exposeBinding('streamcapReport', (_src, r: ViewerReport) => {
      if (!closed) onReport(r);
    });
    if (process.env.STREAMCAP_VIEWER_DEBUG) page.on('console', (m) => process.stderr.write(`[viewer ${target.streamerId}] ${m.text()}\n`));
    page.on('crash', () => !closed && onReport({ type: 'state', state: 'failed', reason: 'the viewer page crashed' }));
    const q = new URLSearchParams({ ss: target.signallingUrl, id: target.streamerId, mode: this.opts.mode ?? 'count' });
    await page.goto(`${ORIGIN}/viewer.html?${q}`, { waitUntil: 'domcontentloaded', timeout: 15000 });
    return {
      close: async () => {
        if (closed) return;
        closed = true;
        await page.close().catch(() => undefined);
        this.released();
      },
    };
  }

  /** The last viewer gone: the browser goes too after a short while (its memory is not ours to keep). */
  private released(): void {
    this.open_--;
    if (this.open_ > 0) return;
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => void this.close(), 5000);
    this.idle.unref();
  }

  rootPids(): number[] {
    return this.pid === null ? [] : [this.pid];
  }

  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const b = this.browser;
    this.browser = null;
    this.pid = null;
    if (!b) return;
    try {
      const { browser } = await b;
      await browser.close();
    } catch {
      /* never started, or already gone */
    }
  }
}
