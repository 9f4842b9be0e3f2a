// npm run bench:streams [-- --streamers 3 --seconds 20 --warmup 12]
// Three JSStreamers (Epic's stand-in for an Unreal Pixel Streaming app) against a real
// Wilbur, watched at the same time by StreamCap's measuring viewers (one browser, a
// page per stream, encoded frames counted, nothing decoded) and by Epic's stock player
// page (one browser, a page per stream, decoding and drawing as a person's player does).
// Prints each side's CPU per stream over the same window and what each received.
// Last line: `viewer/player cpu ratio: X.XX` (target ≤ 0.5).
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { openTree, type InstanceTree } from '../electron/core/proc/tree';
import { browserPid, childPids, ChromiumViewerHost, VIEWER_BROWSER_ARGS } from '../electron/core/streams/viewer-host';
import type { ViewerStats } from '../shared/stream-quality';
import { CHROMIUM, jsStreamerArgs, LOOPBACK_ICE_INIT, requireStack, serveJsStreamer, startWilbur } from '../test/pixel-streaming';
import { tmpDir } from '../test/helpers';

const { values } = parseArgs({ options: { streamers: { type: 'string', default: '3' }, seconds: { type: 'string', default: '20' }, warmup: { type: 'string', default: '12' } } });
const N = Number(values.streamers);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
if (!requireStack()) process.exit(2);

const wilbur = await startWilbur();
const pages = await serveJsStreamer();
const profileDir = tmpDir('sc-bench-js-');
const streamers: ChildProcess[] = [];
for (let n = 1; n <= N; n++) {
  const args = jsStreamerArgs(pages.url, wilbur, profileDir).map((a) => a.replace(/\{n\}/g, String(n)));
  streamers.push(spawn(CHROMIUM, args, { stdio: 'ignore', detached: true }));
}
console.log(`${N} JSStreamers starting against Wilbur on ${wilbur.playerWs}…`);
await new Promise((r) => setTimeout(r, 6000));

// StreamCap's viewers.
const ours = new ChromiumViewerHost({ mode: 'count' });
const last = new Map<number, ViewerStats>();
await Promise.all(Array.from({ length: N }, (_, k) => ours.open({ signallingUrl: wilbur.playerWs, streamerId: `stream${k + 1}` }, (r) => r.type === 'stats' && last.set(k + 1, r.stats))));

// Epic's stock player page, the same way round.
const before = new Set(childPids());
const stock = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: VIEWER_BROWSER_ARGS });
const stockPid = browserPid(before);
const ctx = await stock.newContext({ viewport: { width: 640, height: 360 } });
await ctx.addInitScript({ content: LOOPBACK_ICE_INIT });
const players = await Promise.all(
  Array.from({ length: N }, async (_, k) => {
    const p = await ctx.newPage();
    await p.goto(`${wilbur.http}/?StreamerId=stream${k + 1}&AutoConnect=true&AutoPlayVideo=true&StartVideoMuted=true&HideUI=true`);
    return p;
  }),
);
const decoded = async () =>
  Promise.all(
    players.map(
      (p) =>
        p.evaluate(
          `(async () => { for (const pc of window.__pcs) for (const s of (await pc.getStats()).values()) if (s.type === 'inbound-rtp' && s.kind === 'video') return s.framesDecoded; return 0; })()`,
        ) as Promise<number>,
    ),
  );

console.log(`warming up ${WARMUP} s (bandwidth estimates ramp for 10–20 s)…`);
await new Promise((r) => setTimeout(r, WARMUP * 1000));
const oursPid = ours.rootPids()[0];
if (!oursPid || !stockPid) throw new Error(`browser PIDs not found (ours ${oursPid}, stock ${stockPid}): this benchmark reads /proc (Linux)`);
const trees = [openTree(oursPid, oursPid), openTree(stockPid, stockPid)] as InstanceTree[];
const now = Date.now();
for (const t of trees) {
  t.rescan(now, true);
  t.sample(now);
}
const framesOurs0 = [...Array(N)].map((_, k) => last.get(k + 1)?.framesReceived ?? 0);
const framesStock0 = await decoded();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const dt = (performance.now() - t0) / 1000;
const end = Date.now();
for (const t of trees) t.rescan(end, true);
const [cpuOurs, cpuStock] = (await Promise.all(trees.map((t) => t.sample(end)))).map((s) => (s.cpuSeconds / dt) * 100);
const fpsOurs = [...Array(N)].map((_, k) => ((last.get(k + 1)?.framesReceived ?? 0) - framesOurs0[k]!) / dt);
const fpsStock = (await decoded()).map((f, k) => (f - framesStock0[k]!) / dt);

console.log(`window ${dt.toFixed(1)} s, ${N} streams each side, at the same time`);
console.log(
  `StreamCap viewers (frames counted, not decoded): ${cpuOurs!.toFixed(1)} % of one core in all, ${(cpuOurs! / N).toFixed(1)} % per stream; received ${fpsOurs.map((f) => f.toFixed(1)).join(' / ')} fps`,
);
console.log(
  `Epic's stock player page (decoded, drawn):        ${cpuStock!.toFixed(1)} % of one core in all, ${(cpuStock! / N).toFixed(1)} % per stream; decoded ${fpsStock.map((f) => f.toFixed(1)).join(' / ')} fps`,
);

for (const t of trees) t.close();
await ours.close();
await stock.close();
for (const s of streamers) {
  try {
    process.kill(-s.pid!, 'SIGKILL');
  } catch {
    /* gone */
  }
}
await pages.close();
await wilbur.stop();
console.log(`viewer/player cpu ratio: ${(cpuOurs! / cpuStock!).toFixed(2)}`);
process.exit(0);
