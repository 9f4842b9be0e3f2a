// Finds the built React UI, building it with Vite on first use, so
// `npx streamcap agent` works straight after `npm install`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RENDERER_DIST = path.join(REPO_ROOT, 'dist', 'renderer');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** True when dist/renderer is missing or older than the sources (in a source checkout). */
export function uiNeedsBuild(): boolean {
  const index = path.join(RENDERER_DIST, 'index.html');
  if (!fs.existsSync(index)) return true;
  const sources = [path.join(REPO_ROOT, 'renderer'), path.join(REPO_ROOT, 'shared')].filter((d) => fs.existsSync(d));
  if (sources.length === 0) return false; // packaged: no sources to compare with
  const built = fs.statSync(index).mtimeMs;
  return sources.some((d) => newestMtime(d) > built);
}

export async function ensureUiBuilt(log: (m: string) => void): Promise<string | null> {
  if (!uiNeedsBuild()) return RENDERER_DIST;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    log('The web console is not built and Vite is not installed: run "npm install" then "npm run build". The API still works.');
    return fs.existsSync(path.join(RENDERER_DIST, 'index.html')) ? RENDERER_DIST : null;
  }
  log('Building the web console (first run, ~10 s)…');
  await vite.build({ configFile: path.join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  return RENDERER_DIST;
}
