// App profiles, persisted in profiles.json (atomic writes, .bak kept), plus the
// built-in demo profile that runs anywhere.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, ProfileSchema, type Profile } from '../../shared/contract';
import { resolveExecutable } from './process-control';
import { readJsonWithBackup, serialized, writeJsonAtomic } from './storage';

export const DEMO_PROFILE_ID = 'demo';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The CPU-load script used when ffmpeg is absent (also a test fixture). */
export const CPU_LOAD_SCRIPT = path.resolve(here, 'workloads/cpu-load.mjs').replace('app.asar', 'app.asar.unpacked');

/** Is there an ffmpeg with libx264? Asked once at start-up, asynchronously, with a timeout. */
function hasFfmpegWithX264(): Promise<boolean> {
  let exe: string;
  try {
    exe = resolveExecutable('ffmpeg', '');
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    execFile(exe, ['-hide_banner', '-encoders'], { timeout: 5000, maxBuffer: 4 << 20, windowsHide: true }, (err, stdout) => resolve(!err && stdout.includes('libx264')));
  });
}

function nodeExecutable(): string {
  // Inside Electron, process.execPath is the app binary and RunAsNode is fused off.
  if (!process.versions.electron) return process.execPath;
  try {
    return resolveExecutable('node', '');
  } catch {
    return 'node';
  }
}

/** A stand-in render instance: a real-time 720p30 x264 encode (what a streaming instance does), else a CPU-load script. */
export async function detectDemoProfile(): Promise<Profile> {
  return (await hasFfmpegWithX264()) ? ffmpegDemo() : cpuLoadDemo();
}

function ffmpegDemo(): Profile {
  return ProfileSchema.parse({
    id: DEMO_PROFILE_ID,
    name: 'Demo: 720p30 stream encode (ffmpeg)',
    exe: 'ffmpeg',
    args: [
      '-hide_banner',
      '-nostats',
      '-loglevel',
      'warning',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=30',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-b:v',
      '8M',
      '-metadata',
      'title=stream{n}',
      '-f',
      'null',
      '-',
    ],
    cwd: '',
    staggerSec: 1,
    builtin: true,
  });
}

export function cpuLoadDemo(): Profile {
  return ProfileSchema.parse({
    id: DEMO_PROFILE_ID,
    name: 'Demo: CPU load 30 % (no ffmpeg found)',
    exe: nodeExecutable(),
    args: [CPU_LOAD_SCRIPT, '--load', '30', '--name', 'stream{n}'],
    cwd: '',
    staggerSec: 1,
    builtin: true,
  });
}

export class ProfileStore {
  private readonly file: string;
  private profiles = new Map<string, Profile>();
  /** Set when profiles.json was damaged and the backup was used: shown to the admin. */
  loadProblem: string | null = null;

  constructor(
    dataDir: string,
    private readonly demo: Profile = cpuLoadDemo(),
  ) {
    this.file = path.join(dataDir, 'profiles.json');
    const { data, problem } = readJsonWithBackup(this.file);
    this.loadProblem = problem ?? null;
    if (Array.isArray(data)) {
      for (const raw of data) {
        const r = ProfileSchema.safeParse(raw);
        if (r.success && !r.data.builtin) this.profiles.set(r.data.id, r.data);
      }
    }
    if (problem && fs.existsSync(this.file)) {
      // Keep the damaged file for a human; the next save writes a good one.
      fs.copyFileSync(this.file, `${this.file}.damaged-${Date.now()}`);
    }
  }

  list(): Profile[] {
    return [this.demo, ...[...this.profiles.values()].sort((a, b) => a.name.localeCompare(b.name))];
  }

  get(id: string): Profile {
    if (id === DEMO_PROFILE_ID) return this.demo;
    const p = this.profiles.get(id);
    if (!p) throw new ApiError('not_found', `No profile "${id}". It may have been deleted; pick another profile.`);
    return p;
  }

  async save(profile: Profile): Promise<Profile> {
    if (profile.id === DEMO_PROFILE_ID) throw new ApiError('conflict', 'The demo profile is built in and cannot be changed: save a copy under another id.');
    if (profile.builtin) {
      // It would be dropped on save (only the demo is built in): refuse rather than store something else.
      const msg = 'builtin: set by StreamCap for its demo profile only; leave it out to save a profile.';
      throw new ApiError('invalid_payload', `Invalid payload for profiles.save: ${msg}`, [msg]);
    }
    // One change at a time, each on top of the last: parallel saves would each start
    // from the same list and the last write would drop the others.
    return serialized(this.file + '#profiles', async () => {
      const next = new Map(this.profiles);
      next.set(profile.id, { ...profile, builtin: undefined });
      await writeJsonAtomic(this.file, [...next.values()]);
      this.profiles = next; // only after the write succeeded: a failed save changes nothing
      return profile;
    });
  }

  async delete(id: string): Promise<void> {
    if (id === DEMO_PROFILE_ID) throw new ApiError('conflict', 'The demo profile is built in and cannot be deleted.');
    return serialized(this.file + '#profiles', async () => {
      if (!this.profiles.has(id)) throw new ApiError('not_found', `No profile "${id}".`);
      const next = new Map(this.profiles);
      next.delete(id);
      await writeJsonAtomic(this.file, [...next.values()]);
      this.profiles = next;
    });
  }
}
