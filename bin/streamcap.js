#!/usr/bin/env -S node --max-semi-space-size=2
// `streamcap …`: runs the prebuilt bundle in dist/cli when it is in step with the
// sources (a start costs about what bare Node does); rebuilds it with esbuild when a
// source is newer (a fraction of a second, once); and runs the TypeScript sources
// through tsx where esbuild is not installed, or with STREAMCAP_CLI_FROM_SOURCES=1.
// STREAMCAP_CLI_DEBUG=1 says on stderr which of these it did, and why.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshCliEntry } from './cli-bundle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const debug = process.env.STREAMCAP_CLI_DEBUG === '1' ? (m) => process.stderr.write(`streamcap: ${m}\n`) : () => {};

async function entry() {
  if (process.env.STREAMCAP_CLI_FROM_SOURCES === '1') return null;
  const fresh = freshCliEntry(root);
  if (fresh.entry) {
    debug(`using ${path.relative(root, fresh.entry)}`);
    return fresh.entry;
  }
  debug(`rebuilding the bundle: ${fresh.why}`);
  try {
    const { buildCli } = await import('../scripts/build-cli.js');
    return await buildCli(root);
  } catch (e) {
    debug(`could not build (${e?.code === 'ERR_MODULE_NOT_FOUND' ? 'esbuild is not installed' : (e?.message ?? e)}): running the sources through tsx`);
    return null;
  }
}

const bundle = await entry();
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  debug('running from the sources (tsx)');
  const { register } = await import('tsx/esm/api');
  register();
  await import('../electron/cli/main.ts');
}
