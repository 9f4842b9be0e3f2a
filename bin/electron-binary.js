// Finding and, once, fetching the Electron binary for `npm start` (bin/start.js).
//
// Installs never download it: .npmrc sets ignore-scripts, because Electron's own
// install script fetches ~100 MB from GitHub and fails the whole `npm install` where
// GitHub cannot be reached, and npm 10 has no per-package switch for it (npm 11's
// "allowScripts" in package.json is one; npm 10 ignores that field). So the binary is
// fetched on the first `npm start` instead, with a short reachability check first, and
// the web console starts when it cannot be had.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const seconds = (ms) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

export const DEFAULT_MIRROR = 'https://github.com/electron/electron/releases/download/';

/** The Electron binary under `root`/node_modules/electron (as electron's index.js finds it), or null. */
export function electronBinary(root) {
  const dir = path.join(root, 'node_modules', 'electron');
  let rel;
  try {
    rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8');
  } catch {
    return null;
  }
  const p = process.env.ELECTRON_OVERRIDE_DIST_PATH ? path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel) : path.join(dir, 'dist', rel);
  return fs.existsSync(p) ? p : null;
}

/** Where Electron's installer downloads from: its mirror settings (.npmrc or environment), else GitHub. */
export function electronMirror(env = process.env) {
  return env.npm_config_electron_mirror || env.NPM_CONFIG_ELECTRON_MIRROR || env.ELECTRON_MIRROR || DEFAULT_MIRROR;
}

/** Can the download host be reached at all? Any HTTP answer counts; resolves to null or the reason. */
export async function unreachable(url, timeoutMs) {
  try {
    const r = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await r.body?.cancel();
    return null;
  } catch (e) {
    const host = (() => {
      try {
        return new URL(url).host;
      } catch {
        return url;
      }
    })();
    if (e?.name === 'TimeoutError') return `${host} did not answer within ${seconds(timeoutMs)}`;
    const code = e?.cause?.code ?? e?.code;
    return `cannot reach ${host} (${code ?? e?.cause?.message ?? e?.message ?? e})`;
  }
}

/**
 * Fetches the binary once with Electron's own installer (node_modules/electron/install.js).
 * Resolves { ok: true, binary } or { ok: false, reason } — never throws, never waits
 * longer than probeMs + installMs.
 */
export async function fetchElectron(root, { probeMs = 5000, installMs = 300_000, env = process.env } = {}) {
  const installer = path.join(root, 'node_modules', 'electron', 'install.js');
  if (!fs.existsSync(installer)) return { ok: false, reason: 'the electron package is not installed (run "npm install")' };
  const mirror = electronMirror(env);
  const why = await unreachable(mirror, probeMs);
  if (why) return { ok: false, reason: why };
  const childEnv = { ...env };
  delete childEnv.ELECTRON_SKIP_BINARY_DOWNLOAD;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [installer], { cwd: path.dirname(installer), env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, reason: `the download did not finish within ${seconds(installMs)}` });
    }, installMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: e.message });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') return; // timed out, answered above
      const binary = electronBinary(root);
      if (code === 0 && binary) return resolve({ ok: true, binary });
      // The installer prints a stack; its first line says what went wrong.
      const first =
        stderr
          .split('\n')
          .map((l) => l.trim())
          .find((l) => l && !l.startsWith('at ')) ?? '';
      resolve({ ok: false, reason: code === 0 ? 'the installer finished but no binary is there' : `the installer failed (exit ${code ?? signal})${first ? `: ${first}` : ''}` });
    });
  });
}
