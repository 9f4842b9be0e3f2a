// The checkout (or installed package): the folder with StreamCap's package.json, found
// upward from this file, since it also runs from bundles (dist/cli, dist/electron, dist/bench).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function packageRoot(): string {
  if (root) return root;
  const here = path.dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (;;) {
    try {
      if ((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'streamcap') return (root = dir);
    } catch {
      /* none here */
    }
    const up = path.dirname(dir);
    if (up === dir) return (root = path.resolve(here, '../..'));
    dir = up;
  }
}
