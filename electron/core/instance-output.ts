// Where an instance's stdout and stderr go: two files in the data folder, not pipes.
//
// Why files: a pipe wakes StreamCap's event loop for every chunk a child writes. Sixteen
// instances logging a line every few seconds (a game server's pace) were 6 wake-ups a
// second and 40 % of an agent's CPU time (bench:sampler: 224 ms a minute with pipes, 131
// without any output at all). A file costs a read per stream per sample tick instead, at
// the tick's own wake-up, and more:
// - the output survives StreamCap: a crashed agent's instances keep writing, and the next
//   one that adopts them reads on (a pipe's reader gone, a child's next write fails with
//   EPIPE: a Node child dies of it);
// - the child never blocks on a full pipe: its writes cost it what a log file costs;
// - the full output, up to ROTATE_BYTES, is on disk for a post-mortem, not only the last
//   lines kept in memory.
// The RingLog stays what the console and the API read; this fills it.
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { freeBytes } from './copier';
import type { RingLog } from './ring-log';

/** A file this long is emptied once read to its end (the child writes in append mode, so on from 0). */
export const ROTATE_BYTES = 8 * 2 ** 20;
/** Free space below which output goes through pipes instead (two files can reach 2 × ROTATE_BYTES). */
export const MIN_FREE_BYTES = 64 * 2 ** 20;
/** What an adopted instance's file gives the log at first: its last this many bytes. */
const ADOPT_TAIL_BYTES = 64 * 1024;
const STREAMS = ['stdout', 'stderr'] as const;

/** One read buffer for every file: reads are synchronous and each chunk is decoded at once. */
const chunk = Buffer.allocUnsafe(64 * 1024);

class OutputFile {
  private decoder = new StringDecoder('utf8');
  /** Skip up to the first line end: reading began inside a line (an adopted file's tail). */
  private skipPartial: boolean;

  constructor(
    readonly path: string,
    readonly stream: 'stdout' | 'stderr',
    private fd: number,
    private offset: number,
  ) {
    this.skipPartial = offset > 0;
  }

  /** Reads what was written since the last call into the log. */
  drain(log: RingLog): void {
    if (this.fd < 0) return;
    try {
      for (;;) {
        const n = fs.readSync(this.fd, chunk, 0, chunk.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        let text = this.decoder.write(chunk.subarray(0, n));
        if (this.skipPartial) {
          const nl = text.indexOf('\n');
          if (nl < 0) continue;
          text = text.slice(nl + 1);
          this.skipPartial = false;
        }
        log.write(this.stream, text);
        if (n < chunk.length) break; // the end of what is there: no second read to learn it
      }
      if (this.offset >= ROTATE_BYTES) {
        fs.ftruncateSync(this.fd, 0);
        this.offset = 0;
        log.push('system', `${this.stream} file reached ${ROTATE_BYTES / 2 ** 20} MiB and was emptied (${this.path}); what was written in that moment may be missing`);
      }
    } catch (e) {
      log.push('system', `${this.stream} can no longer be read (${(e as Error).message}); the instance runs on`);
      this.close();
    }
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = -1;
  }
}

export class InstanceOutput {
  private constructor(
    private readonly files: OutputFile[],
    /** The child's ends (write, append), until closeChildEnds(): the spawned child holds its own copies. */
    private childFds: number[],
  ) {}

  /** The file names of an instance's output in `dir`. */
  static paths(dir: string, id: string): [string, string] {
    return [path.join(dir, `${id}.stdout.log`), path.join(dir, `${id}.stderr.log`)];
  }

  /** New empty files for a start of the instance; throws (disk full, no permission) with the system's reason. */
  static create(dir: string, id: string): InstanceOutput {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A child whose output file cannot be written fails its writes (a Node app dies of
    // ENOSPC): on a nearly full disk, pipes, which never fill the disk.
    const free = freeBytes(dir);
    if (free !== null && free < MIN_FREE_BYTES) throw new Error(`only ${Math.round(free / 2 ** 20)} MiB free on the disk; free some space`);
    const fds: number[] = [];
    const files: OutputFile[] = [];
    try {
      InstanceOutput.paths(dir, id).forEach((p, k) => {
        // Append mode on the child's end: emptying the file (ROTATE_BYTES) moves its next write to the start.
        fds.push(fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND, 0o600));
        files.push(new OutputFile(p, STREAMS[k]!, fs.openSync(p, 'r+'), 0));
      });
    } catch (e) {
      for (const fd of fds) fs.closeSync(fd);
      for (const f of files) f.close();
      throw e;
    }
    return new InstanceOutput(files, fds);
  }

  /** The files an earlier StreamCap gave an instance it now adopts, read from near their end; null if there are none. */
  static reopen(dir: string, id: string): InstanceOutput | null {
    const files: OutputFile[] = [];
    InstanceOutput.paths(dir, id).forEach((p, k) => {
      try {
        const fd = fs.openSync(p, 'r+');
        files.push(new OutputFile(p, STREAMS[k]!, fd, Math.max(0, fs.fstatSync(fd).size - ADOPT_TAIL_BYTES)));
      } catch {
        /* not there: that stream is not captured */
      }
    });
    return files.length > 0 ? new InstanceOutput(files, []) : null;
  }

  /** stdio for spawn: no stdin, stdout and stderr to the files. */
  stdio(): ['ignore', number, number] {
    return ['ignore', this.childFds[0]!, this.childFds[1]!];
  }

  /** After the spawn (or its failure): the child has its own descriptors. */
  closeChildEnds(): void {
    for (const fd of this.childFds) fs.closeSync(fd);
    this.childFds = [];
  }

  drain(log: RingLog): void {
    for (const f of this.files) f.drain(log);
  }

  close(): void {
    this.closeChildEnds();
    for (const f of this.files) f.close();
  }

  /** Deletes an instance's files (the instance was cleared from the list). */
  static remove(dir: string, id: string): void {
    for (const p of InstanceOutput.paths(dir, id)) fs.rmSync(p, { force: true });
  }

  /** Deletes the files of every instance not in `keep` (at start-up: instances no ledger knows are gone). */
  static prune(dir: string, keep: Set<string>): void {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = /^(.*)\.std(?:out|err)\.log$/.exec(name);
      if (m && !keep.has(m[1]!)) fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}
