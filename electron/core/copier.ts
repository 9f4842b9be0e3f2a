// Copy per instance: one copy of the app's folder per instance, for apps that lock
// files or ports inside their folder. A copy is built under a temporary name and
// renamed into place only once complete, with a marker naming the source manifest,
// so a half-copied folder is never taken for a complete one, and an unchanged copy
// is reused on the next run.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/contract';

const MARKER = '.streamcap-copy.json';

interface Manifest {
  files: { rel: string; size: number; mtimeMs: number }[];
  totalBytes: number;
  hash: string;
}

async function walk(root: string, rel = '', out: Manifest['files'] = []): Promise<Manifest['files']> {
  const entries = await fs.promises.readdir(path.join(root, rel), { withFileTypes: true });
  for (const e of entries) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) await walk(root, r, out);
    else if (e.isFile()) {
      const st = await fs.promises.stat(path.join(root, r));
      out.push({ rel: r, size: st.size, mtimeMs: Math.floor(st.mtimeMs) });
    }
  }
  return out;
}

export async function buildManifest(sourceDir: string): Promise<Manifest> {
  let files: Manifest['files'];
  try {
    files = (await walk(sourceDir)).sort((a, b) => (a.rel < b.rel ? -1 : 1));
  } catch (e) {
    throw new ApiError('not_found', `Cannot read the app folder to copy (${sourceDir}): ${(e as Error).message}`);
  }
  const hash = createHash('sha256').update(JSON.stringify(files)).digest('hex');
  return { files, totalBytes: files.reduce((a, f) => a + f.size, 0), hash };
}

export function freeBytes(dir: string): number | null {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

export function instanceCopyDir(targetDir: string, n: number): string {
  return path.join(targetDir, `instance-${n}`);
}

/** True when `dir` holds a complete copy of the source described by `manifest`. */
export function isCompleteCopy(dir: string, manifest: Manifest): boolean {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')) as { hash?: string };
    return marker.hash === manifest.hash;
  } catch {
    return false;
  }
}

const fmtGB = (b: number) => `${(b / 1e9).toFixed(2)} GB`;

/**
 * Makes sure instance `n` has a complete copy of `sourceDir` under `targetDir`;
 * returns its folder. Reports progress in bytes.
 */
export async function ensureInstanceCopy(
  sourceDir: string,
  targetDir: string,
  n: number,
  onProgress: (done: number, total: number) => void,
  manifest?: Manifest,
): Promise<{ dir: string; reused: boolean }> {
  const m = manifest ?? (await buildManifest(sourceDir));
  const dest = instanceCopyDir(targetDir, n);
  if (isCompleteCopy(dest, m)) {
    onProgress(m.totalBytes, m.totalBytes);
    return { dir: dest, reused: true };
  }
  await fs.promises.mkdir(targetDir, { recursive: true });
  // Leftovers of an interrupted copy of this instance.
  for (const name of await fs.promises.readdir(targetDir)) {
    if (name.startsWith(`instance-${n}.partial-`)) await fs.promises.rm(path.join(targetDir, name), { recursive: true, force: true });
  }
  const free = freeBytes(targetDir);
  const needed = m.totalBytes + 64 * 2 ** 20;
  if (free !== null && free < needed) {
    throw new ApiError(
      'disk_full',
      `Not enough disk space for the copy of instance ${n}: it needs ${fmtGB(needed)}, ${fmtGB(free)} is free in ${targetDir}. Free some space or choose another target folder.`,
    );
  }
  const partial = path.join(targetDir, `instance-${n}.partial-${randomUUID().slice(0, 8)}`);
  let done = 0;
  try {
    onProgress(0, m.totalBytes);
    let lastReport = Date.now();
    for (const f of m.files) {
      const to = path.join(partial, f.rel);
      await fs.promises.mkdir(path.dirname(to), { recursive: true });
      await fs.promises.copyFile(path.join(sourceDir, f.rel), to);
      await fs.promises.utimes(to, new Date(), new Date(f.mtimeMs));
      done += f.size;
      if (Date.now() - lastReport > 100) {
        onProgress(done, m.totalBytes);
        lastReport = Date.now();
      }
    }
    await fs.promises.writeFile(path.join(partial, MARKER), JSON.stringify({ hash: m.hash, source: sourceDir, completedAt: new Date().toISOString() }));
    await fs.promises.rm(dest, { recursive: true, force: true });
    await fs.promises.rename(partial, dest);
  } catch (e) {
    await fs.promises.rm(partial, { recursive: true, force: true }).catch(() => undefined);
    if (e instanceof ApiError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new ApiError('disk_full', `Disk full while copying instance ${n} to ${targetDir}. Free some space and launch again; the partial copy was removed.`);
    throw new ApiError('internal', `Copy of instance ${n} failed: ${(e as Error).message}`);
  }
  onProgress(m.totalBytes, m.totalBytes);
  return { dir: dest, reused: false };
}

/** Maps a path inside the source folder to the same path inside an instance's copy. */
export function mapIntoCopy(p: string, sourceDir: string, copyDir: string): string {
  if (!p) return copyDir;
  const abs = path.resolve(sourceDir, p);
  const rel = path.relative(sourceDir, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return p; // outside the copied folder: left as is
  return path.join(copyDir, rel);
}
