// Builds the measuring viewer's page script (renderer/viewer/viewer.ts with Epic's
// frontend library) into dist/viewer, with the page the desktop app's hidden windows
// load. Used by scripts/build.js and, on first use from a source checkout, by the core.
import fs from 'node:fs';
import path from 'node:path';

export async function buildViewer(root) {
  const { build } = await import('esbuild');
  const out = path.join(root, 'dist', 'viewer');
  await build({
    entryPoints: [path.join(root, 'renderer/viewer/viewer.ts')],
    outfile: path.join(out, 'viewer.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  fs.writeFileSync(
    path.join(out, 'viewer.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>StreamCap viewer</title>` +
      `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; connect-src ws: wss:; style-src 'unsafe-inline'">` +
      `<style>html,body{margin:0;background:#000}#player{width:320px;height:180px;position:relative}</style></head>` +
      `<body><div id="player"></div><script src="viewer.js"></script></body></html>\n`,
  );
  return path.join(out, 'viewer.js');
}
