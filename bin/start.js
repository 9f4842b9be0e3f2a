#!/usr/bin/env -S node --max-semi-space-size=2
// `npm start`: the Electron console when the Electron binary is installed; otherwise it
// fetches the binary once (installs never do: see bin/electron-binary.js), and starts the
// web console (the agent) when it cannot be had — offline, or ELECTRON_SKIP_BINARY_DOWNLOAD=1.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary, electronMirror, fetchElectron } from './electron-binary.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let electron = electronBinary(root);
let why = 'ELECTRON_SKIP_BINARY_DOWNLOAD is set';
if (!electron && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.error(`The Electron binary is not installed yet: fetching it once from ${electronMirror()} (about 100 MB)…`);
  const r = await fetchElectron(root);
  if (r.ok) electron = r.binary;
  else why = r.reason;
}

if (electron) {
  await import('../scripts/build.js');
  const child = spawn(electron, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
} else {
  console.error(
    `The Electron binary is not installed (${why}).\n` +
      'Starting the web console instead: open the URL below in a browser.\n' +
      'To get the desktop window, run "node node_modules/electron/install.js" where GitHub can be reached\n' +
      '(or set ELECTRON_MIRROR to a mirror), then "npm start" again.\n',
  );
  process.argv = [process.argv[0], process.argv[1], 'agent', ...process.argv.slice(2)];
  await import('./streamcap.js');
}
