// Windows GPU performance counters in PDH-CSV (typeperf / the StreamCap Get-Counter loop).
//
// Only `\GPU Adapter Memory(*)\Dedicated Usage` has a real recording (AMD RX 7900 XT,
// Windows 11, German locale). No real recording of `\GPU Engine(*)\Utilization Percentage`
// exists yet: the engine tests below are written from the documented instance-name
// pattern, pid_<pid>_luid_<hi>_<lo>_phys_<n>_eng_<n>_engtype_<type>, and say so.
import { describe, expect, it } from 'vitest';
import { parseAdapterInstance, parseCounterPath, parseEngineInstance, parsePdhCsv, PdhCsvReader, splitQuotedCsv, summarizeWindowsGpu } from '../../shared/gpu/windows-counters';
import { fixture } from './gpu-fixtures';

const TYPEPERF = 'typeperf-gpu-adapter-memory-dedicated_rx7900xt-win11-de.csv';

describe('real recording: typeperf \\GPU Adapter Memory(*)\\Dedicated Usage, AMD Radeon RX 7900 XT, Windows 11 (German)', () => {
  it('one sample, two adapters; the German closing lines are skipped', () => {
    const samples = parsePdhCsv(fixture(TYPEPERF));
    expect(samples).toEqual([
      {
        time: '07/05/2026 12:34:28.096',
        values: [
          { object: 'GPU Adapter Memory', instance: 'luid_0x00000000_0x00017E08_phys_0', counter: 'Dedicated Usage', value: 0 },
          { object: 'GPU Adapter Memory', instance: 'luid_0x00000000_0x679BDD95_phys_0', counter: 'Dedicated Usage', value: 5764141056 },
        ],
      },
    ]);
  });

  it('becomes two adapters with dedicated memory in MB, utilisation not measured (null)', () => {
    const { adapters, processes } = summarizeWindowsGpu(parsePdhCsv(fixture(TYPEPERF))[0]!);
    expect(adapters).toEqual([
      { key: 'luid_0x00000000_0x00017e08_phys_0', utilization: null, encoder: null, decoder: null, dedicatedUsedMB: 0, sharedUsedMB: null },
      { key: 'luid_0x00000000_0x679bdd95_phys_0', utilization: null, encoder: null, decoder: null, dedicatedUsedMB: 5764141056 / 2 ** 20, sharedUsedMB: null },
    ]);
    expect(processes.size).toBe(0);
  });
});

describe('PDH-CSV reading', () => {
  it.each([
    ['"a","b c",""', ['a', 'b c', '']],
    ['"say ""hi""","x"', ['say "hi"', 'x']],
    ['"torn', []],
  ] as const)('splitQuotedCsv(%j)', (line, cells) => expect(splitQuotedCsv(line)).toEqual(cells));

  it.each([
    ['\\\\HOMEPC\\GPU Adapter Memory(luid_0x00000000_0x00017E08_phys_0)\\Dedicated Usage', { object: 'GPU Adapter Memory', instance: 'luid_0x00000000_0x00017E08_phys_0', counter: 'Dedicated Usage' }],
    // Get-Counter's CounterSamples.Path is lower case.
    [
      '\\\\render-01\\gpu engine(pid_1234_luid_0x00000000_0x0000d1b4_phys_0_eng_0_engtype_3d)\\utilization percentage',
      { object: 'gpu engine', instance: 'pid_1234_luid_0x00000000_0x0000d1b4_phys_0_eng_0_engtype_3d', counter: 'utilization percentage' },
    ],
    ['not a counter', null],
  ] as const)('parseCounterPath(%j)', (p, parts) => expect(parseCounterPath(p)).toEqual(parts));

  it('a value row before any header, or with the wrong number of cells, is skipped', () => {
    const r = new PdhCsvReader();
    expect(r.push('"07/05/2026 12:34:28.096","1"')).toBeNull();
    const [header] = fixture(TYPEPERF).split('\n');
    r.push(header!);
    expect(r.push('"07/05/2026 12:34:28.096","1"')).toBeNull();
    expect(r.push('"07/05/2026 12:34:28.096","1"," "')!.values.map((v) => v.value)).toEqual([1, null]);
  });
});

describe('GPU Engine instances (documented pattern; no real recording yet)', () => {
  it.each([
    ['pid_1234_luid_0x00000000_0x0000D1B4_phys_0_eng_0_engtype_3D', { pid: 1234, luid: '0x00000000_0x0000d1b4', phys: 0, eng: 0, engtype: '3D' }],
    ['pid_1234_luid_0x00000000_0x0000D1B4_phys_0_eng_12_engtype_VideoEncode', { pid: 1234, luid: '0x00000000_0x0000d1b4', phys: 0, eng: 12, engtype: 'VideoEncode' }],
    ['pid_9_luid_0x00000000_0x0000d1b4_phys_0_eng_3_engtype_videodecode', { pid: 9, luid: '0x00000000_0x0000d1b4', phys: 0, eng: 3, engtype: 'videodecode' }],
    ['luid_0x00000000_0x0000D1B4_phys_0', null],
  ] as const)('parseEngineInstance(%j)', (inst, parts) => expect(parseEngineInstance(inst)).toEqual(parts));

  it('parseAdapterInstance', () => {
    expect(parseAdapterInstance('luid_0x00000000_0x679BDD95_phys_0')).toEqual({ luid: '0x00000000_0x679bdd95', phys: 0 });
    expect(parseAdapterInstance('pid_1_luid_0x0_0x1_phys_0')).toBeNull();
  });

  it('adapter = busiest engine summed over processes; process = its busiest engine (what Task Manager shows)', () => {
    const L = 'luid_0x00000000_0x0000D1B4_phys_0';
    const eng = (pid: number, n: number, type: string, v: number) => `"\\\\RENDER-01\\GPU Engine(pid_${pid}_${L}_eng_${n}_engtype_${type})\\Utilization Percentage"|${v}`;
    const cols = [eng(100, 0, '3D', 40), eng(100, 12, 'VideoEncode', 30), eng(200, 0, '3D', 25), eng(200, 12, 'VideoEncode', 35), eng(300, 3, 'Copy', 2)];
    const mem = [`"\\\\RENDER-01\\GPU Process Memory(pid_100_${L})\\Dedicated Usage"|${512 * 2 ** 20}`, `"\\\\RENDER-01\\GPU Adapter Memory(${L})\\Dedicated Usage"|${4096 * 2 ** 20}`];
    const all = [...cols, ...mem];
    const text = `"(PDH-CSV 4.0)",${all.map((c) => c.split('|')[0]).join(',')}\n"07/05/2026 12:34:29.000",${all.map((c) => `"${c.split('|')[1]}"`).join(',')}\n`;
    const { adapters, processes } = summarizeWindowsGpu(parsePdhCsv(text)[0]!);
    expect(adapters).toEqual([{ key: 'luid_0x00000000_0x0000d1b4_phys_0', utilization: 65, encoder: 65, decoder: null, dedicatedUsedMB: 4096, sharedUsedMB: null }]);
    expect(processes.get(100)).toEqual({ pid: 100, gpu: 40, encoder: 30, decoder: null, memoryMB: 512 });
    expect(processes.get(200)).toEqual({ pid: 200, gpu: 35, encoder: 35, decoder: null, memoryMB: null });
    expect(processes.get(300)).toEqual({ pid: 300, gpu: 2, encoder: null, decoder: null, memoryMB: null });
  });
});
