// `nvidia-smi pmon` and `dmon` tables against the real recordings, and the
// attribution of pmon's per-process rows to an instance's process tree.
import { describe, expect, it } from 'vitest';
import { instanceGpu, tableFromPmon, type ProcessGpuTable } from '../../shared/gpu/per-process';
import { parseDmon, parsePmon, SmiTableReader, type PmonRow } from '../../shared/gpu/smi-table';
import type { Measured } from '../../shared/contract';
import { fixture, fixturesStartingWith } from './gpu-fixtures';

const pick = (rows: PmonRow[], pid: number, k: keyof PmonRow) => rows.filter((r) => r.pid === pid).map((r) => r[k]);

describe('parsePmon: real recordings (`nvidia-smi pmon -c 5`)', () => {
  it('L40S, Linux, driver 595.80: two ffmpeg NVENC processes, per-process enc %', () => {
    const { rows, samples } = parsePmon(fixture('pmon-c5_l40s-linux_drv595.80_load-nvenc2.txt'));
    expect(samples).toBe(10);
    expect(rows[0]).toEqual({ gpu: 0, pid: 20037, type: 'C', sm: 2, mem: 0, enc: 24, dec: null, fbMB: null, command: 'ffmpeg' });
    expect(pick(rows, 20037, 'enc')).toEqual([24, 27, 28, 13, 21]);
    expect(pick(rows, 20038, 'enc')).toEqual([40, 34, 37, 49, 42]);
    expect(pick(rows, 20038, 'sm')).toEqual([6, 5, 8, 7, 5]);
  });

  it('GeForce RTX 4080 SUPER, Linux, driver 595.71: `-` is null, a printed 0 stays 0', () => {
    const { rows } = parsePmon(fixture('pmon-c5_rtx4080super-linux_drv595.71_load-nvenc2.txt'));
    expect(rows).toHaveLength(35);
    expect(rows.find((r) => r.pid === 2165)).toMatchObject({ type: 'C+G', sm: null, mem: null, enc: null, dec: 0, command: 'kwin_wayland' });
    expect(rows.find((r) => r.pid === 2620)).toMatchObject({ type: 'G', sm: null, enc: null, command: 'Xwayland' });
    expect(pick(rows, 5021, 'sm')).toEqual([0, 1, null, 3, 2]);
    expect(pick(rows, 5022, 'enc')).toEqual([54, 42, 27, 28, 55]);
  });

  it('GeForce RTX 2080 SUPER, Windows WDDM, driver 591.86: graphics processes all `-`, header repeated, names with spaces', () => {
    const { rows, samples } = parsePmon(fixture('pmon-c5_rtx2080super-win-wddm_drv591.86_load-nvenc2.txt'));
    expect(samples).toBe(60);
    const graphics = rows.filter((r) => r.type === 'C+G');
    expect(graphics.length).toBe(50);
    // The WDDM quirk: NVML gives no per-process figures for graphics contexts.
    expect(graphics.every((r) => r.sm === null && r.mem === null && r.enc === null && r.dec === null)).toBe(true);
    expect(new Set(graphics.map((r) => r.command))).toEqual(
      new Set(['dwm.exe', 'NVIDIA Share.exe', 'explorer.exe', 'TextInputHost.ex', 'SearchHost.exe', 'StartMenuExperie', 'ShellExperienceH', 'ControllerCompan', 'NZXT CAM.exe', 'SystemSettings.e']),
    );
    expect(pick(rows, 26660, 'enc')).toEqual([49, 99, 99, 99, 99]);
    expect(pick(rows, 26660, 'sm')).toEqual([3, 3, null, null, null]);
    expect(pick(rows, 25704, 'sm')).toEqual([3, 3, 7, 7, 7]);
    expect(pick(rows, 25704, 'enc')).toEqual([49, null, null, null, null]);
  });

  it('covers every pmon recording', () => {
    expect(fixturesStartingWith('pmon-')).toHaveLength(3);
  });

  it('reads line by line across chunks, keeping the header’s columns (the reader’s case)', () => {
    const reader = new SmiTableReader();
    const lines = fixture('pmon-c5_l40s-linux_drv595.80_load-nvenc2.txt').split('\n');
    const rows = lines.map((l) => reader.push(l)).filter((r) => r !== null);
    expect(rows).toHaveLength(10);
    expect(reader.columns).toEqual(['gpu', 'pid', 'type', 'sm', 'mem', 'enc', 'dec', 'jpg', 'ofa', 'command']);
  });

  it('a GPU without processes prints `-` for the pid: no row, but a sample', () => {
    // The recordings all have processes; this row is the shape pmon prints for an idle GPU.
    const text = fixture('pmon-c5_l40s-linux_drv595.80_load-nvenc2.txt').split('\n').slice(0, 2).join('\n') + '\n    0          -     -      -      -      -      -      -      -    -              \n';
    expect(parsePmon(text)).toEqual({ rows: [], samples: 1 });
  });
});

describe('parseDmon: real recordings (`nvidia-smi dmon -c 5`)', () => {
  it.each([
    [
      'H100 80GB HBM3, Linux, driver 590.48, CUDA load',
      'dmon-c5_h100-80gb-linux_drv590.48_load-cuda.txt',
      { gpu: 0, powerW: 631, gpuTempC: 63, memTempC: 57, sm: 100, mem: 10, enc: 0, dec: 0, mclkMHz: 2619, pclkMHz: 1980 },
    ],
    [
      'GeForce RTX 2080 SUPER, Windows WDDM, driver 591.86, NVENC x2 (mtemp `-` is null)',
      'dmon-c5_rtx2080super-win-wddm_drv591.86_load-nvenc2.txt',
      { gpu: 0, powerW: 97, gpuTempC: 45, memTempC: null, sm: 7, mem: 3, enc: 100, dec: 0, mclkMHz: 7500, pclkMHz: 2055 },
    ],
  ] as const)('%s', (_w, file, first) => {
    const rows = parseDmon(fixture(file));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject(first);
    expect(rows[0]!.cells.jpg).toBe('0');
  });
  it('covers every dmon recording', () => expect(fixturesStartingWith('dmon-')).toHaveLength(2));
});

describe('instanceGpu: pmon rows summed over an instance’s process tree', () => {
  const lastSample = (file: string, perSample: number): Measured<ProcessGpuTable> => {
    const { rows } = parsePmon(fixture(file));
    return { ok: true, value: { source: 'NVIDIA pmon', byPid: tableFromPmon(rows.slice(-perSample)) } };
  };
  const linux4080 = lastSample('pmon-c5_rtx4080super-linux_drv595.71_load-nvenc2.txt', 7);
  const win2080 = lastSample('pmon-c5_rtx2080super-win-wddm_drv591.86_load-nvenc2.txt', 12);

  it.each([
    ['RTX 4080 SUPER: an instance whose tree holds both ffmpeg processes', linux4080, [4242, 5021, 5022], { gpu: { ok: true, value: 5 }, gpuDetail: { encoder: 69, decoder: null, memoryMB: null } }],
    ['RTX 4080 SUPER: one ffmpeg', linux4080, [5022], { gpu: { ok: true, value: 3 }, gpuDetail: { encoder: 55, decoder: null, memoryMB: null } }],
    ['RTX 4080 SUPER: a tree with no GPU process', linux4080, [1, 2, 3], { gpu: { ok: false, reason: expect.stringMatching(/^NVIDIA pmon reports no process of this instance/) } }],
    ['RTX 2080 SUPER WDDM: a graphics process (C+G) has no per-process figure: not 0', win2080, [2056], { gpu: { ok: false, reason: expect.stringMatching(/gave no utilisation sample/) } }],
    [
      'RTX 2080 SUPER WDDM: the encoding ffmpeg.exe (sm `-`, enc 99)',
      win2080,
      [26660],
      { gpu: { ok: false, reason: expect.stringMatching(/gave no utilisation sample/) }, gpuDetail: { encoder: 99, decoder: null, memoryMB: null } },
    ],
    [
      'no reader: the reason is passed on',
      { ok: false, reason: 'no NVIDIA GPU found (nvidia-smi is not installed)' } as const,
      [5021],
      { gpu: { ok: false, reason: 'no NVIDIA GPU found (nvidia-smi is not installed)' } },
    ],
  ] as const)('%s', (_w, table, pids, expected) => {
    expect(instanceGpu(table, pids)).toEqual(expected);
  });

  it('a process on two GPUs counts on both', () => {
    const rows: PmonRow[] = [
      { gpu: 0, pid: 7, type: 'G', sm: 30, mem: 5, enc: 10, dec: null, fbMB: 900, command: 'Game' },
      { gpu: 1, pid: 7, type: 'G', sm: 20, mem: 5, enc: null, dec: null, fbMB: 100, command: 'Game' },
    ];
    expect(tableFromPmon(rows).get(7)).toEqual({ pid: 7, gpu: 50, encoder: 10, decoder: null, memoryMB: 1000 });
  });
});
