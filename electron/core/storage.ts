// Where StreamCap keeps its files, and how it writes them: temp file, fsync, rename,
// with the previous version kept as .bak. A crash mid-write leaves the old or the new
// file, never a torn one.
//
// Written by hand rather than with write-file-atomic: its v7 renamed a short write
// into place when the disk filled up (test/core/storage.test.ts, "full disk"), the
// one failure an atomic write exists to survive.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../shared/contract';

export function defaultDataDir(): string {
  if (process.env.STREAMCAP_HOME) return path.resolve(process.env.STREAMCAP_HOME);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'StreamCap');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'StreamCap');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'streamcap');
}

export function ensureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Atomic JSON write. Keeps the previous file as `<file>.bak`. Maps ENOSPC to a clear error. */
export async function writeJsonAtomic(file: string, data: unknown, opts: { mode?: number; backup?: boolean } = {}): Promise<void> {
  const text = JSON.stringify(data, null, 2) + '\n';
  ensureDir(path.dirname(file));
  if (opts.backup !== false && fs.existsSync(file)) {
    try {
      fs.copyFileSync(file, file + '.bak');
    } catch {
      /* a missing backup is not worth failing the save */
    }
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFileDurably(file, text, opts.mode ?? 0o600);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Antivirus and indexers on Windows hold files briefly: retry the rename.
      if ((code === 'EPERM' || code === 'EBUSY' || code === 'EACCES') && process.platform === 'win32' && attempt < 5) {
        await sleep(50 * (attempt + 1));
        continue;
      }
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new ApiError('disk_full', `Disk full: could not write ${file}. Free some space and try again; the previous version is unchanged.`);
      }
      throw new ApiError('internal', `Could not write ${file}: ${(e as Error).message}`);
    }
  }
}

async function writeFileDurably(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let handle: fs.promises.FileHandle | null = null;
  try {
    handle = await fs.promises.open(tmp, 'w', mode);
    await handle.writeFile(text, 'utf8'); // loops over short writes; ENOSPC throws
    await handle.sync();
    await handle.close();
    handle = null;
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

/** Reads a JSON file, falling back to its .bak when the main file is damaged. */
export function readJsonWithBackup(file: string): { data: unknown; source: 'main' | 'backup' | 'none'; problem?: string } {
  const tryRead = (f: string): unknown => JSON.parse(fs.readFileSync(f, 'utf8'));
  if (!fs.existsSync(file)) {
    if (fs.existsSync(file + '.bak')) {
      try {
        return { data: tryRead(file + '.bak'), source: 'backup', problem: `${file} is missing` };
      } catch {
        /* fall through */
      }
    }
    return { data: undefined, source: 'none' };
  }
  try {
    return { data: tryRead(file), source: 'main' };
  } catch (e) {
    const problem = `${file} is damaged (${(e as Error).message})`;
    try {
      return { data: tryRead(file + '.bak'), source: 'backup', problem };
    } catch {
      return { data: undefined, source: 'none', problem };
    }
  }
}
