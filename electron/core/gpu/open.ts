// Picks the GPU readers this machine allows:
//   Windows: devices from nvidia-smi where there is one, else from the GPU counters;
//            per process always from the GPU counters (pmon shows `-` for graphics
//            processes under WDDM, which is what a render app is).
//   Linux:   nvidia-smi query-gpu + pmon; else AMD gpu_busy_percent in sysfs (no per process).
//   Else:    nothing, with the reason.
import fs from 'node:fs';
import path from 'node:path';
import { findNvidiaSmi, NvidiaSmiReader, PmonReader } from './nvidia-reader';
import { findBusyPercentCards, SysfsGpuReader } from './sysfs-reader';
import { CombinedGpuSource, NO_NVIDIA_SMI, NO_PER_PROCESS, NoGpuSource, type GpuSource } from './source';
import { WindowsCounterReader } from './windows-counters-reader';

export interface OpenGpuOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  nvidiaSmi?: string | null;
  sysfsRoot?: string;
}

function findPowerShell(env: NodeJS.ProcessEnv): string | null {
  const p = path.join(env.SystemRoot ?? 'C:\\Windows', 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
  return fs.existsSync(p) ? p : null;
}

export function openGpuSource(intervalMs: number, opts: OpenGpuOptions = {}): GpuSource {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  if (env.STREAMCAP_NO_GPU === '1') return new NoGpuSource('GPU sampling turned off (STREAMCAP_NO_GPU=1)');
  const smi = opts.nvidiaSmi !== undefined ? opts.nvidiaSmi : findNvidiaSmi();

  if (platform === 'win32') {
    const ps = findPowerShell(env);
    const counters = ps ? new WindowsCounterReader(ps, intervalMs) : null;
    const perProcess = counters ?? 'per-process GPU needs the Windows GPU counters, and PowerShell was not found';
    if (smi) return new CombinedGpuSource(new NvidiaSmiReader(smi, intervalMs), perProcess);
    if (counters) return counters;
    return new NoGpuSource(`${NO_NVIDIA_SMI}, and PowerShell was not found for the Windows GPU counters`);
  }

  if (smi) return new CombinedGpuSource(new NvidiaSmiReader(smi, intervalMs), new PmonReader(smi, intervalMs));
  if (platform === 'linux') {
    const cards = findBusyPercentCards(opts.sysfsRoot);
    if (cards.length > 0) return new CombinedGpuSource(new SysfsGpuReader(cards, intervalMs), NO_PER_PROCESS);
    return new NoGpuSource(`${NO_NVIDIA_SMI}; no AMD GPU with gpu_busy_percent in sysfs either`);
  }
  return new NoGpuSource(`${NO_NVIDIA_SMI}; GPU load is read on Windows and Linux only`);
}
