// What a probe run becomes for people: the sentence, the CSV, the self-contained HTML report.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLDS,
  resolveSettings,
  resourceMap,
  ProbeSettingsSchema,
  PROBE_FORMAT,
  type ProbeResult,
  type ProbeRun,
  type ProbeStep,
  type ProbeWindow,
  type Resource,
} from '../../shared/probe';
import { cpuWindow } from './probe-fixtures';
import { probeChartSvg, probeCompareHtml, probeExport, probeReportHtml, probeToCsv, resultSentence } from '../../shared/probe-report';

const stat = (mean: number) => ({ mean, median: mean, p95: mean + 2, stddev: 1, min: mean - 2, max: mean + 3, n: 10 });
const limits = resourceMap<number | null>((r) => (r === 'cpu' ? 85 : r === 'memory' ? 90 : null));

function window(cpu: number, verdict: ProbeWindow['verdict'] = 'pass', breached: Resource[] = []): ProbeWindow {
  return cpuWindow(stat(cpu), stat(30), limits, verdict, breached);
}

const step = (index: number, count: number, cpu: number, over = false, exit: ProbeStep['exit'] = null): ProbeStep => ({
  ...window(cpu, over || exit ? 'fail' : 'pass', over ? ['cpu'] : []),
  index,
  count,
  added: 1,
  move: index === 3 ? 'jump' : 'step',
  startedAt: 0,
  endedAt: 0,
  exit,
});

function result(over: Partial<ProbeResult>): ProbeResult {
  return {
    capacity: 9,
    limitedBy: 'cpu',
    limitAt: 10,
    breached: ['cpu'],
    exit: null,
    atCapacity: resourceMap(() => null),
    headroom: resourceMap((r) => (r === 'cpu' ? 4.2 : r === 'memory' ? 60 : null)),
    perInstance: { cpu: 8.5 },
    predicted: { cpu: 9 },
    notMeasured: [
      { resource: 'gpu', reason: 'no NVIDIA GPU found' },
      { resource: 'encoder', reason: 'no NVIDIA GPU found' },
    ],
    noisy: false,
    ...over,
  };
}

function run(over: Partial<ProbeRun> = {}): ProbeRun {
  return {
    format: PROBE_FORMAT,
    id: '20250102-030405-ab12',
    state: 'done',
    error: null,
    startedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
    endedAt: Date.UTC(2025, 0, 2, 3, 9, 5),
    durationSec: 300,
    host: {
      hostname: 'render-01',
      platform: 'win32',
      os: 'Windows_NT 10.0.20348',
      cpuModel: 'AMD EPYC 7543',
      cores: 64,
      memoryMB: 262144,
      gpus: [{ index: 0, name: 'NVIDIA RTX A5000' }],
      version: '0.1.0',
      gpuMemoryMB: [24564],
    },
    app: { profileId: 'showroom', name: 'Showroom', exe: 'C:\\Games\\Showroom.exe', args: ['-RenderOffScreen', '-PixelStreamingURL=ws://127.0.0.1:{8888+i}', 'a b'], cwd: '' },
    settings: resolveSettings(ProbeSettingsSchema.parse({})),
    otherInstances: 0,
    sampleIntervalMs: 1000,
    baseline: window(5),
    steps: [step(1, 1, 13.5), step(2, 2, 22), step(3, 9, 81), step(4, 10, 89.5, true)],
    result: result({}),
    ...over,
  };
}

describe('the sentence', () => {
  it.each<[string, Partial<ProbeRun>, string, string]>([
    ['a resource limits', {}, 'This server runs 9 concurrent streams of Showroom; CPU limits at 10.', '本服务器可同时运行 9 路 Showroom 串流；CPU在 10 路时达到阈值。'],
    [
      'one stream',
      { result: result({ capacity: 1, limitAt: 2, limitedBy: 'gpu' }) },
      'This server runs 1 concurrent stream of Showroom; GPU limits at 2.',
      '本服务器可同时运行 1 路 Showroom 串流；GPU在 2 路时达到阈值。',
    ],
    [
      'encoder sessions',
      { result: result({ capacity: 8, limitAt: 9, limitedBy: 'encoderSessions' }) },
      'This server runs 8 concurrent streams of Showroom; encoder sessions run out at 9.',
      '本服务器可同时运行 8 路 Showroom 串流；第 9 路时编码会话用尽。',
    ],
    [
      'an instance exits',
      { result: result({ capacity: 3, limitAt: 4, limitedBy: 'instanceExit', exit: { n: 4, exitCode: 7, signal: null, reason: 'exit code 7', lastLines: [] } }) },
      'This server runs 3 concurrent streams of Showroom; instance #4 exits (exit code 7) when 4 run.',
      '本服务器可同时运行 3 路 Showroom 串流；运行 4 路时实例 #4 退出（退出码 7）。',
    ],
    [
      'the maximum',
      { result: result({ capacity: 16, limitAt: null, limitedBy: 'maxInstances' }) },
      "This server runs at least 16 concurrent streams of Showroom; no threshold was reached up to the probe's maximum of 16.",
      '本服务器可同时运行至少 16 路 Showroom 串流；在测试上限 16 路内未达到任何阈值。',
    ],
    [
      'not even one',
      { result: result({ capacity: 0, limitAt: 1, limitedBy: 'gpuMemory' }) },
      'This server cannot run one stream of Showroom within the thresholds; GPU memory limits at 1.',
      '本服务器在阈值内无法运行一路 Showroom 串流；GPU 显存在 1 路时即达到阈值。',
    ],
    [
      'over while idle',
      { result: result({ capacity: 0, limitAt: 0, limitedBy: 'memory' }) },
      'This server is over its RAM threshold with no stream of Showroom running.',
      '未运行任何 Showroom 实例时，本服务器的内存已超过阈值。',
    ],
    ['cancelled', { state: 'cancelled', result: null }, 'Probe of Showroom cancelled after 4 steps: no result.', 'Showroom 的容量测试在 4 步后取消：无结果。'],
    ['interrupted', { state: 'interrupted', result: null }, 'Probe of Showroom was interrupted (StreamCap closed): no result.', 'Showroom 的容量测试被中断（StreamCap 已关闭）：无结果。'],
  ])('%s', (_name, over, en, zh) => {
    expect(resultSentence(run(over), 'en')).toBe(en);
    expect(resultSentence(run(over), 'zh-CN')).toBe(zh);
  });
});

describe('CSV', () => {
  it('one row per step, baseline first, mean / p95 / sd / limit per resource', () => {
    const lines = probeToCsv(run()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(6);
    const head = lines[0]!.split(',');
    expect(head.slice(0, 9)).toEqual(['step', 'instances', 'move', 'verdict', 'breached', 'window_s', 'extended', 'noisy', 'samples']);
    expect(head).toContain('cpu_mean');
    expect(head).toContain('gpu_p95');
    const row = (k: number) => Object.fromEntries(head.map((h, i) => [h, lines[k]!.split(',')[i]]));
    expect(row(1)).toMatchObject({ step: '0', instances: '0', move: 'baseline', verdict: 'pass', cpu_mean: '5', cpu_p95: '7', cpu_limit: '85', gpu_mean: '' });
    expect(row(4)).toMatchObject({ step: '3', instances: '9', move: 'jump', cpu_mean: '81' });
    expect(row(5)).toMatchObject({ step: '4', instances: '10', verdict: 'fail', breached: 'cpu', cpu_mean: '89.50' });
  });

  it('quotes text cells and defuses spreadsheet formulas', () => {
    const r = run({ steps: [step(1, 1, 10, false, { n: 1, exitCode: 3, signal: null, reason: '=HYPERLINK("x"), "quoted"', lastLines: [] })] });
    const csv = probeToCsv(r);
    expect(csv).toContain(`"'=HYPERLINK(""x""), ""quoted"""`);
  });
});

describe('HTML report', () => {
  it('is self-contained: inline CSS and SVG, no external assets or scripts; prints to A4', () => {
    const html = probeReportHtml(run());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<style>');
    expect(html).toContain('@media print');
    expect(html).toContain('size:A4');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|\bhref=|url\(|@import/i);
  });

  it('states the result, the server, the app and its arguments, thresholds and steps', () => {
    const html = probeReportHtml(run());
    expect(html).toContain('This server runs 9 concurrent streams of Showroom; CPU limits at 10.');
    for (const s of [
      'render-01',
      'AMD EPYC 7543',
      '64',
      '256.0 GB',
      'NVIDIA RTX A5000 (24 GB)',
      'Windows_NT 10.0.20348',
      'C:\\Games\\Showroom.exe',
      '-PixelStreamingURL=ws://127.0.0.1:{8888+i}',
      '&quot;a b&quot;',
      '85 %',
      '20 s',
      'smart (fit, jump, confirm)',
    ])
      expect(html).toContain(s);
    expect(html).toContain('GPU, Encoder (NVENC) not measured: no NVIDIA GPU found.');
    expect(html).toContain('<tr class="bad">');
  });

  it('escapes everything that came from outside', () => {
    const evil = run({
      app: { profileId: 'x', name: '<script>alert(1)</script>', exe: '"><img src=x onerror=alert(1)>', args: ["'; DROP"], cwd: '&' },
      host: { ...run().host, hostname: '<b>host</b>' },
    });
    const html = probeReportHtml(evil);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>host</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('chart: a line per measured resource, dashed threshold lines, the capacity mark, breaches ringed', () => {
    const svg = probeChartSvg(run());
    expect(svg.match(/<polyline/g)).toHaveLength(2); // CPU and RAM; no GPU readings
    expect(svg.match(/stroke-dasharray="6 4"/g)).toHaveLength(2);
    expect(svg).toContain('capacity 9');
    expect(svg).toContain('stroke="#dc2626"');
    expect(svg).toContain('CPU · 85%');
  });

  it('in Chinese', () => {
    const html = probeReportHtml(run(), 'zh-CN');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('容量测试报告');
    expect(html).toContain('本服务器可同时运行 9 路 Showroom 串流');
  });

  it('compares two runs side by side, differences marked', () => {
    const b = run({
      id: '20250103-000000-cd34',
      host: { ...run().host, hostname: 'render-02', gpus: [{ index: 0, name: 'NVIDIA GeForce RTX 4090' }] },
      result: result({ capacity: 6, limitAt: 7, limitedBy: 'gpu' }),
    });
    const html = probeCompareHtml(run(), b);
    expect(html).toContain('CPU limits at 10');
    expect(html).toContain('GPU limits at 7');
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).toMatch(/<td class="diff">render-01<\/td><td class="diff">render-02<\/td>/);
    expect(html).toMatch(/<th>OS<\/th><td>Windows_NT 10.0.20348<\/td><td>Windows_NT 10.0.20348<\/td>/);
    const ex = probeExport(run(), 'html', 'en', b);
    expect(ex).toMatchObject({ filename: 'streamcap-compare-20250102-030405-ab12-vs-20250103-000000-cd34.html', mime: 'text/html' });
  });

  it('exports name their files by run id and format', () => {
    expect(probeExport(run(), 'json')).toMatchObject({ filename: 'streamcap-probe-20250102-030405-ab12.json', mime: 'application/json' });
    expect(JSON.parse(probeExport(run(), 'json').content).result.capacity).toBe(9);
    expect(probeExport(run(), 'csv').mime).toBe('text/csv');
    expect(DEFAULT_THRESHOLDS.cpu).toBe(85);
  });
});
