// npm run bench:fleet [-- --members 8 --people 1000 --seats 20]
// Eight real member agents and one front door (an agent run with --fleet), each a
// process of its own on loopback. 1,000 people join through the front door and leave:
//   1. one at a time, interleaved with joins made on a member directly: the join round
//      trip through the front door (placed on a member before it answers) against a join
//      on a member directly, in the same run;
//   2. all at once (50 in flight): more people than places; as the placed leave, the line
//      moves on, until all have been placed once and left.
// Prints the placement decision's p99 (the front door's own timing of placeLine over its
// line and members), the round trips, and last: "front-door/direct join ratio: X.XX".
import { parseArgs } from 'node:util';
import { startFrontDoor, startMember, stop, type Member } from '../test/fleet/fleet-fixture';
import type { FleetSessionView } from '../shared/wire/fleet';

const { values } = parseArgs({ options: { members: { type: 'string', default: '8' }, people: { type: 'string', default: '1000' }, seats: { type: 'string', default: '20' } } });
const M = Number(values.members);
const N = Number(values.people);
const SEATS = Number(values.seats);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const fmt = (x: number) => x.toFixed(2);

const t0 = performance.now();
const members: Member[] = await Promise.all(Array.from({ length: M }, (_, i) => startMember(`render-${String(i + 1).padStart(2, '0')}`, { seats: SEATS })));
const door = await startFrontDoor(members);
console.log(`${M} member agents and a front door on loopback, ${SEATS} seats each (${M * SEATS} places), started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const post = async (url: string, name: string) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, want: 'operate' }) });
  const text = await r.text();
  if (r.status !== 201) throw new Error(`join at ${url}: ${r.status} ${text}`);
  const v: FleetSessionView = JSON.parse(text);
  return v;
};
const del = async (url: string) => {
  const r = await fetch(url, { method: 'DELETE' });
  await r.text();
  if (r.status !== 200) throw new Error(`leave at ${url}: ${r.status}`);
};
/** Runs fn over items with at most `width` in flight (the public listener caps sockets per address). */
async function pool<T, R>(items: readonly T[], width: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
const doorSessions = `http://127.0.0.1:${door.child.sessions}/api/v1/sessions`;

try {
  // Warm-up: sockets and JIT on every path.
  for (let i = 0; i < 50; i++) {
    const v = await post(doorSessions, `warm ${i}`);
    await del(`${doorSessions}/${v.id}`);
    const m = members[i % M]!;
    const d = await post(`${m.url}/api/v1/sessions`, `warm ${i}`);
    await del(`${m.url}/api/v1/sessions/${d.id}`);
  }

  // 1. One at a time: front door and direct, interleaved.
  const viaDoor: number[] = [];
  const direct: number[] = [];
  const servers = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    let t = performance.now();
    const v = await post(doorSessions, `guest ${i}`);
    viaDoor.push(performance.now() - t);
    if (!v.server) throw new Error(`guest ${i} was not placed at once though every server has room`);
    servers.set(v.server, (servers.get(v.server) ?? 0) + 1);
    await del(`${doorSessions}/${v.id}`);
    if (i % 2 === 0) {
      const m = members[(i / 2) % M]!;
      t = performance.now();
      const d = await post(`${m.url}/api/v1/sessions`, `direct ${i}`);
      direct.push(performance.now() - t);
      await del(`${m.url}/api/v1/sessions/${d.id}`);
    }
  }
  console.log(`one at a time: ${N} joins through the front door, spread over ${servers.size} servers (${[...servers.values()].join(' / ')})`);
  console.log(`join round trip, front door: p50 ${fmt(pct(viaDoor, 50))} ms · p99 ${fmt(pct(viaDoor, 99))} ms`);
  console.log(`join round trip, direct:     p50 ${fmt(pct(direct, 50))} ms · p99 ${fmt(pct(direct, 99))} ms   (${direct.length} joins on the members)`);

  // 2. All at once: more people than places; the line moves as the placed leave.
  const tBurst = performance.now();
  const views: FleetSessionView[] = new Array(N);
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < N) {
        const i = next++;
        views[i] = await post(doorSessions, `crowd ${i}`);
      }
    }),
  );
  const joinedMs = performance.now() - tBurst;
  const placedOnce = new Set<string>();
  const pending = new Set(views.map((v) => v.id));
  const deadline = Date.now() + 180_000;
  let rounds = 0;
  while (pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.size} people never placed`);
    rounds++;
    // Everyone placed leaves; the first in line are asked where they are.
    const ask = [...pending].slice(0, M * SEATS * 2);
    const now = await pool(ask, 32, async (id) => [id, await door.get(id)] as const);
    const placed = now.filter(([, v]) => v?.server);
    if (placed.length === 0) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    await pool(placed, 32, async ([id]) => {
      if (placedOnce.has(id)) throw new Error(`${id} placed twice`);
      placedOnce.add(id);
      pending.delete(id);
      await del(`${doorSessions}/${id}`);
    });
  }
  const o = await door.overview();
  console.log(
    `all at once: ${N} joined in ${(joinedMs / 1000).toFixed(1)} s (${M * SEATS} places), all placed once and left in ${((performance.now() - tBurst) / 1000).toFixed(1)} s (${rounds} rounds); line now ${o.frontDoor?.waiting} waiting, ${o.frontDoor?.placed} placed`,
  );
  console.log(`placements: ${o.frontDoor?.placements}; placement decision p99: ${o.frontDoor?.placementP99Ms?.toFixed(3)} ms (placeLine over the line and ${M} members)`);
  console.log(`front-door/direct join ratio: ${(pct(viaDoor, 50) / pct(direct, 50)).toFixed(2)}`);
} finally {
  await Promise.all([door, ...members].map((x) => stop(x.child)));
}
