#!/usr/bin/env node
// Runs a TypeScript file of this repo (benchmarks, scripts): node bin/run-ts.js [--bundle] FILE [ARGS…]
//   --bundle  bundle FILE with esbuild into dist/bench and run that with plain node, as the
//             agent and the desktop app run StreamCap's code (from bundles), instead of
//             through tsx: tsx compiles at load and keeps a loader thread of its own, which a
//             benchmark of StreamCap's own CPU time would count (bench:sampler: 50 ms a
//             minute of a 200 ms figure). dist/bench is two folders deep, like dist/cli, so
//             paths the sources resolve from import.meta.url ('../../package.json') hold.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = process.argv[2] === '--bundle';
if (bundle) process.argv.splice(2, 1);
const file = process.argv[2];
if (!file) {
  console.error('usage: node bin/run-ts.js [--bundle] FILE.ts [ARGS…]');
  process.exit(2);
}
process.argv.splice(1, 1);
if (bundle) {
  const { build } = await import('esbuild');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const outfile = path.join(root, 'dist', 'bench', `${path.basename(file).replace(/\.ts$/, '')}.mjs`);
  await build({
    entryPoints: [path.resolve(file)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['electron', 'vite', 'playwright-core', 'esbuild'],
    banner: { js: "import { createRequire as __scCreateRequire } from 'node:module'; const require = __scCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  process.argv[1] = outfile;
  await import(pathToFileURL(outfile).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.resolve(file)).href);
}
