// The ledger of running instances, so that a StreamCap killed with -9 leaves no
// instance running unseen. Each StreamCap process owns one file named after its own
// PID and start time; at start-up, files of owners that no longer run are read and
// their instances still alive are offered as orphans (stop or adopt).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { OrphanInfo } from '../../shared/contract';
import { isAliveStat, readPidStat, scanAllProcesses } from './proc/linux';
import { isLinux, openTreeFromLedger, type InstanceTree } from './proc/tree';

const EntrySchema = z.object({
  id: z.string(),
  pid: z.number().int(),
  pgid: z.number().int(),
  startTime: z.number(),
  startedAt: z.number(),
  exe: z.string(),
  n: z.number().int(),
  profileId: z.string(),
  profileName: z.string(),
});
export type LedgerEntry = z.infer<typeof EntrySchema>;
const MARKER_ENV = 'STREAMCAP_INSTANCE';

/**
 * The process of an entry written before its spawn, found by the marker in its
 * environment (/proc/<pid>/environ: Linux only; elsewhere such an entry is skipped,
 * and the window between spawn and ledger entry is a few milliseconds).
 */
function findByMarker(entry: LedgerEntry, marker: string): LedgerEntry | null {
  if (!isLinux) return null;
  const needle = Buffer.from(`\0${MARKER_ENV}=${marker}\0`);
  let best: LedgerEntry | null = null;
  for (const stat of scanAllProcesses()) {
    if (!isAliveStat(stat)) continue;
    let env: Buffer;
    try {
      env = Buffer.concat([Buffer.from([0]), fs.readFileSync(`/proc/${stat.pid}/environ`)]);
    } catch {
      continue; // another user's process, or gone
    }
    if (!env.includes(needle)) continue;
    const found = { ...entry, pid: stat.pid, pgid: stat.pgid, startTime: stat.startTime };
    if (stat.pid === stat.pgid) return found; // the instance's own process, leader of its group
    best ??= found;
  }
  return best;
}

const FileSchema = z.object({ ownerPid: z.number().int(), ownerStartTime: z.number(), entries: z.array(EntrySchema) });

function processIdentity(pid: number): number | null {
  if (isLinux) return readPidStat(pid)?.startTime ?? null;
  try {
    process.kill(pid, 0);
    return 0;
  } catch {
    return null;
  }
}

export interface Orphan extends OrphanInfo {
  entry: LedgerEntry;
  tree: InstanceTree;
  file: string;
}

export class Ledger {
  private readonly file: string;
  private entries = new Map<string, LedgerEntry>();
  private readonly ownerStartTime: number;

  constructor(readonly dir: string) {
    this.ownerStartTime = processIdentity(process.pid) ?? 0;
    this.file = path.join(dir, `${process.pid}-${this.ownerStartTime}.json`);
  }

  add(entry: LedgerEntry): void {
    this.entries.set(entry.id, entry);
    this.flush();
  }

  /**
   * Written before an instance is spawned, with no pid yet: a kill -9 between the
   * spawn and the entry with its pid would otherwise leave the instance unseen (the
   * kill-anywhere test found this). The instance carries markerEnv(id) in its
   * environment; an orphan search finds it by that marker.
   */
  intend(entry: Omit<LedgerEntry, 'pid' | 'pgid' | 'startTime'>): void {
    this.add({ ...entry, pid: 0, pgid: 0, startTime: 0 });
  }

  /** The environment variable that ties an instance's processes to this ledger entry. */
  markerEnv(id: string): Record<string, string> {
    return { [MARKER_ENV]: `${path.basename(this.file, '.json')}/${id}` };
  }

  remove(id: string): void {
    if (this.entries.delete(id)) this.flush();
  }

  /**
   * Written synchronously (temp file, fsync, rename): the entry must be on disk before
   * the instance is reported running, or a kill -9 in between would lose it. The file
   * is a few hundred bytes and launches are rare, so the event loop barely notices.
   */
  private flush(): void {
    try {
      if (this.entries.size === 0) {
        fs.rmSync(this.file, { force: true });
        return;
      }
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify({ ownerPid: process.pid, ownerStartTime: this.ownerStartTime, entries: [...this.entries.values()] }));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
    } catch (e) {
      this.lastError = `ledger not written (${(e as Error).message}): instances may go unseen if StreamCap crashes`;
    }
  }

  lastError: string | null = null;

  /** Instances left running by StreamCap processes that are gone. */
  findOrphans(): Orphan[] {
    const out: Orphan[] = [];
    for (const { name, file, parsed } of this.otherFiles()) {
      if (processIdentity(parsed.ownerPid) === parsed.ownerStartTime) continue; // its owner still runs
      let any = false;
      for (const listed of parsed.entries) {
        // An entry written before its spawn: look for the process by its marker.
        const entry = listed.pid === 0 ? findByMarker(listed, `${path.basename(name, '.json')}/${listed.id}`) : listed;
        if (!entry) continue;
        const tree = openTreeFromLedger(entry.pid, entry.pgid, entry.startTime);
        if (!tree) continue;
        any = true;
        out.push({
          pid: entry.pid,
          pgid: entry.pgid,
          n: entry.n,
          profileName: entry.profileName,
          exe: entry.exe,
          startedAt: entry.startedAt,
          processes: tree.aliveNow().length,
          entry,
          tree,
          file,
        });
      }
      if (!any) fs.rmSync(file, { force: true });
    }
    return out;
  }

  /** The ids of every instance listed in any ledger file of the folder, this one's included. */
  listedIds(): Set<string> {
    const ids = new Set<string>(this.entries.keys());
    for (const { parsed } of this.otherFiles()) for (const e of parsed.entries) ids.add(e.id);
    return ids;
  }

  /** The other StreamCap processes' ledger files that parse; one not ours or torn beyond use is left for a human to look at. */
  private otherFiles(): { name: string; file: string; parsed: z.infer<typeof FileSchema> }[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    } catch {
      return []; // no ledger yet
    }
    const out: { name: string; file: string; parsed: z.infer<typeof FileSchema> }[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      if (file === this.file) continue;
      try {
        out.push({ name, file, parsed: FileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))) });
      } catch {
        /* not ours or torn */
      }
    }
    return out;
  }

  static forget(files: Iterable<string>): void {
    for (const f of new Set(files)) fs.rmSync(f, { force: true });
  }
}
