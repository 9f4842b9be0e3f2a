// kill -9 of the CLI or the agent must not leave instances running unseen: the next
// start finds them through the ledger and stops them (or adopts them).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { alive, CPU_LOAD, groupPids, NODE, nextEvents, ROOT, tmpDir, waitFor } from '../helpers';
import { internals } from '../core-internals';

const CLI = path.join(ROOT, 'bin/streamcap.js');
const procs: ChildProcess[] = [];
let core: Core | null = null;
const leftovers: number[] = [];

afterEach(async () => {
  await core?.shutdown({ stopInstances: true });
  core = null;
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** Starts the CLI, waits until it runs `count` instances, then kill -9s it. Returns the instance PIDs. */
async function launchAndKill9(home: string, count: number, extraArgs: string[] = []): Promise<number[]> {
  const cli = spawn(NODE, [CLI, 'launch', '--exe', NODE, '--count', String(count), '--stagger', '0', '--json', '--interval', '300', '--', CPU_LOAD, '--load', '5', '--children', '1', ...extraArgs], {
    env: { ...process.env, STREAMCAP_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(cli);
  let out = '';
  cli.stdout!.on('data', (d) => (out += d));
  const pids = await waitFor(
    () => {
      const lines = out.trim().split('\n').filter(Boolean);
      const last = lines.length ? (JSON.parse(lines[lines.length - 1]!) as { instances: { pid: number; state: string; processes: number }[] }) : null;
      return last && last.instances.length === count && last.instances.every((i) => i.state === 'running' && i.processes >= 2) ? last.instances.map((i) => i.pid) : null;
    },
    'CLI running its instances',
    20000,
  );
  cli.kill('SIGKILL');
  await new Promise((r) => cli.once('exit', r));
  leftovers.push(...pids);
  return pids;
}

describe('orphaned instances', () => {
  it('after kill -9 of the CLI, the next CLI run stops the leftovers', async () => {
    const home = tmpDir();
    const pids = await launchAndKill9(home, 2);
    const members = pids.flatMap((p) => groupPids(p));
    expect(members.length).toBeGreaterThanOrEqual(4);
    for (const m of members) expect(alive(m)).toBe(true); // they did survive the kill

    const next = spawn(NODE, [CLI, 'launch', '--exe', NODE, '--count', '1', '--duration', '1', '--', CPU_LOAD, '--load', '1'], {
      env: { ...process.env, STREAMCAP_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    procs.push(next);
    let err = '';
    next.stderr!.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => next.once('exit', r));
    expect(code).toBe(0);
    expect(err).toMatch(/Found 2 instance\(s\) left running/);
    for (const m of members) expect(alive(m), `leftover ${m}`).toBe(false);
  });

  it('after kill -9 of the agent, the next start offers the leftovers; stop cleans them up', async () => {
    const home = tmpDir();
    const agent = spawn(NODE, [CLI, 'agent', '--port', '0'], { env: { ...process.env, STREAMCAP_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(agent);
    let out = '';
    agent.stdout!.on('data', (d) => (out += d));
    const url = await waitFor(() => /Web console: (http:\/\/\S+?)\/#token=(\S+)/.exec(out), 'agent URL', 60000);
    const [, base, token] = url;
    const call = async (name: string, body: unknown) => {
      const r = await fetch(`${base}/api/v1/commands/${name}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await r.json()) as { data: any };
    };
    await call('profiles.save', { id: 'burn', name: 'Burn', exe: NODE, args: [CPU_LOAD, '--load', '5'], staggerSec: 0 });
    await call('instances.launch', { profileId: 'burn', count: 2 });
    const pids = await waitFor(async () => {
      const list = (await call('instances.list', {})).data as { pid: number; state: string }[];
      return list.every((i) => i.state === 'running') && list.length === 2 ? list.map((i) => i.pid) : null;
    }, 'agent instances running');
    leftovers.push(...pids);
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    for (const p of pids) expect(alive(p)).toBe(true);

    core = await Core.create({ dataDir: home, gpu: new NoGpuSource('test'), sampleIntervalMs: 500 });
    const orphans = core.orphanList();
    expect(orphans.map((o) => o.pid).sort()).toEqual([...pids].sort());
    expect(orphans[0]!.profileName).toBe('Burn');
    await core.invoke('orphans.resolve', { action: 'stop' });
    for (const p of pids) expect(alive(p)).toBe(false);
    expect(core.orphanList()).toEqual([]);
  });

  it('adopted leftovers are watched (load, stop) like our own', async () => {
    const home = tmpDir();
    const pids = await launchAndKill9(home, 1);
    core = await Core.create({ dataDir: home, gpu: new NoGpuSource('test'), sampleIntervalMs: 300 });
    expect(core.orphanList()).toHaveLength(1);
    await core.invoke('orphans.resolve', { action: 'adopt' });
    const [inst] = internals(core).supervisor.list();
    expect(inst).toMatchObject({ adopted: true, state: 'running', pid: pids[0] });
    const [, last] = await nextEvents(core, 'sample', 2, () => true, 'two samples of the adopted tree');
    expect(last!.instances[0]!.processes).toBeGreaterThanOrEqual(2);
    await core.invoke('instances.stop', { id: inst!.id });
    expect(groupPids(pids[0]!)).toEqual([]);
  });

  it('an instance that writes output outlives a kill -9 of StreamCap, and the core that adopts it reads its output on', async () => {
    const home = tmpDir();
    // --chatty: a line of output about every 100 ms, from the launcher and its child.
    const pids = await launchAndKill9(home, 1, ['--chatty', '0.1']);
    // Written through a pipe, the next line after the kill would fail with EPIPE and end the instance.
    await new Promise((r) => setTimeout(r, 1000));
    expect(groupPids(pids[0]!).length).toBeGreaterThanOrEqual(2);
    core = await Core.create({ dataDir: home, gpu: new NoGpuSource('test'), sampleIntervalMs: 300 });
    await core.invoke('orphans.resolve', { action: 'adopt' });
    const [inst] = internals(core).supervisor.list();
    const adoptedAt = Date.now();
    type Log = { lines: { t: number; stream: string; text: string }[] };
    const lines = await waitFor(
      async () => {
        const log = (await core!.invoke('instances.log', { id: inst!.id })) as Log;
        const fresh = log.lines.filter((l) => l.stream === 'stdout' && l.t > adoptedAt + 500 && /^x{99}$/.test(l.text));
        return fresh.length >= 3 ? log.lines : null;
      },
      'output written after the adoption in the log',
      10_000,
      100,
    );
    expect(lines.find((l) => l.stream === 'system' && /adopted pid/.test(l.text))!.text).not.toMatch(/not captured/);
  });

  it('a PID reused by another process is not taken for a leftover', async () => {
    const home = tmpDir();
    const pids = await launchAndKill9(home, 1);
    // Kill the leftover behind StreamCap's back; its ledger entry stays.
    process.kill(-pids[0]!, 'SIGKILL');
    await waitFor(() => groupPids(pids[0]!).length === 0, 'group gone');
    core = await Core.create({ dataDir: home, gpu: new NoGpuSource('test') });
    expect(core.orphanList()).toEqual([]);
  });
});

describe('an instance spawned just before the kill', () => {
  it('is found by its environment marker when the ledger holds only the entry written before the spawn', async () => {
    const home = tmpDir();
    const ledgerDir = path.join(home, 'ledger');
    // A dead owner's ledger: the entry written before the spawn (no pid yet), as a kill -9 between spawn and the pid's entry leaves it.
    const dead = spawn(NODE, ['-e', '0']);
    const deadPid = await new Promise<number>((r) => dead.on('exit', () => r(dead.pid!)));
    const { Ledger } = await import('../../electron/core/ledger');
    const owner = `${deadPid}-12345`;
    const fs = await import('node:fs');
    fs.mkdirSync(ledgerDir, { recursive: true });
    fs.writeFileSync(
      path.join(ledgerDir, `${owner}.json`),
      JSON.stringify({ ownerPid: deadPid, ownerStartTime: 12345, entries: [{ id: 'x-1', pid: 0, pgid: 0, startTime: 0, startedAt: Date.now(), exe: NODE, n: 1, profileId: 'x', profileName: 'X' }] }),
    );
    // The instance it spawned, in its own group, carrying the marker.
    const inst = spawn(NODE, [CPU_LOAD, '--load', '1'], { detached: true, stdio: 'ignore', env: { ...process.env, STREAMCAP_INSTANCE: `${owner}/x-1` } });
    leftovers.push(inst.pid!);
    // An unrelated process with another marker is not taken.
    const other = spawn(NODE, [CPU_LOAD, '--load', '1'], { detached: true, stdio: 'ignore', env: { ...process.env, STREAMCAP_INSTANCE: `${owner}/x-2` } });
    leftovers.push(other.pid!);
    await waitFor(() => alive(inst.pid!) && alive(other.pid!), 'both running');
    const orphans = new Ledger(ledgerDir).findOrphans();
    expect(orphans.map((o) => o.pid)).toEqual([inst.pid]);
    for (const o of orphans) o.tree.close();
    // And the core stops it at start with --orphans stop.
    core = await Core.create({ dataDir: home, gpu: new NoGpuSource('test'), autoStart: false, orphanPolicy: 'stop', admission: { wilbur: false } });
    await waitFor(() => !alive(inst.pid!), 'the marked instance stopped', 10_000);
    expect(alive(other.pid!)).toBe(true);
  });
});
