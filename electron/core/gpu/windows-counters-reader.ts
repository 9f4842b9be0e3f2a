// Windows, any GPU vendor: one long-running PowerShell that reads the GPU
// performance counters (what Task Manager shows) every interval and prints each
// sample as PDH-CSV, parsed by shared/gpu/windows-counters.ts.
//
// UNTESTED on a real Windows machine (none here): only the parser is tested.
// Get-Counter is called once per loop, not with -Continuous, because it expands
// the `(*)` wildcards when called: instances launched later (new PIDs) would
// otherwise never appear.
import type { GpuDevice, Measured } from '../../../shared/contract';
import type { ProcessGpu, ProcessGpuTable } from '../../../shared/gpu/per-process';
import { PdhCsvReader, summarizeWindowsGpu, type WindowsAdapter } from '../../../shared/gpu/windows-counters';
import { LineProcess } from './line-process';
import { age, type GpuReading, type GpuSource, type ProcessGpuSource } from './source';

export const WINDOWS_COUNTERS = [
  '\\GPU Engine(*)\\Utilization Percentage',
  '\\GPU Adapter Memory(*)\\Dedicated Usage',
  '\\GPU Adapter Memory(*)\\Shared Usage',
  '\\GPU Process Memory(*)\\Dedicated Usage',
];

/** The PowerShell loop: one PDH-CSV header and one value row per sample, numbers in the invariant culture. */
export function counterScript(intervalSec: number): string {
  const list = WINDOWS_COUNTERS.map((c) => `'${c}'`).join(',');
  return [
    "$ErrorActionPreference = 'SilentlyContinue'",
    '$inv = [Globalization.CultureInfo]::InvariantCulture',
    `$c = @(${list})`,
    'while ($true) {',
    `  $s = Get-Counter -Counter $c -SampleInterval ${intervalSec} -MaxSamples 1`,
    '  if ($s) {',
    '    $p = $s.CounterSamples',
    `    [Console]::Out.WriteLine('"(PDH-CSV 4.0)",' + (($p | ForEach-Object { '"' + $_.Path + '"' }) -join ','))`,
    `    [Console]::Out.WriteLine('"' + $s.Timestamp.ToString('MM/dd/yyyy HH:mm:ss.fff', $inv) + '",' + (($p | ForEach-Object { '"' + $_.CookedValue.ToString($inv) + '"' }) -join ','))`,
    '    [Console]::Out.Flush()',
    `  } else { Start-Sleep -Seconds ${intervalSec} }`,
    '}',
  ].join('\n');
}

export function adaptersToDevices(adapters: readonly WindowsAdapter[]): GpuDevice[] {
  return adapters.map((a, index) => ({
    index,
    // The counters name adapters only by LUID; the vendor's name needs another query.
    name: `GPU ${a.key}`,
    utilization: a.utilization,
    memoryUsedMB: a.dedicatedUsedMB,
    memoryTotalMB: null,
    encoderUtilization: a.encoder,
    encoderSessions: null,
    temperatureC: null,
    powerW: null,
    cardClass: 'unknown',
    encoderSessionLimit: null,
    decoderUtilization: a.decoder,
  }));
}

export class WindowsCounterReader implements GpuSource, ProcessGpuSource {
  private readonly pdh = new PdhCsvReader();
  private devices: GpuDevice[] = [];
  private byPid: ReadonlyMap<number, ProcessGpu> = new Map();
  private lastAt = 0;
  private readonly intervalMs: number;
  private readonly proc: LineProcess;

  constructor(powershell: string, intervalMs: number) {
    const sec = Math.max(1, Math.round(intervalMs / 1000));
    this.intervalMs = sec * 1000;
    const encoded = Buffer.from(counterScript(sec), 'utf16le').toString('base64');
    this.proc = new LineProcess({
      name: 'Windows GPU counters (PowerShell Get-Counter)',
      exe: powershell,
      args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encoded],
      // Get-Counter over hundreds of engine instances can take seconds: allow for it.
      stallMs: Math.max(30_000, this.intervalMs * 10),
      onLines: (lines) => this.onLines(lines),
    });
  }

  private onLines(lines: string[]): void {
    for (const line of lines) {
      const sample = this.pdh.push(line);
      if (!sample) continue;
      const { adapters, processes } = summarizeWindowsGpu(sample);
      this.devices = adaptersToDevices(adapters);
      this.byPid = processes;
      this.lastAt = Date.now();
    }
  }

  latest(now: number): GpuReading {
    if (this.lastAt === 0) return { ok: false, reason: this.proc.problem ?? 'waiting for the first Windows GPU counter reading' };
    if (this.devices.length === 0) return { ok: false, reason: 'Windows reports no GPU engine or adapter memory counters' };
    return { ok: true, value: this.devices, ...age(now, this.lastAt, this.intervalMs), source: 'Windows GPU counters' };
  }

  processes(now: number): Measured<ProcessGpuTable> {
    if (this.lastAt === 0) return { ok: false, reason: this.proc.problem ?? 'waiting for the first Windows GPU counter reading' };
    const a = age(now, this.lastAt, this.intervalMs);
    if (a.stale) return { ok: false, reason: `Windows GPU counters are stale (last ${Math.round(a.ageMs / 1000)} s ago)` };
    return { ok: true, value: { source: 'Windows GPU counters', byPid: this.byPid } };
  }

  close(): void {
    this.proc.close();
  }
}
