// An append-only journal: one JSON record per line, appended in batches and fsync'd
// once per batch (group commit), so a crash loses at most the last batch window of
// changes and a busy line costs one fsync per window, not one per change. The file
// starts with a snapshot record once compacted; compaction writes a new file holding
// only a snapshot (temp file, fsync, rename, fsync of the folder), so a crash at any
// moment leaves the old journal or the new one, never a mix.
//
// Written by hand rather than with an embedded database: SQLite and LevelDB bindings
// build native code at install time (node-gyp, prebuilt downloads), which the offline
// installs StreamCap supports cannot do, and the waiting line needs no more than this.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureDir } from './storage';

const write = promisify(fs.write);
const fdatasync = promisify(fs.fdatasync);
const fsync = promisify(fs.fsync);
const close = promisify(fs.close);

export interface JournalOptions {
  /** The longest a change waits before its batch is written and fsync'd (ms). */
  commitMs?: number;
  /** Compact once the file is this large (bytes)… */
  compactBytes?: number;
  /** …or holds this many records since the last snapshot. */
  compactRecords?: number;
  /** The caller's whole state as one record: written by compaction. */
  snapshot: () => unknown;
  /** A write or fsync failed (disk full, removed folder): told once per failure streak. */
  onError?: (e: Error) => void;
}

export interface JournalContents {
  /** Every whole record, in order (a compacted file's first one is the snapshot). */
  records: unknown[];
  /** What was repaired on open, in words (a torn last record, damage further in); null when the file was whole. */
  repaired: string | null;
}

export const DEFAULT_COMMIT_MS = 50;

/**
 * Reads a journal and repairs it in place: a last record cut short by a crash (no
 * final newline, or not JSON) is truncated away. Damage further in (a disk fault,
 * an editor) ends the readable part there; the file is kept aside for a human and
 * truncated to what was read, so the records appended next follow whole ones.
 */
export function readJournal(file: string): JournalContents {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], repaired: null };
    throw e;
  }
  const records: unknown[] = [];
  let good = 0; // bytes of whole, parsed records
  let repaired: string | null = null;
  while (good < buf.length) {
    const nl = buf.indexOf(0x0a, good);
    if (nl < 0) {
      repaired = `a torn last record (${buf.length - good} bytes) was cut off`;
      break;
    }
    try {
      records.push(JSON.parse(buf.subarray(good, nl).toString('utf8')));
    } catch {
      const last = nl === buf.length - 1;
      repaired = last ? `a damaged last record (${nl - good} bytes) was cut off` : `damage at byte ${good} ended the readable part; the whole file is kept as ${path.basename(file)}.damaged-*`;
      if (!last) fs.copyFileSync(file, `${file}.damaged-${Date.now()}`);
      break;
    }
    good = nl + 1;
  }
  if (good < buf.length) fs.truncateSync(file, good);
  return { records, repaired };
}

export class Journal {
  private fd: number;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The batch being written (one at a time, in order). */
  private flushing: Promise<void> = Promise.resolve();
  private busy = false;
  private size: number;
  private sinceSnapshot: number;
  /** A failed write lost records: the next batch writes a whole snapshot instead. */
  private needSnapshot = false;
  private failing = false;
  private closed = false;
  private readonly commitMs: number;
  /** Records and fsyncs written, for tests and the soak figures. */
  readonly stats = { records: 0, batches: 0, compactions: 0 };

  constructor(
    readonly file: string,
    private readonly opts: JournalOptions,
    /** Records already in the file (from readJournal), counted towards compaction. */
    existingRecords = 0,
  ) {
    ensureDir(path.dirname(file));
    this.fd = fs.openSync(file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
    this.sinceSnapshot = existingRecords;
    this.commitMs = opts.commitMs ?? DEFAULT_COMMIT_MS;
  }

  /** Queues a record; it is on disk within commitMs (plus the fsync's own time). */
  append(record: unknown): void {
    if (this.closed) return;
    this.pending.push(JSON.stringify(record) + '\n');
    this.schedule();
  }

  private schedule(delay = this.commitMs): void {
    if (this.timer || this.busy || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
    // The journal never keeps a process alive: close() writes what is left.
    this.timer.unref();
  }

  /** Writes and fsyncs everything queued so far (compacting when due); resolves when it is on disk. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const run = this.flushing.then(() => this.writeBatch());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async writeBatch(): Promise<void> {
    if (this.closed) return;
    this.busy = true;
    try {
      const due = this.needSnapshot || this.size >= (this.opts.compactBytes ?? 8 << 20) || this.sinceSnapshot >= (this.opts.compactRecords ?? 4096);
      if (due) await this.compactNow();
      else if (this.pending.length) {
        const batch = this.pending;
        this.pending = [];
        const buf = Buffer.from(batch.join(''), 'utf8');
        try {
          let off = 0;
          while (off < buf.length) off += (await write(this.fd, buf, off, buf.length - off)).bytesWritten;
          await fdatasync(this.fd);
          this.size += buf.length;
          this.sinceSnapshot += batch.length;
          this.stats.records += batch.length;
          this.stats.batches++;
          this.failing = false;
        } catch (e) {
          // The batch is lost to this file (and may sit half-written at its end):
          // the next attempt writes a whole snapshot, which holds it and replaces the tail.
          this.needSnapshot = true;
          this.report(e as Error);
        }
      }
    } finally {
      this.busy = false;
    }
    if (this.pending.length || this.needSnapshot) this.schedule(this.failing ? 1000 : this.commitMs);
  }

  /** Replaces the file with one snapshot record of the state now (which holds every queued change). */
  private async compactNow(): Promise<void> {
    const text = JSON.stringify(this.opts.snapshot()) + '\n';
    this.pending = []; // in the snapshot
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        const buf = Buffer.from(text, 'utf8');
        let off = 0;
        while (off < buf.length) off += (await write(fd, buf, off, buf.length - off)).bytesWritten;
        await fsync(fd);
      } finally {
        await close(fd);
      }
      // Closed before the rename: Windows refuses to replace a file that is open.
      await close(this.fd);
      this.fd = -1;
      try {
        await fs.promises.rename(tmp, this.file);
      } finally {
        this.fd = fs.openSync(this.file, 'a', 0o600);
      }
      syncDir(path.dirname(this.file));
      this.size = Buffer.byteLength(text);
      this.sinceSnapshot = 0;
      this.needSnapshot = false;
      this.failing = false;
      this.stats.compactions++;
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      this.needSnapshot = true;
      this.report(e as Error);
    }
  }

  /** Compacts at the next batch (after a restore, so the next start replays nothing). */
  compactSoon(): void {
    this.needSnapshot = true;
    this.schedule(0);
  }

  private report(e: Error): void {
    if (!this.failing) this.opts.onError?.(e);
    this.failing = true;
  }

  /** Writes what is queued, then closes the file. Nothing is appended after. */
  async close(): Promise<void> {
    if (this.closed) return this.flushing;
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const fd = this.fd;
    this.fd = -1;
    if (fd >= 0) await close(fd).catch(() => undefined);
  }
}

/** fsync of a folder, so a rename in it survives a power cut (not possible on Windows: skipped). */
function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* best effort: the rename itself is atomic */
  }
}
