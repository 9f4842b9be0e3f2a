// `npm start` without an Electron binary (bin/electron-binary.js): installs never fetch
// it (.npmrc: ignore-scripts), so the first start tries once — a short reachability check
// of the download host, then Electron's own installer with a time limit — and says why
// it could not. The installer here is a stand-in under a temporary root; the "download
// host" is a loopback server (or a closed loopback port).
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript next to bin/start.js, no type declarations
import { electronBinary, fetchElectron } from '../../bin/electron-binary.js';
import { ROOT, tmpDir } from '../helpers';

type Fetched = { ok: true; binary: string } | { ok: false; reason: string };

/** A root whose node_modules/electron/install.js is `script`. */
function fakeRoot(script: string | null): string {
  const root = tmpDir('sc-electron-');
  const dir = path.join(root, 'node_modules', 'electron');
  fs.mkdirSync(dir, { recursive: true });
  if (script !== null) fs.writeFileSync(path.join(dir, 'install.js'), script);
  return root;
}
const SUCCEEDS = `
const fs = require('fs'), path = require('path');
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(3); // the start must not pass it on
fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), '#!/bin/sh\\n', { mode: 0o755 });
fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');
`;
const FAILS = `console.error('HTTPError: Response code 404 (Not Found) for https://example/electron.zip'); console.error('    at x (y.js:1:1)'); process.exit(1);`;
const HANGS = `setInterval(() => {}, 1000);`;

let host: http.Server;
let mirror: string;
let silent: net.Server;
let silentUrl: string;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  host = http.createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  mirror = `http://127.0.0.1:${(host.address() as net.AddressInfo).port}/`;
  // Accepts and never answers: a firewall that drops, as far as a client can tell.
  silent = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => host.close(r));
  await new Promise((r) => silent.close(r));
});

describe('fetching the Electron binary once', () => {
  it("fetches it with Electron's installer when the host answers, without ELECTRON_SKIP_BINARY_DOWNLOAD", async () => {
    const root = fakeRoot(SUCCEEDS);
    expect(electronBinary(root)).toBeNull();
    const r = (await fetchElectron(root, { probeMs: 2000, installMs: 20_000, env: { ...process.env, ELECTRON_MIRROR: mirror, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } })) as Fetched;
    expect(r).toEqual({ ok: true, binary: path.join(root, 'node_modules/electron/dist/electron') });
    expect(electronBinary(root)).toBe(path.join(root, 'node_modules/electron/dist/electron'));
  });

  it('a host that refuses: says so, and runs no installer', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const root = fakeRoot(SUCCEEDS);
    const r = (await fetchElectron(root, { probeMs: 2000, env: { ...process.env, ELECTRON_MIRROR: `http://127.0.0.1:${port}/` } })) as Fetched;
    expect(r).toEqual({ ok: false, reason: `cannot reach 127.0.0.1:${port} (ECONNREFUSED)` });
    expect(electronBinary(root)).toBeNull();
  });

  it('a host that never answers: gives up after the short check', async () => {
    const t0 = Date.now();
    const r = (await fetchElectron(fakeRoot(SUCCEEDS), { probeMs: 400, env: { ...process.env, ELECTRON_MIRROR: silentUrl } })) as Fetched;
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toMatch(/^127\.0\.0\.1:\d+ did not answer within 400 ms$/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('an installer that fails: its first line and exit code, not its stack', async () => {
    const r = (await fetchElectron(fakeRoot(FAILS), { probeMs: 2000, env: { ...process.env, ELECTRON_MIRROR: mirror } })) as Fetched;
    expect(r).toEqual({ ok: false, reason: 'the installer failed (exit 1): HTTPError: Response code 404 (Not Found) for https://example/electron.zip' });
  });

  it('an installer that hangs: killed at the time limit', async () => {
    const t0 = Date.now();
    const r = (await fetchElectron(fakeRoot(HANGS), { probeMs: 2000, installMs: 700, env: { ...process.env, ELECTRON_MIRROR: mirror } })) as Fetched;
    expect(r).toEqual({ ok: false, reason: 'the download did not finish within 700 ms' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('no electron package at all: says to install', async () => {
    const r = (await fetchElectron(fakeRoot(null), { env: { ...process.env, ELECTRON_MIRROR: mirror } })) as Fetched;
    expect(r).toEqual({ ok: false, reason: 'the electron package is not installed (run "npm install")' });
  });

  it("installs run no dependency scripts, on npm 10 as on npm 11 (.npmrc), and npm 11 skips Electron's anyway", () => {
    const npmrc = fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8');
    expect(npmrc).toMatch(/^ignore-scripts=true$/m);
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).allowScripts.electron).toBe(false);
  });
});
