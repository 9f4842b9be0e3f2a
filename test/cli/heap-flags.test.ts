// The agent's heap flags come from the bin's shebang (`#!/usr/bin/env -S node
// --max-semi-space-size=2`): the soak found the agent's RSS growth to be V8 doubling its
// young generation to 32 MiB under the agent's allocation rate, and a 2 MiB semi-space
// cut that growth about 2.7×. The flag cannot be set from inside a running Node (V8 sizes
// its heap once, at start), so the test runs the bin the way `streamcap agent` does — as
// an executable — and reads the command line the kernel holds for that very process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, ROOT, nextLine, tmpDir } from '../helpers';

const procs: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
});

describe('the agent started as `streamcap agent`', () => {
  it('runs in one Node process given --max-semi-space-size=2 by the shebang (no launcher in between)', async () => {
    const p = spawn(CLI, ['agent', '--port', '0', '--sessions-port', '0', '--sessions-host', '127.0.0.1'], {
      cwd: ROOT,
      env: { ...process.env, STREAMCAP_HOME: tmpDir(), STREAMCAP_NO_GPU: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    procs.push(p);
    await nextLine(p, (l) => l.includes('Web console:'), 'the agent listening');
    const argv = fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain('--max-semi-space-size=2');
    expect(argv).toContain('agent');
    expect(fs.realpathSync(`/proc/${p.pid}/exe`)).toBe(fs.realpathSync(process.execPath));
  });

  it('npm start gives the same flag to the Node it runs', () => {
    const pkg = JSON.parse(fs.readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toMatch(/^node --max-semi-space-size=2 /);
  });
});
