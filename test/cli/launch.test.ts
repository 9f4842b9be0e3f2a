// The CLI as a user runs it: `node bin/streamcap.js launch …`.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { alive, CLI, CPU_LOAD, NODE, runCli as run, tmpDir } from '../helpers';

const runCli = (args: string[]) => run(args, 30000);

describe('streamcap launch', () => {
  it('prints one NDJSON line per sample and stops everything at --duration', async () => {
    const r = await runCli(['launch', '--exe', NODE, '--count', '3', '--stagger', '0.2', '--duration', '4', '--interval', '500', '--json', '--', CPU_LOAD, '--load', '10']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(5);
    const last = lines[lines.length - 1];
    expect(last).toMatchObject({ t: expect.any(Number), system: { cpu: expect.any(Number), memory: expect.any(Number), gpus: null, gpusNotMeasured: expect.any(String) } });
    expect(last.instances).toHaveLength(3);
    for (const i of last.instances) {
      expect(i).toMatchObject({ n: expect.any(Number), pid: expect.any(Number), state: 'running', memoryMB: expect.any(Number), gpu: null });
      expect(i.cpu).toBeGreaterThan(0);
    }
    for (const i of last.instances) expect(alive(i.pid)).toBe(false);
    expect(r.stderr).toMatch(/Stopping \(--duration 4s reached\)/);
  });

  it('stops every instance on Ctrl-C (SIGINT)', async () => {
    const p = spawn(NODE, [CLI, 'launch', '--exe', NODE, '--count', '2', '--stagger', '0', '--json', '--interval', '300', '--', CPU_LOAD, '--load', '5'], {
      env: { ...process.env, STREAMCAP_HOME: tmpDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    const pids = await new Promise<number[]>((resolve) => {
      const check = setInterval(() => {
        const lines = out.trim().split('\n').filter(Boolean);
        const last = lines.length ? JSON.parse(lines[lines.length - 1]!) : null;
        if (last?.instances.length === 2 && last.instances.every((i: { state: string }) => i.state === 'running')) {
          clearInterval(check);
          resolve(last.instances.map((i: { pid: number }) => i.pid));
        }
      }, 100);
    });
    p.kill('SIGINT');
    const code = await new Promise((r) => p.on('exit', r));
    expect(code).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('shows a live table without --json', async () => {
    const r = await runCli(['launch', '--exe', NODE, '--count', '1', '--duration', '2.5', '--', CPU_LOAD, '--load', '5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/CPU \(% of 1 core\)/);
    expect(r.stdout).toMatch(/GPU not measured/);
    expect(r.stdout).toMatch(/running/);
  });

  it('exits 3 when instances crashed', async () => {
    const r = await runCli(['launch', '--exe', NODE, '--count', '1', '--duration', '10', '--', CPU_LOAD, '--exit-after', '0.5', '--exit-code', '7']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/exit code 7/);
  });

  it.each([
    [['launch'], /--exe PATH is required/],
    [['launch', '--exe', '/no/such/Game.exe'], /Executable not found: \/no\/such\/Game.exe/],
    [['launch', '--exe', NODE, '--count', 'many'], /--count must be a number/],
    [['launch', '--exe', NODE, '--count', '0'], /--count must be between 1 and 64/],
    [['launch', '--exe', NODE, '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /Unknown command "frobnicate"/],
  ])('bad input %j: clear message, exit 2', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--help prints usage', async () => {
    const r = await runCli(['launch', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: streamcap launch --exe PATH/);
  });
});
