// `--query-compute-apps` CSV and `nvidia-smi -q -x` XML against the real recordings.
import { describe, expect, it } from 'vitest';
import { parseComputeAppsCsv } from '../../shared/gpu/compute-apps';
import { parseNvidiaSmiXml } from '../../shared/gpu/nvidia-xml';
import { fixture, fixturesStartingWith } from './gpu-fixtures';

describe('parseComputeAppsCsv', () => {
  it.each([
    [
      'H100 80GB HBM3, Linux, driver 590.48: gpu_burn and memhog',
      'query-compute-apps-csv_h100-80gb-linux_drv590.48_load.csv',
      3,
      { pid: 11345, processName: './gpu_burn', usedMemoryMB: 15690, gpuName: 'NVIDIA H100 80GB HBM3', gpuBusId: '00000000:00:09.0' },
    ],
    [
      'GeForce RTX 4080 SUPER, Linux, driver 595.71: 2x ffmpeg',
      'query-compute-apps-csv_rtx4080super-linux_drv595.71_load.csv',
      3,
      { pid: 5022, processName: 'ffmpeg', usedMemoryMB: 503, gpuName: 'NVIDIA GeForce RTX 4080 SUPER' },
    ],
    [
      'GeForce RTX 2080 SUPER, Windows WDDM, driver 591.86: memory [N/A] is null, paths with spaces',
      'query-compute-apps-csv_rtx2080super-win-wddm_drv591.86_load.csv',
      12,
      { pid: 4680, processName: 'C:\\Program Files\\NVIDIA Corporation\\NVIDIA GeForce Experience\\NVIDIA Share.exe', usedMemoryMB: null },
    ],
  ] as const)('%s', (_w, file, count, one) => {
    const apps = parseComputeAppsCsv(fixture(file));
    expect(apps).toHaveLength(count);
    expect(apps.find((a) => a.pid === one.pid)).toMatchObject(one);
  });

  it('WDDM reports no per-process memory for any process', () => {
    expect(parseComputeAppsCsv(fixture('query-compute-apps-csv_rtx2080super-win-wddm_drv591.86_load.csv')).every((a) => a.usedMemoryMB === null)).toBe(true);
  });

  it('a Windows path with a comma stays one process name', () => {
    // The recorded row for PID 26660, with a comma put into its folder name.
    const row = fixture('query-compute-apps-csv_rtx2080super-win-wddm_drv591.86_load.csv')
      .split('\n')
      .find((l) => l.includes(', 26660, '))!;
    const header = fixture('query-compute-apps-csv_rtx2080super-win-wddm_drv591.86_load.csv').split('\n')[0]!;
    const apps = parseComputeAppsCsv(`${header}\n${row.replace('ffmpeg-8.1.1-full_build', 'ffmpeg, full')}`);
    expect(apps).toEqual([expect.objectContaining({ pid: 26660, processName: expect.stringContaining('ffmpeg, full\\bin\\ffmpeg.exe'), usedMemoryMB: null })]);
  });

  it('covers every compute-apps recording', () => expect(fixturesStartingWith('query-compute-apps-')).toHaveLength(3));
});

describe('parseNvidiaSmiXml', () => {
  it('GeForce RTX 3080, Windows WDDM, driver 536.40 (nvsmi_device_v12)', () => {
    const x = parseNvidiaSmiXml(fixture('nvidia-smi-q-x_rtx3080-wddm_drv536.40.xml'));
    expect(x.driverVersion).toBe('536.40');
    expect(x.cudaVersion).toBe('12.2');
    expect(x.gpus).toHaveLength(1);
    expect(x.gpus[0]).toEqual({
      index: 0,
      busId: '00000000:04:00.0',
      productName: 'NVIDIA GeForce RTX 3080',
      productBrand: 'GeForce',
      architecture: 'Ampere',
      driverModel: 'WDDM',
      migMode: null,
      cardClass: 'geforce',
      encoderSessionLimit: 8,
      utilization: 0,
      encoderUtilization: 0,
      decoderUtilization: 0,
      encoderSessions: 0,
      encoderAverageFps: 0,
      memoryUsedMB: 1128,
      memoryTotalMB: 10240,
      temperatureC: 31,
      powerW: 22.78,
      processes: [],
    });
  });

  it('2x RTX A5000, Linux, driver 590.44 (nvsmi_device_v13): two GPUs in bus order, one process on each', () => {
    const x = parseNvidiaSmiXml(fixture('nvidia-smi-q-x_rtx-a5000x2-linux_drv590.44.xml'));
    expect(x.driverVersion).toBe('590.44.01');
    expect(x.gpus.map((g) => [g.index, g.busId, g.productBrand, g.cardClass])).toEqual([
      [0, '00000000:81:00.0', 'NVIDIA RTX', 'professional'],
      [1, '00000000:C1:00.0', 'NVIDIA RTX', 'professional'],
    ]);
    expect(x.gpus[0]).toMatchObject({ driverModel: null, memoryUsedMB: 22437, memoryTotalMB: 24564, temperatureC: 13, powerW: 6.52, encoderSessions: 0 });
    expect(x.gpus[1]).toMatchObject({ memoryUsedMB: 17253, temperatureC: 15, powerW: 13.59 });
    expect(x.gpus.map((g) => g.processes)).toEqual([
      [{ pid: 100477, type: 'C', name: '/root/src/llama.cpp/build/bin/llama-server', usedMemoryMB: 22430 }],
      [{ pid: 100477, type: 'C', name: '/root/src/llama.cpp/build/bin/llama-server', usedMemoryMB: 17246 }],
    ]);
  });

  it('covers every -q -x recording', () => expect(fixturesStartingWith('nvidia-smi-q-x_')).toHaveLength(2));

  it('an empty or torn document gives no GPU, not a broken one', () => {
    const xml = fixture('nvidia-smi-q-x_rtx3080-wddm_drv536.40.xml');
    expect(parseNvidiaSmiXml('').gpus).toEqual([]);
    expect(parseNvidiaSmiXml(xml.slice(0, xml.length / 2)).gpus).toEqual([]);
  });
});
