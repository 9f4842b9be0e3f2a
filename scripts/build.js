#!/usr/bin/env node
// Builds what Electron and the agent load: the renderer (Vite) and, unless
// --renderer is given, the Electron main process and preload and the CLI bundle (esbuild).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rendererOnly = process.argv.includes('--renderer');

const vite = await import('vite');
await vite.build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
console.log('built dist/renderer');

// The measuring viewer's page (renderer/viewer): the agent serves it to headless Chromium
// from memory; the desktop app loads it in hidden windows from dist/viewer.
const { buildViewer } = await import('./viewer-build.js');
await buildViewer(root);
console.log('built dist/viewer');

if (!rendererOnly) {
  const out = path.join(root, 'dist', 'electron');
  // playwright-core and esbuild serve the agent and source checkouts only: the desktop app's viewers are hidden windows, its viewer page prebuilt.
  const common = { bundle: true, platform: 'node', target: 'node20', external: ['electron', 'playwright-core', 'esbuild'], sourcemap: true, logLevel: 'warning' };
  await build({
    ...common,
    entryPoints: [path.join(root, 'electron/main/main.ts')],
    outfile: path.join(out, 'main.js'),
    format: 'esm',
    // Bundled CommonJS dependencies still call require().
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  // Sandboxed preloads must be CommonJS.
  await build({ ...common, entryPoints: [path.join(root, 'electron/main/preload.ts')], outfile: path.join(out, 'preload.cjs'), format: 'cjs' });
  await build({ ...common, entryPoints: [path.join(root, 'electron/main/viewer-preload.ts')], outfile: path.join(out, 'viewer-preload.cjs'), format: 'cjs' });
  fs.cpSync(path.join(root, 'electron/core/workloads'), path.join(out, 'workloads'), { recursive: true });
  console.log('built dist/electron');
  const { buildCli } = await import('./build-cli.js');
  console.log(`built ${path.relative(root, await buildCli(root))}`);
}
