// Data the core reports: the host, instances, samples. Imports only shared/ (not the contract,
// so the probe's modules can use these types without a cycle through the contract).
import type { StreamStats } from '../stream-quality';

export interface HostInfo {
  hostname: string;
  platform: string;
  os: string;
  cpuModel: string;
  cores: number;
  memoryMB: number;
  gpus: { index: number; name: string }[];
  locale: string;
  version: string;
  sampleIntervalMs: number;
  dataDir: string;
}

export const INSTANCE_STATES = ['copying', 'starting', 'running', 'stopping', 'stopped', 'exited', 'crashed', 'backoff', 'failed'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];
/** The states an instance ends in: nothing of it runs, and nothing will restart it. */
export const FINISHED_STATES: ReadonlySet<InstanceState> = new Set(['stopped', 'exited', 'crashed', 'failed']);
export const isFinished = (s: InstanceState): boolean => FINISHED_STATES.has(s);

export interface InstanceInfo {
  id: string;
  n: number;
  profileId: string;
  profileName: string;
  exe: string;
  args: string[];
  cwd: string;
  gpu: number | null;
  state: InstanceState;
  pid: number | null;
  startedAt: number | null;
  endedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  /** Why it is in this state, in words: "exit code 42", "gave up after 3 restarts", "ENOENT". */
  reason: string | null;
  restarts: number;
  /** Set while waiting to restart: epoch ms of the next attempt. */
  restartAt: number | null;
  adopted: boolean;
  /** The launcher exited but processes it started still run (bootstrapper EXEs). */
  launcherExited: boolean;
  copyProgress: { done: number; total: number } | null;
  lastLines: string[];
  /** This instance's stream, the profile's templates filled in; null: no stream settings. */
  stream: InstanceStream | null;
}

export interface InstanceStream {
  signallingUrl: string;
  streamerId: string;
  /** The page people open to watch or operate it ('' when the profile gives none). */
  playerUrl: string;
  /** Measuring viewers StreamCap keeps connected. */
  viewers: number;
}

export interface LogLine {
  t: number;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
}

export interface OrphanInfo {
  pid: number;
  pgid: number;
  n: number;
  profileName: string;
  exe: string;
  startedAt: number;
  processes: number;
}

/** A value that may be absent, and if so why: the UI shows the reason, never a 0. */
export type Measured<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * What a card's hardware encoder allows (shared/gpu/card-class.ts): GeForce caps
 * concurrent NVENC sessions per system; professional and data-centre cards don't.
 * `other` is a non-NVIDIA GPU; `unknown` an NVIDIA name not recognised.
 */
export type GpuCardClass = 'geforce' | 'professional' | 'datacentre' | 'other' | 'unknown';

export interface GpuDevice {
  index: number;
  name: string;
  /** % of the device (busiest engine on Windows counters; SM on NVIDIA). null under MIG and where not reported: never 0. */
  utilization: number | null;
  memoryUsedMB: number | null;
  memoryTotalMB: number | null;
  encoderUtilization: number | null;
  encoderSessions: number | null;
  temperatureC: number | null;
  powerW: number | null;
  cardClass: GpuCardClass;
  /** Concurrent hardware encode sessions allowed: 8 on GeForce (shared by all GeForce cards of the system), 0 = no hardware encoder, null = no cap (or not known, see cardClass). */
  encoderSessionLimit: number | null;
  decoderUtilization?: number | null;
  encoderAverageFps?: number | null;
}

export interface SystemSample {
  /** % of the whole machine, 0-100. */
  cpu: number;
  /** Per core, % of that core. */
  cores: number[];
  memory: { usedMB: number; totalMB: number; percent: number };
  net: Measured<{ rxMbps: number; txMbps: number }>;
  /** Bytes received and sent since boot, all interfaces but loopback (absent where not read): for counters. */
  netBytes?: { rx: number; tx: number };
  disk: Measured<{ readMBps: number; writeMBps: number; freeGB: number; totalGB: number }>;
}

export interface InstanceSample {
  id: string;
  n: number;
  pid: number | null;
  state: InstanceState;
  /** % of one core, summed over the process tree (as `top` shows it). */
  cpu: number | null;
  /** CPU seconds the tree used since the previous sample (absent when not running): for counters. */
  cpuSeconds?: number;
  memoryMB: number | null;
  processes: number;
  /** % of one GPU (NVIDIA: SM; Windows counters: busiest engine), summed over the process tree and over GPUs. */
  gpu: Measured<number>;
  /** The rest of the per-process GPU figures where the source gives them (null: not reported for this tree). */
  gpuDetail?: { encoder: number | null; decoder: number | null; memoryMB: number | null };
  /** The stream as StreamCap's viewers receive it; absent when the instance has no stream settings or no viewers. */
  stream?: Measured<StreamStats>;
}

/** StreamCap's own measuring viewers: what they cost, apart from every instance's load. */
export interface ViewerCost {
  viewers: number;
  /** % of one core, the viewers' browser process tree. */
  cpu: number | null;
  memoryMB: number | null;
}

export interface Snapshot {
  t: number;
  seq: number;
  intervalMs: number;
  system: SystemSample;
  /** ageMs: how old the reading is; stale: older than 3 of the reader's intervals; source: which reader. */
  gpus: Measured<GpuDevice[]> & { ageMs?: number; stale?: boolean; source?: string };
  instances: InstanceSample[];
  /** StreamCap's own main event-loop delay p99 over the last interval, ms. */
  loopDelayP99Ms: number | null;
  /** Time this sample took to collect, ms (StreamCap's own cost, shown in benchmarks). */
  sampleMs?: number;
  /** The measuring viewers' cost; absent when none runs. */
  viewers?: ViewerCost;
}
