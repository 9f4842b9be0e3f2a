// query-gpu CSV against every real recording: GeForce on Windows (WDDM) and Linux,
// L40S, H100 (also in MIG mode), multi-GPU V100. Absent figures are null, never 0.
import { describe, expect, it } from 'vitest';
import { parseNumberCell, parseQueryGpuCsv, QUERY_GPU_FIELDS } from '../../shared/gpu/nvidia-smi';
import { fixture, fixturesStartingWith } from './gpu-fixtures';

describe('parseQueryGpuCsv: real recordings, header with units', () => {
  const cases: [string, string, Record<string, unknown>[]][] = [
    [
      'GeForce RTX 2080 SUPER, Windows WDDM, driver 591.86, 2 NVENC sessions',
      'query-gpu-csv_rtx2080super-win-wddm_drv591.86_load-nvenc2.csv',
      [
        {
          index: 0,
          name: 'NVIDIA GeForce RTX 2080 SUPER',
          utilization: 7,
          encoderUtilization: 100,
          decoderUtilization: 0,
          encoderSessions: 2,
          encoderAverageFps: 110,
          memoryUsedMB: 1296,
          memoryTotalMB: 8192,
          temperatureC: 45,
          powerW: 97.43,
          cardClass: 'geforce',
          encoderSessionLimit: 8,
        },
      ],
    ],
    [
      'GeForce RTX 2080 SUPER, Windows WDDM, driver 591.86, idle',
      'query-gpu-csv_rtx2080super-win-wddm_drv591.86_idle.csv',
      [{ utilization: 0, encoderUtilization: 0, encoderSessions: 0, memoryUsedMB: 702, powerW: 38.92, cardClass: 'geforce' }],
    ],
    [
      'GeForce RTX 2080 SUPER, Windows WDDM, driver 610.62 ([Function Not Found] cells)',
      'query-gpu-csv_rtx2080super-win-wddm_drv610.62_load-nvenc2.csv',
      [{ utilization: 7, encoderUtilization: 99, encoderSessions: 2, encoderAverageFps: 108, memoryUsedMB: 1366, temperatureC: 44, powerW: 97.99 }],
    ],
    [
      'GeForce RTX 4080 SUPER, Linux, driver 595.71, 2 NVENC sessions',
      'query-gpu-csv_rtx4080super-linux_drv595.71_load-nvenc2.csv',
      [
        {
          name: 'NVIDIA GeForce RTX 4080 SUPER',
          utilization: 7,
          encoderUtilization: 72,
          encoderSessions: 2,
          encoderAverageFps: 184,
          memoryUsedMB: 1474,
          memoryTotalMB: 16376,
          powerW: 84.24,
          cardClass: 'geforce',
          encoderSessionLimit: 8,
        },
      ],
    ],
    [
      'L40S (data centre), Linux, driver 595.80, 2 NVENC sessions: no cap',
      'query-gpu-csv_l40s-linux_drv595.80_load-nvenc2.csv',
      [
        {
          name: 'NVIDIA L40S',
          utilization: 9,
          encoderUtilization: 60,
          encoderSessions: 2,
          encoderAverageFps: 237,
          memoryUsedMB: 1235,
          memoryTotalMB: 46068,
          powerW: 110.23,
          cardClass: 'datacentre',
          encoderSessionLimit: null,
        },
      ],
    ],
    [
      'H100 80GB HBM3, Linux, driver 590.48, CUDA load: no NVENC on the chip',
      'query-gpu-csv_h100-80gb-linux_drv590.48_load-cuda.csv',
      [
        {
          name: 'NVIDIA H100 80GB HBM3',
          utilization: 100,
          encoderUtilization: 0,
          encoderSessions: 0,
          memoryUsedMB: 19818,
          memoryTotalMB: 81559,
          temperatureC: 59,
          powerW: 631.95,
          cardClass: 'datacentre',
          encoderSessionLimit: 0,
        },
      ],
    ],
    [
      'H100 in MIG mode, driver 590.48: utilisation [N/A] is null, not 0',
      'query-gpu-csv_h100-mig-linux_drv590.48_load-cuda.csv',
      [{ utilization: null, encoderUtilization: null, decoderUtilization: null, encoderSessions: 0, memoryUsedMB: 11125, powerW: 433.78 }],
    ],
    [
      '4x Tesla V100-SXM2-32GB (driver unknown), basic fields only',
      'query-gpu-csv_tesla-v100x4_pkufool-gpu_monitor-readme.csv',
      [
        { index: 0, utilization: 100, memoryUsedMB: 21339 },
        { index: 1, utilization: 0, memoryUsedMB: 27 },
        { index: 2, utilization: 99, memoryUsedMB: 20934 },
        { index: 3, utilization: 0, memoryUsedMB: 3, memoryTotalMB: 32510, encoderUtilization: null, encoderSessions: null, temperatureC: null, powerW: null, cardClass: 'datacentre' },
      ],
    ],
    [
      '8x Tesla V100-SXM2-32GB (driver unknown), GPU 6 busy',
      'query-gpu-csv_tesla-v100x8_dsh-gpu-test.csv',
      [0, 1, 2, 3, 4, 5, 6, 7].map((index) => (index === 6 ? { index, utilization: 100, memoryUsedMB: 13928, temperatureC: 51 } : { index, utilization: 0, memoryUsedMB: 4 })),
    ],
  ];
  it.each(cases)('%s', (_what, file, expected) => {
    const devices = parseQueryGpuCsv(fixture(file));
    expect(devices).toHaveLength(expected.length);
    expected.forEach((e, k) => expect(devices[k]).toMatchObject(e));
  });

  it('covers every query-gpu recording in the fixtures folder', () => {
    expect(fixturesStartingWith('query-gpu-csv_').sort()).toEqual(cases.map((c) => c[1]).sort());
  });
});

describe('cells with no value', () => {
  // Every bracketed cell of every real recording ([N/A], [Function Not Found],
  // [Requested functionality has been deprecated], …) reads as null.
  const bracketed = new Set<string>();
  for (const f of fixturesStartingWith('query-gpu-csv_')) {
    for (const line of fixture(f).split('\n').slice(1)) for (const c of line.split(',')) if (/^\s*\[.*\]\s*$/.test(c)) bracketed.add(c.trim());
  }
  it('the recordings hold the three kinds the issue names', () => {
    expect([...bracketed]).toEqual(expect.arrayContaining(['[N/A]', '[Function Not Found]', '[Requested functionality has been deprecated]']));
  });
  it.each([...bracketed])('%s → null', (cell) => expect(parseNumberCell(cell)).toBeNull());
  it.each([
    ['7 %', 7],
    ['1296 MiB', 1296],
    ['97.43 W', 97.43],
    ['45', 45],
    ['', null],
    ['N/A', null],
    ['Not Supported', null],
    ['abc', null],
  ] as const)('%j → %j', (cell, v) => expect(parseNumberCell(cell)).toBe(v));
});

describe('the reader’s own format: noheader,nounits in QUERY_GPU_FIELDS order', () => {
  // No real recording in that exact format exists yet (scripts/gpu-check.sh makes one):
  // these rows are derived from the real ones by picking the columns and dropping the units,
  // which is what noheader,nounits changes.
  const derive = (file: string) => {
    const [header, ...rows] = fixture(file).trim().split('\n');
    const names = header!.split(',').map((c) => c.trim().replace(/\s*\[.*\]$/, ''));
    return rows.map((r) => {
      const cells = r.split(',').map((c) => c.trim());
      return QUERY_GPU_FIELDS.map((f) => (cells[names.indexOf(f)] ?? '').replace(/ (%|MiB|W)$/, '')).join(', ');
    });
  };
  it.each(['query-gpu-csv_rtx4080super-linux_drv595.71_load-nvenc2.csv', 'query-gpu-csv_h100-mig-linux_drv590.48_load-cuda.csv', 'query-gpu-csv_l40s-linux_drv595.80_load-nvenc2.csv'])(
    '%s gives the same devices',
    (file) => {
      expect(parseQueryGpuCsv(derive(file).join('\n'))).toEqual(parseQueryGpuCsv(fixture(file)));
    },
  );
  it('skips a torn last line instead of making a device from it', () => {
    const line = derive('query-gpu-csv_rtx4080super-linux_drv595.71_load-nvenc2.csv')[0]!;
    expect(parseQueryGpuCsv(`${line}\n${line.slice(0, 20)}`)).toHaveLength(1);
  });
});
