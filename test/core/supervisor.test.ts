// Supervision against real processes: process trees, stop with grace, exact
// arguments, crashes, restarts with backoff, bounded output, launchers that exit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { alive, CPU_LOAD, groupPids, NODE, nextEvents, profile, tmpDir, waitFor } from '../helpers';
import { internals } from '../core-internals';
import { InstanceOutput, ROTATE_BYTES } from '../../electron/core/instance-output';

let core: Core | null = null;
afterEach(async () => {
  await core?.shutdown({ stopInstances: true });
  core = null;
});

async function makeCore(opts: Parameters<typeof Core.create>[0] = {}) {
  core = await Core.create({ dataDir: tmpDir(), sampleIntervalMs: 250, gpu: new NoGpuSource('test'), ...opts });
  return core;
}

const info = (c: Core, id: string) =>
  internals(c)
    .supervisor.list()
    .find((i) => i.id === id)!;

describe('supervisor', () => {
  it('stops the whole tree, grandchildren included, within the grace period', async () => {
    const c = await makeCore({ supervisor: { graceMs: 1500 } });
    const p = profile({ args: [CPU_LOAD, '--load', '5', '--children', '2'] });
    const { ids } = internals(c).supervisor.launch(p, 1, 0);
    const pid = await waitFor(() => info(c, ids[0]!).pid, 'pid');
    // launcher + 2 children, and each child runs its own node: wait for the whole group.
    await waitFor(() => groupPids(pid).length >= 3, 'three processes in the group');
    const members = groupPids(pid);
    const t0 = Date.now();
    await internals(c).supervisor.stop(ids[0]!);
    const took = Date.now() - t0;
    expect(took).toBeLessThan(1500 + 1000);
    for (const m of members) expect(alive(m), `pid ${m} still alive`).toBe(false);
    expect(info(c, ids[0]!).state).toBe('stopped');
  });

  it('kills a tree that ignores SIGTERM once the grace period is over', async () => {
    const c = await makeCore({ supervisor: { graceMs: 800 } });
    const { ids } = internals(c).supervisor.launch(profile({ args: [CPU_LOAD, '--load', '1', '--ignore-term', '--children', '1'] }), 1, 0);
    const pid = await waitFor(() => info(c, ids[0]!).pid, 'pid');
    await waitFor(() => groupPids(pid).length >= 2, 'child started');
    const members = groupPids(pid);
    const t0 = Date.now();
    await internals(c).supervisor.stop(ids[0]!);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(800);
    expect(took).toBeLessThan(800 + 1000);
    for (const m of members) expect(alive(m)).toBe(false);
    expect(info(c, ids[0]!).reason).toMatch(/SIGKILL/);
  });

  it('passes arguments byte for byte, with no shell in between', async () => {
    const c = await makeCore();
    const dir = tmpDir();
    const out = path.join(dir, 'argv-{n}.json');
    const tricky = ['with space', '"double" \'single\'', 'a & b | c ^ d % e %PATH% $HOME `id` $(id)', '', 'ünïcødé 中文', '-PixelStreamingURL=ws://127.0.0.1:{8888+i}', '\\back\\slash\\'];
    const { ids } = internals(c).supervisor.launch(profile({ args: [CPU_LOAD, '--load', '1', '--argv-out', out, ...tricky] }), 2, 0);
    for (const n of [1, 2]) {
      const file = path.join(dir, `argv-${n}.json`);
      await waitFor(() => fs.existsSync(file) && fs.statSync(file).size > 0, `argv of instance ${n}`);
      const argv = JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
      const expected = tricky.map((a) => a.replace('{8888+i}', String(8888 + n - 1)));
      expect(argv.slice(4)).toEqual(expected);
    }
    expect(ids).toHaveLength(2);
  });

  it('reports a crash with its exit code and the last lines of output', async () => {
    const c = await makeCore();
    const dir = tmpDir();
    const crash = path.join(dir, 'crash');
    const { ids } = internals(c).supervisor.launch(profile({ args: [CPU_LOAD, '--load', '1', '--crash-file', crash] }), 1, 0);
    await waitFor(() => info(c, ids[0]!).state === 'running', 'running');
    fs.writeFileSync(crash, '');
    const i = await waitFor(() => (info(c, ids[0]!).state === 'crashed' ? info(c, ids[0]!) : null), 'crashed');
    expect(i.exitCode).toBe(42);
    expect(i.reason).toBe('exit code 42');
    expect(i.lastLines.join('\n')).toMatch(/fatal error: simulated crash/);
  });

  it('reports a missing executable clearly', async () => {
    const c = await makeCore();
    const { ids } = internals(c).supervisor.launch(profile({ exe: '/nonexistent/Game.exe' }), 1, 0);
    const i = await waitFor(() => (info(c, ids[0]!).state === 'failed' ? info(c, ids[0]!) : null), 'failed');
    expect(i.reason).toMatch(/Executable not found: \/nonexistent\/Game.exe/);
  });

  it('restarts with growing backoff, then gives up', async () => {
    const c = await makeCore({ supervisor: { backoffBaseMs: 200, backoffMaxMs: 5000 } });
    const p = profile({ args: [CPU_LOAD, '--load', '1', '--exit-after', '0.2', '--exit-code', '3'], autoRestart: { enabled: true, maxRetries: 3 } });
    const starts: number[] = [];
    const seen = new Set<number>();
    const { ids } = internals(c).supervisor.launch(p, 1, 0);
    const i = await waitFor(
      () => {
        const cur = info(c, ids[0]!);
        if (cur.startedAt && !seen.has(cur.startedAt)) {
          seen.add(cur.startedAt);
          starts.push(cur.startedAt);
        }
        return cur.state === 'failed' ? cur : null;
      },
      'give up',
      20000,
      10,
    );
    expect(i.reason).toMatch(/gave up after 3 restarts; last: exit code 3/);
    expect(i.restarts).toBe(3);
    expect(starts).toHaveLength(4);
    // Gaps between starts: run time (~0.2 s + node start-up) plus a backoff of 0.2, 0.4, 0.8 s.
    const gaps = starts.slice(1).map((t, k) => t - starts[k]!);
    expect(gaps[1]! - gaps[0]!).toBeGreaterThan(100);
    expect(gaps[2]! - gaps[1]!).toBeGreaterThan(250);
  });

  it('keeps a chatty child from growing memory: the log stays bounded', async () => {
    const c = await makeCore({ supervisor: { logLines: 200 } });
    const { ids } = internals(c).supervisor.launch(profile({ args: [CPU_LOAD, '--load', '1', '--chatty', '2000'] }), 1, 0); // ~2 MB/s
    type Log = { lines: unknown[]; droppedLines: number };
    const readLog = () => c.invoke('instances.log', { id: ids[0] }) as Promise<Log>;
    // Asked, not sleeping: the log has no event. Over 1000 lines dropped is well past the 200 kept.
    await waitFor(async () => (await readLog()).droppedLines > 1000, 'over 1000 lines dropped', 20_000, 100);
    const log = await readLog();
    expect(log.lines.length).toBeLessThanOrEqual(200);
    expect(log.droppedLines).toBeGreaterThan(1000);
  });

  it('writes output to files in the data folder, empties one at ROTATE_BYTES, and deletes them when the instance is cleared', async () => {
    const c = await makeCore({ supervisor: { logLines: 200 } });
    const { ids } = internals(c).supervisor.launch(profile({ args: [CPU_LOAD, '--load', '1', '--chatty', '4000'] }), 1, 0); // ~4 MB/s
    const [stdout] = InstanceOutput.paths(path.join(c.dataDir, 'output'), ids[0]!);
    type Log = { lines: { stream: string; text: string }[] };
    const readLog = () => c.invoke('instances.log', { id: ids[0] }) as Promise<Log>;
    const sizes: number[] = [];
    const note = await waitFor(
      async () => {
        if (fs.existsSync(stdout!)) sizes.push(fs.statSync(stdout!).size);
        return (await readLog()).lines.find((l) => l.stream === 'system' && /stdout file reached 8 MiB and was emptied/.test(l.text)) ?? null;
      },
      'the stdout file emptied at 8 MiB',
      20_000,
      100,
    );
    expect(note.text).toContain(stdout);
    // Read at each tick and emptied once past 8 MiB: never far past it (4 MB/s, 250 ms ticks).
    expect(Math.max(...sizes)).toBeLessThan(ROTATE_BYTES + 4 * 2 ** 20);
    // The child writes on at the start of the emptied file, and its lines still arrive.
    await waitFor(async () => fs.statSync(stdout!).size < ROTATE_BYTES / 2 && (await readLog()).lines.at(-1)?.text === 'x'.repeat(99), 'lines after the emptying');
    await internals(c).supervisor.stop(ids[0]!);
    expect(fs.existsSync(stdout!)).toBe(true); // kept for a look after the end
    internals(c).supervisor.clearExited();
    expect(fs.existsSync(stdout!)).toBe(false);
  });

  /** A core whose instances' output folder is `outputDir`; one instance launched, and its log once its first line came. */
  async function firstLineThroughPipe(outputDir: string) {
    const c = await makeCore({ supervisor: { outputDir } });
    const { ids } = internals(c).supervisor.launch(profile({ args: [CPU_LOAD, '--load', '1', '--name', 'piped'] }), 1, 0);
    type Log = { lines: { stream: string; text: string }[] };
    const log = await waitFor(async () => {
      const l = (await c.invoke('instances.log', { id: ids[0] })) as Log;
      return l.lines.some((x) => x.stream === 'stdout' && /piped: started/.test(x.text)) ? l : null;
    }, 'the first line through the pipe');
    return { c, log };
  }

  // A small disk of its own: a 16 MiB tmpfs (mounting needs root, as CI runs; say so otherwise).
  const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
  if (!canMount) console.warn('skipped "a nearly full disk…": mounting a tmpfs needs root');
  it.skipIf(!canMount)('on a nearly full disk, instance output goes through pipes, and the log says why', async () => {
    const small = tmpDir();
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', small]).status).toBe(0);
    try {
      const { c, log } = await firstLineThroughPipe(small);
      expect(log.lines.find((l) => l.stream === 'system' && /output files not opened/.test(l.text))!.text).toMatch(/only 1[56] MiB free on the disk; free some space/);
      expect(fs.readdirSync(small)).toEqual([]);
      await c.shutdown({ stopInstances: true });
      core = null;
    } finally {
      spawnSync('umount', [small]);
    }
  });

  it('falls back to pipes, and says so, where the output files cannot be made', async () => {
    const blocker = path.join(tmpDir(), 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const { log } = await firstLineThroughPipe(path.join(blocker, 'output'));
    expect(log.lines.find((l) => l.stream === 'system' && /output files not opened/.test(l.text))!.text).toMatch(/ENOTDIR|EEXIST/);
  });

  it('follows a launcher that exits while the real process runs on (bootstrapper EXE)', async () => {
    const c = await makeCore({ supervisor: { graceMs: 1000 } });
    const dir = tmpDir();
    const launcher = path.join(dir, 'launcher.mjs');
    fs.writeFileSync(
      launcher,
      `import { spawn } from 'node:child_process';
       spawn(process.execPath, [${JSON.stringify(CPU_LOAD)}, '--load', '20'], { stdio: 'ignore' }).unref();
       setTimeout(() => process.exit(0), 300); // the launcher's own life: it exits after starting the game`,
    );
    const { ids } = internals(c).supervisor.launch(profile({ args: [launcher] }), 1, 0);
    const pid = await waitFor(() => info(c, ids[0]!).pid, 'pid');
    await waitFor(() => info(c, ids[0]!).launcherExited, 'launcher exit noticed');
    expect(info(c, ids[0]!).state).toBe('running');
    const game = groupPids(pid);
    expect(game.length).toBe(1);
    // The game's load is still the instance's load.
    // Eight readings (2 s at 250 ms) of the instance's CPU, from the core's sample events.
    const samples = await nextEvents(c, 'sample', 8, (s) => s.instances[0]?.cpu != null, 'a sample with the instance’s CPU');
    const cpu = samples.map((s) => s.instances[0]!.cpu!);
    expect(cpu.reduce((a, b) => a + b, 0) / cpu.length).toBeGreaterThan(10);
    await internals(c).supervisor.stop(ids[0]!);
    expect(alive(game[0]!)).toBe(false);
  });

  it('launches with the stagger, one after another', async () => {
    const c = await makeCore();
    const { ids, started } = internals(c).supervisor.launch(profile({ staggerSec: 0.4 }), 3, 0);
    await started;
    const times = ids.map((id) => info(c, id).startedAt!);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(380);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(380);
  });

  it('stop all cancels launches still waiting for their turn', async () => {
    const c = await makeCore();
    const { ids, started } = internals(c).supervisor.launch(profile({ staggerSec: 1 }), 3, 0);
    await waitFor(() => info(c, ids[0]!).state === 'running', 'first running');
    await internals(c).supervisor.stopAll();
    await started;
    expect(ids.map((id) => info(c, id).state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(ids.map((id) => info(c, id).pid).filter(Boolean)).toHaveLength(1);
  });

  it('restarts one instance on request', async () => {
    const c = await makeCore();
    const { ids } = internals(c).supervisor.launch(profile(), 1, 0);
    const pid1 = await waitFor(() => info(c, ids[0]!).pid, 'pid');
    await internals(c).supervisor.restart(ids[0]!);
    const i = info(c, ids[0]!);
    expect(i.state).toBe('running');
    expect(i.pid).not.toBe(pid1);
    expect(alive(pid1)).toBe(false);
    expect(i.restarts).toBe(1);
  });

  it('runs the built-in demo profile out of the box, with live load', async () => {
    const c = await makeCore();
    const demo = internals(c).profiles.get('demo');
    console.log(`demo profile: ${demo.name}`);
    const { ids } = (await c.invoke('instances.launch', { profileId: 'demo', count: 1 })) as { ids: string[] };
    await waitFor(() => info(c, ids[0]!).state === 'running', 'demo running');
    const cpu = await waitFor(() => {
      const v = internals(c).sampler.latest?.instances.find((i) => i.id === ids[0])?.cpu;
      return v && v > 5 ? v : null;
    }, 'demo load');
    expect(cpu).toBeGreaterThan(5);
  });

  it('uses the node it was given (sanity: the fixture exists)', () => {
    expect(fs.existsSync(CPU_LOAD)).toBe(true);
    expect(fs.existsSync(NODE)).toBe(true);
  });
});
