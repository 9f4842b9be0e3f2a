// The only module that starts and signals instance processes. Never a shell:
// arguments reach the child exactly as given.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import treeKill from 'tree-kill';
import { ApiError } from '../../shared/contract';
import type { InstanceTree } from './proc/tree';

const isWindows = process.platform === 'win32';

/** Resolves an executable: an absolute path, a path relative to `cwd`, or a bare name found on PATH. */
export function resolveExecutable(exe: string, cwd: string): string {
  const candidates: string[] = [];
  if (path.isAbsolute(exe)) candidates.push(exe);
  else if (exe.includes('/') || exe.includes('\\')) candidates.push(path.resolve(cwd || process.cwd(), exe));
  else {
    const exts = isWindows ? (process.env.PATHEXT ?? '.EXE').split(';').filter((e) => e.toLowerCase() === '.exe' || e.toLowerCase() === '.com') : [''];
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (!dir) continue;
      for (const ext of isWindows ? ['', ...exts] : exts) candidates.push(path.join(dir, exe + ext));
    }
  }
  for (const c of candidates) {
    try {
      const st = fs.statSync(c);
      if (!st.isFile()) continue;
      if (!isWindows) fs.accessSync(c, fs.constants.X_OK);
      if (isWindows && /\.(bat|cmd)$/i.test(c)) {
        // Batch files always go through cmd.exe, which re-parses arguments (CVE-2024-27980).
        throw new ApiError('exe_not_found', `${c} is a batch file: StreamCap starts programs without a shell. Point the profile at the .exe the script runs.`);
      }
      return c;
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if ((e as NodeJS.ErrnoException).code === 'EACCES') {
        throw new ApiError('exe_not_found', `${c} is not executable. Fix its permissions (chmod +x) or pick another file.`);
      }
    }
  }
  const where = path.isAbsolute(exe) ? exe : candidates.length === 1 ? candidates[0] : `${exe} (searched PATH)`;
  throw new ApiError('exe_not_found', `Executable not found: ${where}. Check the path (is the app installed there?).`);
}

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  /** Where stdout and stderr go (instance-output.ts); pipes when not given. */
  stdio?: ['ignore', number, number];
}

export function spawnInstance(exe: string, args: string[], opts: SpawnOptions): ChildProcess {
  if (opts.cwd && !fs.existsSync(opts.cwd)) {
    throw new ApiError('not_found', `Working directory not found: ${opts.cwd}. Fix the profile's working directory.`);
  }
  return spawn(exe, args, {
    cwd: opts.cwd || undefined,
    env: { ...process.env, ...opts.env },
    shell: false,
    windowsHide: true,
    // Own process group on POSIX, so the whole tree can be signalled at once.
    detached: !isWindows,
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
}

function signalTree(tree: InstanceTree | null, pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* group already gone */
  }
  // Members that left the group (setsid) still belong to the tree.
  for (const pid of tree?.aliveNow() ?? []) {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function groupAlive(pgid: number, tree: InstanceTree | null): boolean {
  if (tree) return tree.aliveNow().length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a whole process tree: SIGTERM to the group and every known member, then
 * SIGKILL after the grace period. Resolves once nothing of the tree runs.
 * Windows: taskkill /T /F through tree-kill.
 */
export async function stopTree(rootPid: number, pgid: number, tree: InstanceTree | null, graceMs: number): Promise<{ forced: boolean }> {
  if (isWindows) {
    await new Promise<void>((resolve) => treeKill(rootPid, 'SIGKILL', () => resolve()));
    return { forced: true };
  }
  tree?.rescan(Date.now(), true);
  signalTree(tree, pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid, tree)) return { forced: false };
    await sleep(50);
  }
  tree?.rescan(Date.now(), true);
  signalTree(tree, pgid, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline && groupAlive(pgid, tree)) await sleep(25);
  return { forced: true };
}
