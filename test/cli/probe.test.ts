// `streamcap probe` as a user runs it: bad input is refused with a clear message,
// a quick probe prints progress on stderr and one JSON object on stdout, and writes
// the HTML report.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CPU_LOAD, NODE, ROOT, runCli, tmpDir } from '../helpers';

const DIES_AT = path.join(ROOT, 'test/fixtures/probe/dies-at.mjs');

// Quick settings: CPU threshold 100 % on the app's own load, so only --max ends the probe.
const QUICK = ['--warmup', '0.3', '--settle', '1', '--interval', '250', '--stagger', '0', '--cpu-basis', 'app', '--cpu-threshold', '100'];

describe('streamcap probe', () => {
  it('--json: one object on stdout with the documented shape; progress on stderr; --report writes HTML', async () => {
    const report = path.join(tmpDir(), 'capacity.html');
    const r = await runCli(['probe', '--exe', NODE, ...QUICK, '--max', '2', '--json', '--report', report, '--', CPU_LOAD, '--load', '3', '--name', 'stream{n}']);
    expect(r.stderr).toMatch(/measuring the idle baseline/);
    expect(r.stderr).toMatch(/step 1: 1 instance → CPU/);
    expect(r.stderr).toMatch(/This server runs at least 2 concurrent streams of node/);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    expect(out).toMatchObject({
      capacity: 2,
      limitedBy: 'maxInstances',
      baseline: { cpu: expect.any(Number), memory: expect.any(Number), gpu: null },
      thresholds: { cpu: 100, gpu: 85, gpuMemory: 90, memory: 90, encoder: 85, encoderSessions: null },
      durationSec: expect.any(Number),
      host: { cores: expect.any(Number), cpuModel: expect.any(String), memoryMB: expect.any(Number), os: expect.any(String) },
      app: { args: [CPU_LOAD, '--load', '3', '--name', 'stream{n}'] },
    });
    expect(out.steps).toHaveLength(2);
    for (const [k, s] of (out.steps as { instances: number; cpu: number; memory: number; gpu: null; p95: { cpu: number } }[]).entries()) {
      expect(s.instances).toBe(k + 1);
      expect(s.cpu).toBeGreaterThanOrEqual(0);
      expect(s.cpu).toBeLessThanOrEqual(100);
      expect(s.memory).toBeGreaterThan(0);
      expect(s.memory).toBeLessThanOrEqual(100);
      expect(s.gpu).toBeNull();
      expect(s.p95.cpu).toBeGreaterThanOrEqual(0);
    }
    expect(out.notMeasured.map((n: { resource: string }) => n.resource)).toEqual(['gpu', 'gpuMemory', 'encoder', 'encoderSessions']);
    const html = fs.readFileSync(report, 'utf8');
    expect(html).toContain('This server runs at least 2 concurrent streams of node');
    expect(html).toContain('<svg');
    // The run is in the history like any other.
    expect(fs.readdirSync(path.join(r.home, 'probes')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  });

  it('an app that dies at its first instance: capacity 0, exit 3, the exit code in words', async () => {
    const r = await runCli(['probe', '--exe', NODE, ...QUICK, '--max', '3', '--json', '--', DIES_AT, '{n}', '1', '9']);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ capacity: 0, limitedBy: 'instanceExit', exit: { n: 1, exitCode: 9 } });
    expect(r.stderr).toMatch(/the first instance exits \(exit code 9\)/);
  });

  it.each([
    [['probe'], /--exe PATH is required/],
    [['probe', '--exe', '/no/such/Game.exe'], /Executable not found: \/no\/such\/Game.exe/],
    [['probe', '--exe', NODE, '--threshold', '0'], /--threshold must be between 1 and 100, got 0/],
    [['probe', '--exe', NODE, '--cpu-threshold', '101'], /--cpu-threshold must be between 1 and 100, got 101/],
    [['probe', '--exe', NODE, '--gpu-threshold', 'high'], /--gpu-threshold must be a number/],
    [['probe', '--exe', NODE, '--memory-threshold', '-5'], /--memory-threshold must be between 1 and 100/],
    [['probe', '--exe', NODE, '--warmup', '-1'], /--warmup must be between 0 and 3600, got -1/],
    [['probe', '--exe', NODE, '--warmup=-0.5'], /--warmup must be between 0 and 3600, got -0.5/],
    [['probe', '--exe', NODE, '--settle', '0'], /--settle must be between 0.5 and 3600/],
    [['probe', '--exe', NODE, '--max', '0'], /--max must be between 1 and 64/],
    [['probe', '--exe', NODE, '--max', '2.5'], /--max must be a whole number/],
    [['probe', '--exe', NODE, '--cpu-basis', 'gpu'], /--cpu-basis must be machine or app/],
    [['probe', '--exe', NODE, '--report', '/no/such/dir/r.html'], /--report: folder \/no\/such\/dir does not exist/],
    [['probe', '--exe', NODE, '--cwd', '/no/such/dir'], /--cwd: folder \/no\/such\/dir does not exist/],
    [['probe', '--exe', NODE, '--bogus'], /Unknown option '--bogus'/],
  ])('bad input %j: clear message, exit 2', async (args, message) => {
    const r = await runCli(args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('--help prints usage; the command is listed', async () => {
    const r = await runCli(['probe', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: streamcap probe --exe PATH/);
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/probe\s+measure how many instances/);
  });
});
