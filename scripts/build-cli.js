#!/usr/bin/env node
// Builds the `streamcap` command into dist/cli with esbuild, so that a start runs
// plain JavaScript instead of compiling the TypeScript sources through tsx on every
// call (~0.4 s). bin/streamcap.js runs the bundle when it is fresh and calls this
// when a source is newer; `npm run build` and `postinstall` call it too.
//
// Layout: dist/cli/streamcap-<hash>.js (the entry) and its chunks, flat in dist/cli so
// that paths the sources resolve from import.meta.url ('../../package.json', the
// workloads folder) land where they do from electron/cli. Commands are split into
// chunks loaded when run (`--help` loads the entry only). dist/cli/current.json, written
// last and atomically, names the entry and every source the bundle was built from.
// Content-hashed names mean two starts that rebuild at once write the same files.
//
// Usage: node scripts/build-cli.js [--if-stale] [--quiet-fail]
//   --if-stale    build only when current.json is missing or a source is newer
//   --quiet-fail  a failed build prints why and exits 0 (postinstall must never fail an install)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..');

/** Files whose change changes the bundle besides its sources: the dependencies (npm updates this on every install). */
const ALWAYS_CHECKED = ['package.json', 'node_modules/.package-lock.json'];

/**
 * Builds the CLI bundle under `root` (a source checkout). Returns the entry's absolute
 * path. Throws when esbuild is missing or the build fails.
 */
export async function buildCli(root = ROOT) {
  const { build } = await import('esbuild');
  const out = path.join(root, 'dist', 'cli');
  fs.mkdirSync(out, { recursive: true });
  // Sources edited while the build runs are newer than this, so the next start rebuilds.
  const builtAt = Date.now();
  const result = await build({
    absWorkingDir: root,
    entryPoints: { streamcap: path.join(root, 'electron/cli/main.ts') },
    outdir: out,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies are bundled too (zod's hundreds of files cost more to load than to parse
    // once); vite is only imported to build the web console, and is a devDependency.
    // playwright-core reads files of its own package at run time (it stays in node_modules).
    external: ['electron', 'vite', 'playwright-core'],
    // Bundled CommonJS dependencies (ws, pidusage, prom-client) still call require().
    banner: { js: "import { createRequire as __scCreateRequire } from 'node:module'; const require = __scCreateRequire(import.meta.url);" },
    metafile: true,
    // Written below, each file atomically: a start running the previous build may be reading them.
    write: false,
    logLevel: 'warning',
    legalComments: 'none',
    // Smaller is faster to parse; names are kept so stack traces still read.
    minifyWhitespace: true,
    minifySyntax: true,
  });
  for (const f of result.outputFiles) {
    // A content-hashed name that exists already holds these very bytes (a concurrent start built it).
    if (/-[A-Z0-9]{8}\.js$/.test(f.path) && fs.existsSync(f.path)) continue;
    const tmpFile = `${f.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmpFile, f.contents);
    fs.renameSync(tmpFile, f.path);
  }
  // The entry is the output of electron/cli/main.ts: with splitting, each command loaded by
  // import() is an output with an entryPoint of its own.
  const entryOut = Object.entries(result.metafile.outputs).find(([f, o]) => o.entryPoint === 'electron/cli/main.ts' && f.endsWith('.js'))?.[0];
  if (!entryOut) throw new Error('esbuild produced no entry file');
  const inputs = [...new Set([...Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/')), ...ALWAYS_CHECKED])];
  // The demo profile's CPU-load script is found beside the code (electron/core/workloads).
  fs.cpSync(path.join(root, 'electron/core/workloads'), path.join(out, 'workloads'), { recursive: true });
  inputs.push(...fs.readdirSync(path.join(root, 'electron/core/workloads')).map((f) => `electron/core/workloads/${f}`));
  const entry = path.basename(entryOut);
  const current = { entry, builtAt, inputs };
  const tmp = path.join(out, `current.json.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(current, null, 1) + '\n');
  fs.renameSync(tmp, path.join(out, 'current.json'));
  // Files of earlier builds go once they are a minute old (a process started just before
  // may still be importing its chunks).
  const keep = new Set(Object.keys(result.metafile.outputs).map((f) => path.basename(f)));
  for (const f of fs.readdirSync(out)) {
    if (!/\.js(\.map)?$/.test(f) || keep.has(f)) continue;
    const p = path.join(out, f);
    try {
      if (Date.now() - fs.statSync(p).mtimeMs > 60_000) fs.rmSync(p, { force: true });
    } catch {
      /* gone already */
    }
  }
  return path.join(out, entry);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const quiet = process.argv.includes('--quiet-fail');
  try {
    if (process.argv.includes('--if-stale')) {
      const { freshCliEntry } = await import('../bin/cli-bundle.js');
      if (freshCliEntry(ROOT).entry) process.exit(0);
    }
    const entry = await buildCli();
    console.log(`built ${path.relative(ROOT, entry)}`);
  } catch (e) {
    const why = e && e.code === 'ERR_MODULE_NOT_FOUND' ? 'esbuild is not installed (a devDependency)' : (e && e.message) || String(e);
    if (!quiet) {
      console.error(`streamcap: building the CLI bundle failed: ${why}`);
      process.exit(1);
    }
    console.error(`streamcap: the CLI bundle was not built (${why}); the command runs from the sources through tsx instead.`);
  }
}
