// A fleet on loopback for the tests and bench:fleet: member agents and one front door,
// each a real agent in a process of its own (test/agent/fixtures/agent-child.ts), the
// front door reading a --fleet file that names the members.
import fs from 'node:fs';
import path from 'node:path';
import { spawnAgentChild, type AgentChild } from '../agent/fixtures/spawn-agent';
import type { FleetOverview, FleetSessionView } from '../../shared/wire/fleet';
import { tmpDir, waitFor } from '../helpers';

export interface Member {
  name: string;
  dir: string;
  child: AgentChild;
  url: string;
}

/** Seats etc. a member is given over its admin API once started. */
export interface MemberSetup {
  seats: number;
  spectatorsPerInstance?: number;
}

const MEMBER_ENV = { SESSIONS_PER_ADDRESS: '10000' };

export async function adminCall<T = unknown>(port: number, token: string, name: string, payload: unknown = {}): Promise<{ status: number; data: T; error?: { code: string; message: string } }> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/commands/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const body = JSON.parse(await r.text());
  return { status: r.status, data: body.data, error: body.error };
}

export async function setupMember(m: Member, setup: MemberSetup): Promise<void> {
  const r = await adminCall(m.child.admin, m.child.token, 'admission.set', {
    seatsFrom: 'manual',
    seats: setup.seats,
    spectatorsPerInstance: setup.spectatorsPerInstance ?? 0,
    heartbeatTimeoutSec: 3600,
    policy: 'open',
  });
  if (r.status !== 200) throw new Error(`admission.set on ${m.name}: ${r.status} ${JSON.stringify(r.error)}`);
}

export async function startMember(name: string, setup: MemberSetup, dir = tmpDir('sc-fleet-member-'), port?: number, env: Record<string, string> = {}): Promise<Member> {
  const child = await spawnAgentChild(dir, { ...MEMBER_ENV, ...(port ? { ADMIN_PORT: String(port) } : {}), ...env });
  const m = { name, dir, child, url: `http://127.0.0.1:${child.admin}` };
  await setupMember(m, setup);
  return m;
}

export interface FrontDoorChild {
  child: AgentChild;
  dir: string;
  fleetFile: string;
  overview(): Promise<FleetOverview>;
  join(name: string, want?: 'operate' | 'watch' | 'any'): Promise<FleetSessionView>;
  get(id: string): Promise<FleetSessionView | null>;
  leave(id: string): Promise<number>;
  admin<T = unknown>(name: string, payload?: unknown): Promise<{ status: number; data: T; error?: { code: string; message: string } }>;
}

/** A front door for these members; with `dir`, the one that ran there before starts again (its journal, its --fleet file). */
export async function startFrontDoor(members: Member[], dir = tmpDir('sc-fleet-door-')): Promise<FrontDoorChild> {
  const fleetFile = path.join(dir, 'fleet.json');
  if (!fs.existsSync(fleetFile)) fs.writeFileSync(fleetFile, JSON.stringify({ servers: members.map((m) => ({ name: m.name, url: m.url, token: m.child.token })) }), { mode: 0o600 });
  const child = await spawnAgentChild(dir, { FLEET_FILE: fleetFile, FRONT_DOOR_HEARTBEAT_SEC: '3600', SESSIONS_PER_ADDRESS: '10000' });
  const pub = `http://127.0.0.1:${child.sessions}/api/v1/sessions`;
  const door: FrontDoorChild = {
    child,
    dir,
    fleetFile,
    admin: (name, payload = {}) => adminCall(child.admin, child.token, name, payload),
    overview: async () => {
      const r = await adminCall<FleetOverview>(child.admin, child.token, 'fleet.list');
      if (r.status !== 200) throw new Error(`fleet.list: ${r.status}`);
      return r.data;
    },
    join: async (name, want = 'operate') => {
      const r = await fetch(pub, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, want }) });
      if (r.status !== 201) throw new Error(`join ${name}: ${r.status} ${await r.text()}`);
      const v: FleetSessionView = JSON.parse(await r.text());
      return v;
    },
    get: async (id) => {
      const r = await fetch(`${pub}/${id}`);
      if (r.status !== 200) return null;
      const v: FleetSessionView = JSON.parse(await r.text());
      return v;
    },
    leave: async (id) => (await fetch(`${pub}/${id}`, { method: 'DELETE' })).status,
  };
  await waitFor(
    async () => {
      const o = await door.overview();
      return o.members.length === members.length && o.members.every((m) => m.state === 'online' && m.seats !== null);
    },
    'every member online at the front door',
    20000,
    100,
  );
  return door;
}

export function stop(child: AgentChild, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.proc.once('exit', () => resolve());
    child.proc.kill(signal);
  });
}
