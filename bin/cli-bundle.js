// Is the prebuilt CLI bundle (dist/cli, scripts/build-cli.js) in step with the sources?
// Runs on every `streamcap` start, so it only reads dist/cli/current.json and stats the
// files listed there (the bundle's own sources, package.json, npm's lock of node_modules):
// about a hundred stat calls, well under a millisecond of the start.
import fs from 'node:fs';
import path from 'node:path';

/**
 * The bundle's entry when it is fresh: { entry }. Otherwise { entry: null, why } with
 * the reason, e.g. "electron/cli/bandwidth.ts is newer than the bundle".
 */
export function freshCliEntry(root) {
  const dir = path.join(root, 'dist', 'cli');
  let current;
  try {
    current = JSON.parse(fs.readFileSync(path.join(dir, 'current.json'), 'utf8'));
  } catch {
    return { entry: null, why: 'no bundle built yet' };
  }
  if (!current || typeof current.entry !== 'string' || !Array.isArray(current.inputs) || typeof current.builtAt !== 'number') {
    return { entry: null, why: 'dist/cli/current.json is not one this version wrote' };
  }
  const entry = path.join(dir, path.basename(current.entry));
  if (!fs.existsSync(entry)) return { entry: null, why: `${path.relative(root, entry)} is missing` };
  for (const rel of current.inputs) {
    const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    // A source that is gone was renamed or deleted: whatever imports it changed too, rebuild.
    if (!st) return { entry: null, why: `${rel} is gone` };
    if (st.mtimeMs > current.builtAt) return { entry: null, why: `${rel} is newer than the bundle` };
  }
  return { entry };
}
