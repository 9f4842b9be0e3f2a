// The front door over real agents: three member agents and one front door, each a
// process of its own on loopback ports. 60 people join through the front door: every
// server's seats fill, in order, nobody twice; one member killed → its people are back
// at the front of the line within 5 s; restarted → it takes them again (the sessions it
// kept from before the kill removed first); a draining server gets nobody new.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionSnapshot } from '../../shared/admission-rules';
import type { FleetSessionView } from '../../shared/wire/fleet';
import { waitFor } from '../helpers';
import { adminCall, startFrontDoor, startMember, stop, type FrontDoorChild, type Member } from './fleet-fixture';

const SEATS = 10;
let members: Member[] = [];
let door: FrontDoorChild;

beforeAll(async () => {
  members = await Promise.all(['render-01', 'render-02', 'render-03'].map((n) => startMember(n, { seats: SEATS })));
  door = await startFrontDoor(members);
}, 90_000);

afterAll(async () => {
  await Promise.all([door, ...members].filter(Boolean).map((x) => stop(x.child)));
});

const operatorsOn = async (m: Member) => {
  const r = await adminCall<AdmissionSnapshot>(m.child.admin, m.child.token, 'admission.get');
  return r.data.seats.flatMap((s) => (s.operator ? [s.operator.name] : []));
};

describe('the front door places one line on three servers', () => {
  const people: FleetSessionView[] = [];

  it('60 people join: the seats of all servers fill in order, nobody is placed twice, the rest wait in order', async () => {
    for (let i = 0; i < 60; i++) people.push(await door.join(`p${String(i).padStart(2, '0')}`));
    // Each join's answer already says where the person is.
    people.slice(0, 30).forEach((p) => expect(p.server, p.name).not.toBeNull());
    people.slice(30).forEach((p, k) => {
      expect(p.server).toBeNull();
      expect(p.position).toBe(k + 1);
    });
    const placed = people.slice(0, 30).map((p) => p.server);
    for (const m of members) expect(placed.filter((s) => s === m.name)).toHaveLength(SEATS);
    // The members' own admission agrees: 30 operators, each person once.
    const ops = (await Promise.all(members.map(operatorsOn))).flat().sort();
    expect(ops).toEqual(
      people
        .slice(0, 30)
        .map((p) => p.name)
        .sort(),
    );
    // The overview's seat figures come from the members' own (throttled) snapshots: wait for them.
    const o = await waitFor(
      async () => {
        const v = await door.overview();
        return v.members.every((m) => m.seats?.used === SEATS) ? v : null;
      },
      'every member’s seats shown full in the overview',
      5000,
      100,
    );
    expect(o.frontDoor).toMatchObject({ waiting: 30, placed: 30 });
    for (const m of o.members) expect(m.seats).toEqual({ total: SEATS, used: SEATS, free: 0 });
  });

  it('a member killed: its people are told and back at the front of the line within 5 s, in their order', async () => {
    const victim = members[1]!;
    const theirs = people.filter((p) => p.server === victim.name).map((p) => p.id);
    expect(theirs).toHaveLength(SEATS);
    const t0 = Date.now();
    victim.child.proc.kill('SIGKILL');
    const views = await waitFor(
      async () => {
        const vs = await Promise.all(theirs.map((id) => door.get(id)));
        return vs.every((v) => v && v.server === null && v.position !== null) ? vs : null;
      },
      'the killed member’s people back in line',
      8000,
      100,
    );
    const took = Date.now() - t0;
    console.log(`offline → back at the front of the line: ${took} ms`);
    expect(took).toBeLessThanOrEqual(5000);
    expect(views.map((v) => v!.position)).toEqual(theirs.map((_, k) => k + 1));
    for (const v of views) expect(v!.lostServer).toBe(victim.name);
    // Those who waited before are behind them, in their order.
    const firstWaiting = await door.get(people[30]!.id);
    expect(firstWaiting?.position).toBe(SEATS + 1);
    const o = await door.overview();
    const row = o.members.find((m) => m.name === victim.name)!;
    expect(row.state).toBe('offline');
    expect(row.cpu).toBeNull(); // no frozen figures
    expect(row.seats).toBeNull();
  });

  it('the member restarted: it takes people again, nobody twice (the sessions it kept from before are removed)', async () => {
    const victim = members[1]!;
    const theirs = people.filter((p) => p.server === victim.name).map((p) => p.id);
    const port = victim.child.admin;
    const restarted = await startMember(victim.name, { seats: SEATS }, victim.dir, port);
    members[1] = restarted;
    const t0 = Date.now();
    await waitFor(
      async () => {
        const vs = await Promise.all(theirs.map((id) => door.get(id)));
        return vs.every((v) => v?.server === victim.name);
      },
      'the restarted member taking its people again',
      15000,
      100,
    );
    console.log(`member back → people placed on it again: ${Date.now() - t0} ms`);
    const ops = (await operatorsOn(restarted)).sort();
    expect(ops).toEqual(
      people
        .filter((p) => theirs.includes(p.id))
        .map((p) => p.name)
        .sort(),
    );
    const all = (await Promise.all(members.map(operatorsOn))).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(30);
    expect((await door.get(people[30]!.id))?.position).toBe(1);
  });

  it('a draining server gets nobody new; its people stay; a place elsewhere goes to the front of the line', async () => {
    const [a, , c] = members;
    expect((await door.admin('fleet.drain', { server: a!.name, draining: true })).status).toBe(200);
    await waitFor(async () => (await door.overview()).members.find((m) => m.name === a!.name)?.draining, 'the drain shown', 5000, 50);
    // Someone on the draining server leaves: the seat stays empty.
    const onA = people.find((p) => p.server === a!.name)!;
    expect(await door.leave(onA.id)).toBe(200);
    await waitFor(async () => (await door.overview()).members.find((m) => m.name === a!.name)?.seats?.free === 1, 'the freed seat seen', 5000, 50);
    // Someone on another server leaves: the first waiting person goes there, not to the drained server.
    const onC = people.find((p) => p.server === c!.name)!;
    expect(await door.leave(onC.id)).toBe(200);
    const first = await waitFor(
      async () => {
        const v = await door.get(people[30]!.id);
        return v?.server ? v : null;
      },
      'the first waiting person placed',
      5000,
      50,
    );
    expect(first.server).toBe(c!.name);
    expect(await operatorsOn(a!)).toHaveLength(SEATS - 1);
    expect((await door.get(people[31]!.id))?.position).toBe(1);
    // The member itself refuses joins while draining.
    const direct = await fetch(`${a!.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'direct', want: 'operate' }) });
    expect(direct.status).toBe(503);
    // The drain ended: it takes the next person.
    expect((await door.admin('fleet.drain', { server: a!.name, draining: false })).status).toBe(200);
    const next = await waitFor(
      async () => {
        const v = await door.get(people[31]!.id);
        return v?.server ? v : null;
      },
      'the next person placed on the un-drained server',
      5000,
      50,
    );
    expect(next.server).toBe(a!.name);
  });

  it('a member that hangs (stopped, its socket still open: no refusal, only silence) is offline within 5 s by its silence; resumed, it takes people again', async () => {
    const hung = members[2]!;
    const theirs = (await Promise.all(people.map((p) => door.get(p.id)))).filter((v) => v?.server === hung.name).map((v) => v!.id);
    expect(theirs.length).toBeGreaterThan(0);
    const t0 = Date.now();
    hung.child.proc.kill('SIGSTOP');
    try {
      await waitFor(async () => (await Promise.all(theirs.map((id) => door.get(id)))).every((v) => v?.server === null), 'the hung member’s people back in line', 8000, 100);
      const took = Date.now() - t0;
      console.log(`hung member (silence only) → people back at the front: ${took} ms`);
      expect(took).toBeLessThanOrEqual(5000);
    } finally {
      hung.child.proc.kill('SIGCONT');
    }
    await waitFor(async () => (await Promise.all(theirs.map((id) => door.get(id)))).every((v) => v?.server === hung.name), 'the resumed member taking its people again', 15000, 100);
    const all = (await Promise.all(members.map(operatorsOn))).flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('the front door killed and started again: everyone keeps their place, placed or waiting (its journal)', async () => {
    // The journal writes its changes in batches (at most 50 ms of them can be lost in a crash,
    // as the README says): the line is read once it has been at rest past that window, so the
    // kill tests what the journal promises, not a placement made a moment before it.
    const read = () => Promise.all(people.map((p) => door.get(p.id)));
    const places = (vs: Awaited<ReturnType<typeof read>>) => JSON.stringify(vs.map((v) => v && [v.server, v.position]));
    let before = await read();
    await waitFor(
      async () => {
        await new Promise((r) => setTimeout(r, 150));
        const again = await read();
        const atRest = places(again) === places(before);
        before = again;
        return atRest;
      },
      'the line at rest',
      10_000,
      0,
    );
    const dir = door.dir;
    await stop(door.child, 'SIGKILL');
    door = await startFrontDoor(members, dir);
    const after = await Promise.all(people.map((p) => door.get(p.id)));
    after.forEach((v, i) => {
      const b = before[i];
      if (!b) return expect(v).toBeNull(); // those who left stay gone
      expect(v, b.name).not.toBeNull();
      expect({ server: v!.server, position: v!.position }).toEqual({ server: b.server, position: b.position });
    });
    // Still nobody twice on the members.
    const all = (await Promise.all(members.map(operatorsOn))).flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('the servers list: the --fleet file is kept with mode 0600; add by pasted URL, rename, remove', async () => {
    expect(fs.statSync(door.fleetFile).mode & 0o777).toBe(0o600);
    const link = `http://127.0.0.1:1/#token=${'x'.repeat(20)}`;
    const add = await door.admin<{ name: string }>('fleet.add', { link, name: 'spare' });
    expect(add.status).toBe(200);
    expect((await door.admin('fleet.add', { link, name: 'spare2' })).status).toBe(409); // the same address twice
    expect((await door.admin('fleet.rename', { server: 'spare', to: 'spare-1' })).status).toBe(200);
    const file = JSON.parse(fs.readFileSync(door.fleetFile, 'utf8'));
    expect(file.servers.map((s: { name: string }) => s.name)).toContain('spare-1');
    const o = await door.overview();
    expect(JSON.stringify(o)).not.toContain('x'.repeat(20)); // tokens never leave the core
    expect(o.members.find((m) => m.name === 'spare-1')?.state).toBe('offline');
    expect((await door.admin('fleet.remove', { server: 'spare-1' })).status).toBe(200);
    expect((await door.overview()).members.map((m) => m.name)).toEqual(['render-01', 'render-02', 'render-03']);
    expect((await door.admin('fleet.add', { host: '127.0.0.1' })).status).toBe(400);
  });
});
