// npm run soak [-- --minutes N] [-- --no-tests]
//
// The long versions of the reliability tests, then a long run with figures:
//   1. the fuzz and kill tests with their counts raised: API fuzz 60 s per interface,
//      5000 raw-HTTP cases per listener, 10000 CLI cases per command, 1000 journal
//      replays, 500 kill -9 cycles;
//   2. --minutes N (default 10; 0 skips it): a real agent under a steady churn of
//      people joining and leaving over HTTP and their sockets, with an admin socket
//      open; every 30 s its memory (RSS), open files and StreamCap's own event-loop
//      delay p99 (from its samples), then whether they stayed flat.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { spawnAgentChild } from '../test/agent/fixtures/spawn-agent';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, 'no-tests': { type: 'boolean', default: false } } });
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes < 0) {
  console.error(`--minutes must be a number of minutes (0 skips the long run), got "${values.minutes}".`);
  process.exit(2);
}
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
let failed = false;

if (!values['no-tests']) {
  const env = { ...process.env, FUZZ_API_MS: '60000', FUZZ_RAW_RUNS: '5000', FUZZ_CLI_RUNS: '10000', FUZZ_REPLAY_RUNS: '1000', KILL_CYCLES: '500' };
  const files = ['test/agent/api-fuzz.test.ts', 'test/agent/raw-http-fuzz.test.ts', 'test/cli/flags-fuzz.test.ts', 'test/core/journal.test.ts', 'test/agent/kill-anywhere.test.ts'];
  console.log(`soak: ${files.join(' ')} with ${Object.entries(env).filter(([k]) => /^(FUZZ|KILL)_/.test(k)).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...files, '--testTimeout', '14400000', '--hookTimeout', '600000'], { cwd: ROOT, env, stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}

if (minutes > 0) failed = (await longRun(minutes)) || failed;
process.exit(failed ? 1 : 0);

async function longRun(mins: number): Promise<boolean> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-soak-'));
  const ports = await spawnAgentChild(dir, { SESSIONS_PER_ADDRESS: '100000' }, 'inherit');
  const child = ports.proc;
  const pid = child.pid!;
  const base = `http://127.0.0.1:${ports.sessions}/api/v1/sessions`;
  await fetch(`http://127.0.0.1:${ports.admin}/api/v1/admission`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ports.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ seatsFrom: 'manual', seats: 20, spectatorsPerInstance: 2, policy: 'open', heartbeatTimeoutSec: 60 }),
  });
  // The admin console's socket: samples carry the agent's event-loop delay p99.
  let loopP99 = 0;
  const admin = new WebSocket(`ws://127.0.0.1:${ports.admin}/api/v1/events`, ['streamcap.v1', `streamcap-token.${ports.token}`]);
  admin.on('message', (raw) => {
    const m = JSON.parse(String(raw)) as { type: string; event?: { type: string; data: { loopDelayP99Ms?: number | null } } };
    if (m.event?.type === 'sample') loopP99 = Math.max(loopP99, m.event.data.loopDelayP99Ms ?? 0);
  });
  // The churn: about 20 joins a second, people leave after a while, a third hold a socket open.
  const inLine: { id: string; ws: WebSocket | null }[] = [];
  let joins = 0;
  let errors = 0;
  const churn = setInterval(() => {
    void (async () => {
      for (let k = 0; k < 2; k++) {
        const r = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `Soak ${joins}`, want: joins % 3 ? 'any' : 'operate' }) }).catch(() => null);
        if (!r || r.status !== 201) {
          errors++;
          continue;
        }
        const { id } = (await r.json()) as { id: string };
        const ws = joins++ % 3 === 0 ? new WebSocket(`ws://127.0.0.1:${ports.sessions}/api/v1/sessions/${id}/socket`) : null;
        ws?.on('error', () => undefined);
        inLine.push({ id, ws });
      }
      while (inLine.length > 300) {
        const gone = inLine.shift()!;
        gone.ws?.close();
        await fetch(`${base}/${gone.id}`, { method: 'DELETE' }).catch(() => errors++);
      }
      // Heartbeats of those without a socket.
      for (const p of inLine.slice(-20)) if (!p.ws) void fetch(`${base}/${p.id}`).catch(() => errors++);
    })();
  }, 100);

  const read = () => {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
    return { rss, fds };
  };
  const rows: { t: number; rss: number; fds: number; loopP99: number }[] = [];
  console.log(`\nsoak: ${mins} min of churn against a real agent (pid ${pid})\n  min    RSS MB   open files   loop p99 ms   joins`);
  const end = Date.now() + mins * 60_000;
  const t0 = Date.now();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(30_000, end - Date.now())));
    const { rss, fds } = read();
    rows.push({ t: (Date.now() - t0) / 60_000, rss, fds, loopP99 });
    console.log(`  ${rows.at(-1)!.t.toFixed(1).padStart(4)}   ${rss.toFixed(1).padStart(7)}   ${String(fds).padStart(10)}   ${loopP99.toFixed(1).padStart(11)}   ${joins}`);
    loopP99 = 0;
  }
  clearInterval(churn);
  for (const p of inLine) p.ws?.terminate();
  admin.terminate();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  // Flat: the second half's mean within 20 % (or 20 MB) of the first half's; p99 under 50 ms.
  const half = Math.max(1, Math.floor(rows.length / 2));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const rssA = avg(rows.slice(0, half).map((r) => r.rss));
  const rssB = avg(rows.slice(half).map((r) => r.rss));
  const fdsA = avg(rows.slice(0, half).map((r) => r.fds));
  const fdsB = avg(rows.slice(half).map((r) => r.fds));
  const p99 = Math.max(...rows.map((r) => r.loopP99));
  const memFlat = rssB <= Math.max(rssA * 1.2, rssA + 20);
  const fdsFlat = fdsB <= fdsA * 1.2 + 5;
  console.log(`soak: RSS ${rssA.toFixed(1)} → ${rssB.toFixed(1)} MB (${memFlat ? 'flat' : 'GROWING'}), open files ${fdsA.toFixed(0)} → ${fdsB.toFixed(0)} (${fdsFlat ? 'flat' : 'GROWING'}), event-loop p99 max ${p99.toFixed(1)} ms (${p99 < 50 ? 'under' : 'OVER'} 50 ms), ${joins} joins, ${errors} failed requests`);
  return !(memFlat && fdsFlat && p99 < 50 && errors === 0);
}
