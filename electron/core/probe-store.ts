// The probe history on disk: one JSON file per run under <data dir>/probes/, written
// atomically (storage.ts: temp file, fsync, rename, .bak), read with fs/promises so
// listing a long history never blocks the main loop.
import fs from 'node:fs';
import path from 'node:path';
import { PROBE_FORMAT, type ProbeRun } from '../../shared/probe';
import { readJsonWithBackupAsync, writeJsonAtomic } from './storage';

/** A run's id: its start time and four random characters (also its file name). */
export const PROBE_ID = /^\d{8}-\d{6}-[a-z0-9]{4}$/;

export class ProbeStore {
  constructor(readonly dir: string) {}

  fileOf(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  /** Ids of the saved runs, newest first (an id starts with its start time). */
  async ids(): Promise<string[]> {
    try {
      return (await fs.promises.readdir(this.dir))
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .filter((id) => PROBE_ID.test(id))
        .sort()
        .reverse();
    } catch {
      return [];
    }
  }

  /** A saved run, or null (missing, damaged, not a probe run). A run still marked running was written by a StreamCap that is gone: interrupted. */
  async read(id: string): Promise<ProbeRun | null> {
    const { data } = await readJsonWithBackupAsync(this.fileOf(id));
    const run = data as ProbeRun | undefined;
    if (!run || run.format !== PROBE_FORMAT || run.id !== id || !Array.isArray(run.steps)) return null;
    return run.state === 'running' ? { ...run, state: 'interrupted' } : run;
  }

  /** Writes a run as it stands (atomic, serialised per file). */
  save(run: ProbeRun): Promise<void> {
    return writeJsonAtomic(this.fileOf(run.id), run);
  }

  async remove(id: string): Promise<void> {
    const file = this.fileOf(id);
    await fs.promises.rm(file, { force: true });
    await fs.promises.rm(file + '.bak', { force: true });
  }
}
