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

/** The write in progress per file: writes of one file run one after another. */
const fileQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call with the same key has finished: writes (and
 * read-modify-writes) of one file never interleave, so none is lost to another.
 */
export function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const k = path.resolve(key);
  const run = (fileQueues.get(k) ?? Promise.resolve()).then(fn);
  const tail = run.catch(() => undefined);
  fileQueues.set(k, tail);
  // The map forgets a file once its last write is done.
  void tail.then(() => {
    if (fileQueues.get(k) === tail) fileQueues.delete(k);
  });
  return run;
}

/**
 * Atomic JSON write. Keeps the previous file as `<file>.bak`, itself written atomically
 * and only from a previous file that parses (a damaged file never replaces a good
 * backup). Writes of one file are serialised. Maps ENOSPC to a clear error.
 */
export function writeJsonAtomic(file: string, data: unknown, opts: { mode?: number; backup?: boolean } = {}): Promise<void> {
  const text = JSON.stringify(data, null, 2) + '\n';
  return serialized(file, () => writeNow(file, text, opts));
}

async function writeNow(file: string, text: string, opts: { mode?: number; backup?: boolean }): Promise<void> {
  ensureDir(path.dirname(file));
  if (opts.backup !== false) {
    try {
      const previous = await fs.promises.readFile(file, 'utf8');
      JSON.parse(previous);
      await writeFileDurably(file + '.bak', previous, opts.mode ?? 0o600);
    } catch {
      /* no previous file, a damaged one, or no room for the backup: not worth failing the save */
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

/** Temp files of this module (`<file>.<pid>.<hex>.tmp`) and of the ledger (`<file>.<pid>.tmp`). */
const TEMP_NAME = /\.(\d+)(?:\.[0-9a-f]{8})?\.tmp$/;

/**
 * Removes the temp files a killed StreamCap left behind in `dir` (a crash between
 * open and rename). A temp file of a process that still runs is left alone: another
 * StreamCap may be writing it. Returns the names removed.
 */
export function sweepTempFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && processExists(pid)) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    } catch {
      /* another sweeper got it */
    }
  }
  return removed;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
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

/**
 * readJsonWithBackup without blocking the main loop (fs/promises), with the same answers;
 * one read per file (a missing file is the read's ENOENT, not a separate access() call).
 */
export async function readJsonWithBackupAsync(file: string): Promise<ReturnType<typeof readJsonWithBackup>> {
  const read = async (f: string): Promise<unknown> => JSON.parse(await fs.promises.readFile(f, 'utf8'));
  let missing: boolean;
  let problem: string;
  try {
    return { data: await read(file), source: 'main' };
  } catch (e) {
    missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    problem = missing ? `${file} is missing` : `${file} is damaged (${(e as Error).message})`;
  }
  try {
    return { data: await read(file + '.bak'), source: 'backup', problem };
  } catch {
    // Nothing kept at all is no problem (a first run); a damaged file without a good .bak is.
    return missing ? { data: undefined, source: 'none' } : { data: undefined, source: 'none', problem };
  }
}
