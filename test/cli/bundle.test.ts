// The prebuilt CLI bundle (scripts/build-cli.js, bin/streamcap.js): built on the first
// start, used while it is in step with the sources, rebuilt when a source is newer, and
// the sources through tsx as the fallback. Runs in a copy of the sources (node_modules
// linked), so that editing a source here touches nothing of the checkout.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NODE, ROOT, tmpDir } from '../helpers';

let copy: string;
const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;

function streamcap(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(NODE, [path.join(copy, 'bin/streamcap.js'), ...args], {
    cwd: copy,
    env: { ...process.env, STREAMCAP_HOME: tmpDir(), STREAMCAP_CLI_DEBUG: '1', STREAMCAP_CLI_FROM_SOURCES: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const current = () => JSON.parse(fs.readFileSync(path.join(copy, 'dist/cli/current.json'), 'utf8')) as { entry: string; builtAt: number; inputs: string[] };
/** Marks a file edited now (after the last build, which the previous start made). */
const touch = (rel: string) => {
  const t = new Date();
  fs.utimesSync(path.join(copy, rel), t, t);
};

beforeAll(() => {
  copy = tmpDir('sc-cli-bundle-');
  for (const d of ['bin', 'electron', 'shared']) fs.cpSync(path.join(ROOT, d), path.join(copy, d), { recursive: true });
  fs.mkdirSync(path.join(copy, 'scripts'));
  fs.copyFileSync(path.join(ROOT, 'scripts/build-cli.js'), path.join(copy, 'scripts/build-cli.js'));
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(copy, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
});

describe('the CLI bundle', () => {
  it('is built on the first start, then used as long as it is fresh', () => {
    const first = streamcap(['--version']);
    expect(first.stderr).toContain('rebuilding the bundle: no bundle built yet');
    expect(first.stdout.trim()).toBe(version);
    const { entry, builtAt, inputs } = current();
    expect(entry).toMatch(/^streamcap-[A-Z0-9]{8}\.js$/);
    // The freshness check covers the bundle's own sources, deep ones included, and the dependencies.
    expect(inputs).toEqual(
      expect.arrayContaining(['electron/cli/main.ts', 'electron/cli/bandwidth.ts', 'shared/bandwidth.ts', 'electron/core/core.ts', 'package.json', 'node_modules/.package-lock.json']),
    );

    const again = streamcap(['--help']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`using dist/cli/${entry}`);
    expect(again.stderr).not.toMatch(/rebuilding|tsx/);
    expect(again.stdout).toMatch(/^StreamCap .* — launch and watch/);
    expect(current().builtAt).toBe(builtAt); // not rebuilt
  });

  it('loads nothing heavy for --help: the entry imports no chunk with the core, ws, prom-client or zod', () => {
    const dir = path.join(copy, 'dist/cli');
    const entry = fs.readFileSync(path.join(dir, current().entry), 'utf8');
    const statics = [...entry.matchAll(/^\s*import\s*(?:[^'"()]*?from\s*)?["'](\.\/[^"']+)["']/gm)].map((m) => m[1]!);
    const dynamics = [...entry.matchAll(/import\(["'](\.\/[^"']+)["']\)/g)].map((m) => m[1]!);
    expect(dynamics.length).toBeGreaterThanOrEqual(4); // launch, agent, bandwidth, probe (and the contract on errors)
    const loadedAtStart = [entry, ...statics.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))].join('\n');
    for (const marker of ['WebSocketServer', 'prom-client', 'ZodError', 'Supervisor', 'ProbeRunner']) expect(loadedAtStart.includes(marker), marker).toBe(false);
    // …and the lazy chunks do carry them (the markers are real).
    const all = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    for (const marker of ['WebSocketServer', 'prom-client', 'ZodError', 'Supervisor', 'ProbeRunner']) expect(all.includes(marker), marker).toBe(true);
  });

  it('is rebuilt when a source is newer, and runs the new code', () => {
    const file = path.join(copy, 'electron/cli/main.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Run "streamcap <command> --help"', 'EDITED-AFTER-BUILD. Run "streamcap <command> --help"'));
    touch('electron/cli/main.ts');
    const before = current();
    const r = streamcap(['--help']);
    expect(r.stderr).toContain('rebuilding the bundle: electron/cli/main.ts is newer than the bundle');
    expect(r.stdout).toContain('EDITED-AFTER-BUILD');
    expect(current().entry).not.toBe(before.entry);
    // Fresh again: the next start uses the new bundle without building.
    const next = streamcap(['--help']);
    expect(next.stderr).toContain(`using dist/cli/${current().entry}`);
    expect(next.stdout).toContain('EDITED-AFTER-BUILD');
  });

  it('notices a deep source (shared/) too, and a command runs from the bundle', () => {
    touch('shared/bandwidth.ts');
    const r = streamcap(['bandwidth', '--bitrate', '8', '--operators', '10', '--spectators', '20', '--json']);
    expect(r.stderr).toContain('shared/bandwidth.ts is newer than the bundle');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).totalMbps).toBe(240);
    expect(streamcap(['bandwidth', '--bitrate', '0', '--operators', '1', '--spectators', '0']).code).toBe(2);
  });

  it('runs the sources through tsx when asked to (the development fallback)', () => {
    const r = streamcap(['--help'], { STREAMCAP_CLI_FROM_SOURCES: '1' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('running from the sources (tsx)');
    expect(r.stdout).toContain('EDITED-AFTER-BUILD');
  });
});
