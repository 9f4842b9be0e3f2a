// Epic's Pixel Streaming reference stack (../shared/pixel-streaming beside the
// checkout, read-only): a real Wilbur on free loopback ports, a static server for
// JSStreamer's pages, and JSStreamer instances as StreamCap profiles (a headless
// Chromium process each, launched the way StreamCap launches a render app).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import sirv from 'sirv';
import { ProfileSchema, type Profile } from '../shared/contract';
import { ROOT, tmpDir, waitFor } from './helpers';

export const PS_DIR = path.resolve(process.env.STREAMCAP_PIXEL_STREAMING ?? path.join(ROOT, '..', 'shared', 'pixel-streaming'));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the stack and a Chromium are here. In CI their absence fails the test (it
 * says where it looked); elsewhere the test is skipped and says why.
 */
export function stackMissing(): string | null {
  const wilbur = path.join(PS_DIR, 'wilbur', 'wilbur.js');
  if (!fs.existsSync(wilbur)) return `Epic's Pixel Streaming stack not found: looked for ${wilbur} (set STREAMCAP_PIXEL_STREAMING)`;
  if (!fs.existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  return null;
}

export function requireStack(): boolean {
  const missing = stackMissing();
  if (!missing) return true;
  if (process.env.CI) throw new Error(missing);
  console.warn(`SKIPPED (not in CI): ${missing}`);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * A free port with the next `span - 1` free too, below Linux's ephemeral range
 * (32768–60999): a port picked there can be taken by any outgoing connection before
 * the process that is to listen on it starts.
 */
export async function freePortRange(span: number): Promise<number> {
  const tryBind = (p: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 12000);
    let ok = true;
    for (let k = 0; k < span && ok; k++) ok = await tryBind(base + k);
    if (ok) return base;
  }
  throw new Error(`no ${span} free ports in a row found between 20000 and 32000`);
}

export interface Wilbur {
  playerPort: number;
  streamerPort: number;
  /** ws:// address players connect to. */
  playerWs: string;
  /** http:// base of the player page and REST API. */
  http: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startWilbur(extra: string[] = []): Promise<Wilbur> {
  const [playerPort, streamerPort, sfuPort] = [await freePort(), await freePort(), await freePort()];
  const logs = tmpDir('sc-wilbur-');
  const proc = spawn(
    process.execPath,
    [
      path.join(PS_DIR, 'wilbur', 'wilbur.js'),
      '--no_config',
      '--serve',
      '--rest_api',
      '--player_port',
      String(playerPort),
      '--streamer_port',
      String(streamerPort),
      '--sfu_port',
      String(sfuPort),
      '--log_folder',
      logs,
      ...extra,
    ],
    {
      cwd: logs,
      env: { ...process.env, WILBUR_BIND_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const base = `http://127.0.0.1:${playerPort}`;
  await waitFor(
    async () =>
      (await fetch(`${base}/api/status`).then(
        (r) => r.ok,
        () => false,
      )) ||
      (proc.exitCode !== null && Promise.reject(new Error(`Wilbur exited: ${out}`))),
    'Wilbur to answer /api/status',
    20000,
    100,
  );
  return {
    playerPort,
    streamerPort,
    playerWs: `ws://127.0.0.1:${playerPort}`,
    http: base,
    proc,
    stop: () => stopChild(proc),
  };
}

export function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 3000).unref(); // a deadline for SIGTERM, then SIGKILL
  });
}

/** JSStreamer's pages over HTTP on loopback (the page must not share Wilbur's port). */
export async function serveJsStreamer(): Promise<{ url: string; close(): Promise<void> }> {
  const handler = sirv(path.join(PS_DIR, 'jsstreamer'), { dev: true });
  const server = http.createServer((req, res) =>
    handler(req, res, () => {
      res.statusCode = 404;
      res.end();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** JSStreamer's flags, as its README gives them for a streamer launched as a process. */
export function jsStreamerArgs(pagesUrl: string, wilbur: Wilbur, profileDir: string, idTemplate = 'stream{n}', debugPortBase?: number): string[] {
  return [
    ...(debugPortBase ? [`--remote-debugging-port={${debugPortBase}+i}`] : []),
    '--headless=new',
    '--no-sandbox',
    '--autoplay-policy=no-user-gesture-required',
    '--use-fake-ui-for-media-stream',
    '--allow-loopback-in-peer-connection',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--disable-gpu',
    '--mute-audio',
    `--user-data-dir=${profileDir}/{n}`,
    `${pagesUrl}/autostart.html?StreamerId=${idTemplate}&SignallingURL=ws://127.0.0.1:${wilbur.streamerPort}&AutoStart=true`,
  ];
}

/** A StreamCap profile whose instances are JSStreamers registering as stream{n}, with a measuring viewer each. */
export function jsStreamerProfile(pagesUrl: string, wilbur: Wilbur, over: { id?: string; viewers?: number; idTemplate?: string; debugPortBase?: number } = {}): Profile {
  return ProfileSchema.parse({
    id: over.id ?? 'jsstreamer',
    name: 'JSStreamer',
    exe: CHROMIUM,
    args: jsStreamerArgs(pagesUrl, wilbur, tmpDir('sc-jsstreamer-'), over.idTemplate, over.debugPortBase),
    staggerSec: 0.5,
    stream: { signallingUrl: wilbur.playerWs, streamerId: over.idTemplate ?? 'stream{n}', playerUrl: `${wilbur.http}/?StreamerId=${over.idTemplate ?? 'stream{n}'}`, viewers: over.viewers ?? 1 },
  });
}

export async function wilburStreamers(w: Wilbur): Promise<{ streamerId: string; subscribers: unknown[] }[]> {
  return (await (await fetch(`${w.http}/api/streamers`)).json()) as { streamerId: string; subscribers: unknown[] }[];
}

/**
 * The streamer's own side of its connections, read over the DevTools protocol of the
 * JSStreamer's browser (started with --remote-debugging-port): outbound-rtp video per
 * peer connection, found with Runtime.queryObjects (the page keeps its connections private).
 */
export async function streamerOutbound(debugPort: number): Promise<{ frames: number; bytes: number; t: number }[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${debugPort}`);
  try {
    const page = browser.contexts()[0]!.pages()[0]!;
    const cdp = await page.context().newCDPSession(page);
    const proto = (await cdp.send('Runtime.evaluate', { expression: 'RTCPeerConnection.prototype' })) as { result: { objectId: string } };
    const found = (await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId })) as { objects: { objectId: string } };
    const out = (await cdp.send('Runtime.callFunctionOn', {
      objectId: found.objects.objectId,
      functionDeclaration: `async function () {
        const rows = [];
        for (const pc of this) {
          if (pc.connectionState !== 'connected') continue;
          for (const s of (await pc.getStats()).values()) {
            if (s.type === 'outbound-rtp' && s.kind === 'video') rows.push({ frames: s.framesSent ?? s.framesEncoded, bytes: s.bytesSent, t: Date.now() });
          }
        }
        return rows;
      }`,
      awaitPromise: true,
      returnByValue: true,
    })) as { result: { value: { frames: number; bytes: number; t: number }[] } };
    return out.result.value;
  } finally {
    await browser.close().catch(() => undefined);
  }
}

/**
 * Init script for a test's own player pages (Epic's stock player): media on loopback
 * only, as Epic's demo does (every ICE candidate that is not 127.0.0.1 or ::1 dropped),
 * and every RTCPeerConnection kept in window.__pcs for getStats(). Text, since the tests
 * are compiled for Node without DOM types.
 */
export const LOOPBACK_ICE_INIT = `(() => {
  const Orig = window.RTCPeerConnection;
  const loop = (c) => {
    const s = c && typeof c === 'object' ? c.candidate : c;
    if (typeof s !== 'string' || s === '') return true;
    const a = s.split(' ')[4];
    return a === '127.0.0.1' || a === '::1';
  };
  window.__pcs = [];
  window.RTCPeerConnection = class extends Orig {
    constructor(cfg) { super(cfg); window.__pcs.push(this); }
    addIceCandidate(c) { return loop(c) ? super.addIceCandidate(c) : Promise.resolve(); }
    setRemoteDescription(d) {
      return super.setRemoteDescription(d && d.sdp ? { type: d.type, sdp: d.sdp.split('\\r\\n').filter((l) => !l.startsWith('a=candidate:') || loop(l.slice(2))).join('\\r\\n') } : d);
    }
  };
})();`;
