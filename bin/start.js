#!/usr/bin/env node
// `npm start`: the Electron console when the Electron binary is installed; the web
// console (the agent) when it is not, e.g. after ELECTRON_SKIP_BINARY_DOWNLOAD=1.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function electronBinary() {
  try {
    const mod = await import('electron'); // in plain Node this is the binary's path
    const p = typeof mod.default === 'string' ? mod.default : null;
    return p && fs.existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const electron = await electronBinary();
if (electron) {
  await import('../scripts/build.js');
  const child = spawn(electron, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
} else {
  console.error(
    'The Electron binary is not installed (offline install, or ELECTRON_SKIP_BINARY_DOWNLOAD=1).\n' +
      'Starting the web console instead: open the URL below in a browser.\n' +
      'To get the desktop window, run "node node_modules/electron/install.js" with internet access.\n',
  );
  process.argv = [process.argv[0], process.argv[1], 'agent', ...process.argv.slice(2)];
  await import('./streamcap.js');
}
