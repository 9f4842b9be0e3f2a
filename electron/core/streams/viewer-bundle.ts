// The measuring viewer's page script (renderer/viewer/viewer.ts with Epic's frontend
// library), bundled once with esbuild and kept in step with its sources, like the
// console's UI build.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';

const ROOT = packageRoot();
export const VIEWER_SOURCE = path.join(ROOT, 'renderer/viewer/viewer.ts');
export const VIEWER_BUNDLE = path.join(ROOT, 'dist/viewer/viewer.js');

let cached: Promise<string> | null = null;

const mtime = (p: string) => {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
};

/** The bundle's text, built first when it is missing or older than its sources. */
export function viewerBundle(): Promise<string> {
  cached ??= (async () => {
    // What renderer/viewer/viewer.ts imports (besides Epic's library from node_modules).
    const sources = [VIEWER_SOURCE, path.join(ROOT, 'shared/stream-quality.ts'), path.join(ROOT, 'shared/player-settings.ts')];
    const fresh = fs.existsSync(VIEWER_BUNDLE) && (!fs.existsSync(VIEWER_SOURCE) || sources.every((s) => mtime(s) <= mtime(VIEWER_BUNDLE)));
    if (!fresh) await buildViewerBundle();
    return fs.readFileSync(VIEWER_BUNDLE, 'utf8');
  })();
  cached.catch(() => (cached = null));
  return cached;
}

export async function buildViewerBundle(): Promise<void> {
  let buildViewer: (root: string) => Promise<string>;
  try {
    // The one import across the layers, on purpose: a source checkout builds the viewer page on first use, with the same script `npm run build` runs.
    // eslint-disable-next-line import/no-restricted-paths
    ({ buildViewer } = await import('../../../scripts/viewer-build.js'));
    await import('esbuild');
  } catch {
    throw new Error('the stream viewer is not built and esbuild is not installed: run "npm install" then "npm run build"');
  }
  await buildViewer(ROOT);
}
