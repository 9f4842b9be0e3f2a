// A member agent's per-address cap and rate limit are for people, not for the front door
// that places many people from one address: a member started with the strictest cap
// (--sessions-per-address 1) still takes one person per seat from the front door (which
// sends the member's admin token), while a second direct join from one address is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrontDoor, startMember, stop, type FrontDoorChild, type Member } from './fleet-fixture';

let member: Member;
let door: FrontDoorChild;

beforeAll(async () => {
  member = await startMember('render-01', { seats: 5 }, undefined, undefined, { SESSIONS_PER_ADDRESS: '1' });
  door = await startFrontDoor([member]);
}, 60_000);

afterAll(async () => {
  await Promise.all([door, member].filter(Boolean).map((x) => stop(x.child)));
});

describe('a member behind a front door', () => {
  it('takes a person per seat from the front door, though it allows one place per address', async () => {
    const people = [];
    for (let i = 0; i < 7; i++) people.push(await door.join(`p${i}`));
    expect(people.slice(0, 5).map((p) => p.server)).toEqual(Array(5).fill('render-01'));
    expect(people.slice(5).map((p) => p.position)).toEqual([1, 2]);
    // The cap still holds for people: one direct join from this address, then a refusal in words.
    const direct = `${member.url}/api/v1/sessions`;
    const join = (name: string) => fetch(direct, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, want: 'watch' }) });
    expect((await join('direct-1')).status).toBe(201);
    const second = await join('direct-2');
    expect(second.status).toBe(429);
    expect(await second.text()).toMatch(/already holds 1 place/);
  });
});
