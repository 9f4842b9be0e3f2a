// npm run bench:sessions [-- --clients 1000 --seats 50]
// N real clients join the waiting line over HTTP and hold a WebSocket each, then
// the operators leave one by one. Prints, against a reference measured in the same
// run on the same agent (GET /api/v1/health at the same concurrency):
//   - join round trip (POST /api/v1/sessions) p50/p95 and its ratio to health;
//   - hand-over latency: an operator's DELETE until the next person's socket says
//     "operator" (while everyone behind is told their new place), p50/p95, and its
//     ratio to a ping → pong round trip on a session socket.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startAgent } from '../electron/server/api';
import { Core } from '../electron/core/core';
import { NoGpuSource } from '../electron/core/gpu/nvidia-reader';
import type { SessionView } from '../shared/admission-rules';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '1000' }, seats: { type: 'string', default: '50' } } });
const N = Number(values.clients);
const SEATS = Number(values.seats);
const TOKEN = 'bench-token-0123456789abcdefghijklmnopqrstuvwxyz';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-bench-sessions-'));
const core = await Core.create({ dataDir: home, gpu: new NoGpuSource('bench'), sampleIntervalMs: 1000, admission: { wilbur: false } });
// Every client joins from 127.0.0.1: the per-address cap (50) would refuse all but the first.
const agent = await startAgent({ core, port: 0, token: TOKEN, staticDir: null, sessionRateLimit: { perSec: 1e6, burst: 1e6 }, sessionsPerAddress: N });
const base = `http://127.0.0.1:${agent.port}`;
await core.invoke('admission.set', { seatsFrom: 'manual', seats: SEATS, spectatorsPerInstance: 0, policy: 'open', heartbeatTimeoutSec: 600 });

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const timed = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const CONCURRENCY = 50;
async function pool<T>(items: T[], fn: (x: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

// Warm-up (connections, JIT), then the reference: the cheapest route of the same
// server at the same concurrency, and one at a time for the hand-over.
const healthOnce = () => fetch(`${base}/api/v1/health`).then((r) => r.json());
await pool(
  Array.from({ length: 500 }, (_, i) => i),
  async () => void (await healthOnce()),
);
const health: number[] = [];
await pool(
  Array.from({ length: N }, (_, i) => i),
  async () => {
    health.push(await timed(healthOnce));
  },
);

const joins: number[] = [];
const ids: string[] = [];
await pool(
  Array.from({ length: N }, (_, i) => i),
  async (i) => {
    joins.push(
      await timed(async () => {
        const r = await fetch(`${base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `c${i}`, want: 'operate' }) });
        ids.push(((await r.json()) as SessionView).id);
      }),
    );
  },
);
const clients: { id: string; ws: WebSocket; last: SessionView | null; becameOperatorAt: number | null }[] = [];
await pool(ids, async (id) => {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/sessions/${id}/socket`);
  const c = { id, ws, last: null as SessionView | null, becameOperatorAt: null as number | null };
  ws.on('message', (m) => {
    const msg = JSON.parse(m.toString());
    if (msg.type !== 'session') return;
    if (msg.session.role === 'operator' && c.last?.role !== 'operator') c.becameOperatorAt = performance.now();
    c.last = msg.session;
  });
  await new Promise((r) => ws.once('open', r));
  clients.push(c);
});
await new Promise((r) => setTimeout(r, 500));

// Reference for the hand-over: a ping → pong round trip on a session socket.
const pings: number[] = [];
{
  const ws = clients[clients.length - 1]!.ws;
  for (let k = 0; k < 200; k++) {
    pings.push(
      await timed(
        () =>
          new Promise<void>((resolve) => {
            const on = (m: WebSocket.RawData) => {
              if (JSON.parse(m.toString()).type === 'pong') {
                ws.off('message', on);
                resolve();
              }
            };
            ws.on('message', on);
            ws.send('{"type":"ping"}');
          }),
      ),
    );
  }
}

// Operators leave one at a time; the first in line is told.
const handovers: number[] = [];
const waiting = () => clients.filter((c) => c.last?.role === 'queued').sort((a, b) => a.last!.position! - b.last!.position!);
const rounds = Math.min(200, N - SEATS);
for (let k = 0; k < rounds; k++) {
  const op = clients.find((c) => c.last?.role === 'operator');
  const next = waiting()[0];
  if (!op || !next) break;
  const t = performance.now();
  await fetch(`${base}/api/v1/sessions/${op.id}`, { method: 'DELETE' });
  op.last = null;
  while (next.becameOperatorAt === null) await new Promise((r) => setImmediate(r));
  handovers.push(next.becameOperatorAt - t);
}

const f = (x: number) => x.toFixed(2);
console.log(`clients ${N}, seats ${SEATS}, concurrency ${CONCURRENCY}`);
console.log(`health (reference)  p50 ${f(pct(health, 50))} ms  p95 ${f(pct(health, 95))} ms`);
console.log(`join                p50 ${f(pct(joins, 50))} ms  p95 ${f(pct(joins, 95))} ms   ratio to health p50 ${f(pct(joins, 50) / pct(health, 50))}`);
console.log(`socket ping→pong (reference) p50 ${f(pct(pings, 50))} ms`);
console.log(
  `hand-over (${handovers.length}; ${N - SEATS - 1} others told their new place each time)  p50 ${f(pct(handovers, 50))} ms  p95 ${f(pct(handovers, 95))} ms   ratio to ping p50 ${f(pct(handovers, 50) / pct(pings, 50))}`,
);
for (const c of clients) c.ws.terminate();
await agent.close();
await core.shutdown();
fs.rmSync(home, { recursive: true, force: true });
