// What a probe run becomes for people: the one-sentence result, CSV of the steps,
// and a self-contained HTML report (inline CSS, inline SVG chart, no external
// assets) that prints well to PDF. Pure string building: the core serves it, the
// CLI writes it, the UI downloads it.
import { RESOURCES, type LimitReason, type ProbeRun, type ProbeStep, type ProbeWindow, type Resource } from './probe';

export type ReportLang = 'en' | 'zh-CN';

export interface ProbeExport {
  filename: string;
  mime: string;
  content: string;
}

const TEXT = {
  en: {
    resource: { cpu: 'CPU', gpu: 'GPU', gpuMemory: 'GPU memory', memory: 'RAM', encoder: 'Encoder (NVENC)', encoderSessions: 'Encoder sessions' } as Record<Resource, string>,
    limit: { instanceExit: 'an instance exiting', maxInstances: "the probe's maximum", streamQuality: 'stream quality' } as Record<string, string>,
    streams: (n: number) => `${n} concurrent stream${n === 1 ? '' : 's'}`,
    runs: (n: number, app: string, tail: string) => `This server runs ${TEXT.en.streams(n)} of ${app}; ${tail}.`,
    limitsAt: (what: string, at: number) => `${what} limits at ${at}`,
    runsAt: (n: number, app: string, fps: number, tail: string) => `This server runs ${TEXT.en.streams(n)} of ${app} at ${fps.toFixed(0)} fps; ${tail}.`,
    qualityFps: (at: number, inst: number, fps: number) => `at ${at}, stream ${inst} dropped to ${fps.toFixed(0)} fps`,
    qualityFreezes: (at: number, inst: number, perMin: number) => `at ${at}, stream ${inst} froze ${perMin.toFixed(1)} times a minute`,
    qualityLost: (at: number, inst: number) => `at ${at}, stream ${inst} could not be watched`,
    streamNote: (count: number, fps: number | null, n: number | null, mbps: number | null, freezes: number | null, viewers: number | null, failed: string | null) =>
      `Streams at ${count}: slowest ${fps === null ? '—' : fps.toFixed(1)} fps (stream ${n ?? '—'}), ${mbps === null ? '—' : mbps.toFixed(2)} Mbps each on average, ${freezes === null ? '—' : freezes.toFixed(1)} freezes/min at most; StreamCap's viewers took ${viewers === null ? '—' : viewers.toFixed(1)} % of the machine, left out of the CPU figure${failed ? ` — quality not kept (${failed})` : ''}.`,
    exitAt: (inst: number, how: string, at: number) => `instance #${inst} exits (${how}) when ${at} run`,
    atLeast: (n: number, app: string) => `This server runs at least ${TEXT.en.streams(n)} of ${app}; no threshold was reached up to the probe's maximum of ${n}.`,
    none: (app: string, what: string) => `This server cannot run one stream of ${app} within the thresholds; ${what} limits at 1.`,
    noneExit: (app: string, how: string) => `This server cannot run one stream of ${app}: the first instance exits (${how}).`,
    already: (app: string, what: string) => `This server is over its ${what} threshold with no stream of ${app} running.`,
    sessionsAt: (at: number) => `encoder sessions run out at ${at}`,
    cancelled: (app: string, n: number) => `Probe of ${app} cancelled after ${n} step${n === 1 ? '' : 's'}: no result.`,
    failed: (app: string, err: string) => `Probe of ${app} failed: ${err}`,
    interrupted: (app: string) => `Probe of ${app} was interrupted (StreamCap closed): no result.`,
    running: (app: string) => `Probing ${app}…`,
    title: 'Capacity report',
    compareTitle: 'Capacity comparison',
    capacity: 'Capacity',
    limitedBy: 'Limited by',
    limitAt: 'at',
    headroom: 'Headroom at capacity',
    duration: 'Probe took',
    server: 'Server',
    app: 'Application',
    settings: 'Thresholds and method',
    steps: 'Steps',
    notes: 'Notes',
    host: 'Host',
    cpuModel: 'CPU',
    cores: 'Logical cores',
    ram: 'RAM',
    gpus: 'GPUs',
    os: 'OS',
    noGpu: 'none found',
    exe: 'Executable',
    args: 'Arguments',
    cwd: 'Working directory',
    none_: '—',
    warmup: 'Warm-up per instance',
    settle: 'Settle window',
    maxInstances: 'Most instances',
    ramp: 'Ramp',
    smart: 'smart (fit, jump, confirm)',
    linear: 'one by one',
    basis: 'CPU basis',
    basisMachine: 'whole machine',
    basisApp: "idle baseline + the app's processes",
    cardLimit: 'card limit',
    notChecked: 'not checked',
    instances: 'Instances',
    verdict: 'Verdict',
    pass: 'under',
    fail: 'over',
    saturated: 'sessions at limit',
    exited: 'exited',
    baseline: 'idle',
    mean: 'mean',
    p95: 'p95',
    window: 'Window',
    notMeasured: (what: string, why: string) => `${what} not measured: ${why}.`,
    noisy: 'Load was unsteady near a threshold even with the window extended: the deciding step was judged on its mean; repeat the probe on a quieter server for a firmer answer.',
    extendedNote: (n: number) => `${n} window${n === 1 ? ' was' : 's were'} extended because readings were too unsteady to decide.`,
    other: (n: number) => `${n} other instance${n === 1 ? ' was' : 's were'} running during the probe; ${n === 1 ? 'its' : 'their'} load is in the idle baseline.`,
    exitNote: (e: { n: number; reason: string }, lines: string) => `Instance #${e.n} ended: ${e.reason}.${lines ? ` Last output: ${lines}` : ''}`,
    chartTitle: 'Load against instances (step means; dashed: thresholds)',
    chartX: 'instances',
    capacityMark: (n: number) => `capacity ${n}`,
    perInstance: 'Per instance',
    generated: (v: string, d: string) => `StreamCap ${v} · ${d}`,
    seconds: (s: number) => (s < 90 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`),
    pts: 'pts',
    sessions: 'sessions',
    exitCode: (c: number | null, sig: string | null) => (sig ? `killed by ${sig}` : c === null ? 'exit code unknown' : `exit code ${c}`),
  },
  'zh-CN': {
    resource: { cpu: 'CPU', gpu: 'GPU', gpuMemory: 'GPU 显存', memory: '内存', encoder: '编码器 (NVENC)', encoderSessions: '编码会话' } as Record<Resource, string>,
    limit: { instanceExit: '实例退出', maxInstances: '测试上限', streamQuality: '串流质量' } as Record<string, string>,
    streams: (n: number) => `${n} 路`,
    runs: (n: number, app: string, tail: string) => `本服务器可同时运行 ${n} 路 ${app} 串流；${tail}。`,
    limitsAt: (what: string, at: number) => `${what}在 ${at} 路时达到阈值`,
    runsAt: (n: number, app: string, fps: number, tail: string) => `本服务器可同时运行 ${n} 路 ${app} 串流（${fps.toFixed(0)} fps）；${tail}。`,
    qualityFps: (at: number, inst: number, fps: number) => `${at} 路时，第 ${inst} 路串流降至 ${fps.toFixed(0)} fps`,
    qualityFreezes: (at: number, inst: number, perMin: number) => `${at} 路时，第 ${inst} 路串流每分钟卡顿 ${perMin.toFixed(1)} 次`,
    qualityLost: (at: number, inst: number) => `${at} 路时，第 ${inst} 路串流无法观看`,
    streamNote: (count: number, fps: number | null, n: number | null, mbps: number | null, freezes: number | null, viewers: number | null, failed: string | null) =>
      `${count} 路时的串流：最慢 ${fps === null ? '—' : fps.toFixed(1)} fps（第 ${n ?? '—'} 路），平均每路 ${mbps === null ? '—' : mbps.toFixed(2)} Mbps，每分钟卡顿最多 ${freezes === null ? '—' : freezes.toFixed(1)} 次；StreamCap 观看端占用整机 ${viewers === null ? '—' : viewers.toFixed(1)} %，未计入 CPU 数值${failed ? `——未达到质量要求（${failed}）` : ''}。`,
    exitAt: (inst: number, how: string, at: number) => `运行 ${at} 路时实例 #${inst} 退出（${how}）`,
    atLeast: (n: number, app: string) => `本服务器可同时运行至少 ${n} 路 ${app} 串流；在测试上限 ${n} 路内未达到任何阈值。`,
    none: (app: string, what: string) => `本服务器在阈值内无法运行一路 ${app} 串流；${what}在 1 路时即达到阈值。`,
    noneExit: (app: string, how: string) => `本服务器无法运行 ${app}：第一个实例即退出（${how}）。`,
    already: (app: string, what: string) => `未运行任何 ${app} 实例时，本服务器的${what}已超过阈值。`,
    sessionsAt: (at: number) => `第 ${at} 路时编码会话用尽`,
    cancelled: (app: string, n: number) => `${app} 的容量测试在 ${n} 步后取消：无结果。`,
    failed: (app: string, err: string) => `${app} 的容量测试失败：${err}`,
    interrupted: (app: string) => `${app} 的容量测试被中断（StreamCap 已关闭）：无结果。`,
    running: (app: string) => `正在测试 ${app}…`,
    title: '容量测试报告',
    compareTitle: '容量对比',
    capacity: '容量',
    limitedBy: '限制因素',
    limitAt: '于',
    headroom: '容量下的余量',
    duration: '测试用时',
    server: '服务器',
    app: '应用',
    settings: '阈值与方法',
    steps: '测试步骤',
    notes: '说明',
    host: '主机',
    cpuModel: 'CPU',
    cores: '逻辑核心',
    ram: '内存',
    gpus: 'GPU',
    os: '操作系统',
    noGpu: '未发现',
    exe: '可执行文件',
    args: '参数',
    cwd: '工作目录',
    none_: '—',
    warmup: '每实例预热',
    settle: '稳定窗口',
    maxInstances: '最多实例',
    ramp: '递增方式',
    smart: '智能（拟合、跳跃、确认）',
    linear: '逐个递增',
    basis: 'CPU 口径',
    basisMachine: '整机',
    basisApp: '空闲基线 + 应用进程',
    cardLimit: '显卡上限',
    notChecked: '不检查',
    instances: '实例数',
    verdict: '结论',
    pass: '未超',
    fail: '超出',
    saturated: '会话已满',
    exited: '退出',
    baseline: '空闲',
    mean: '均值',
    p95: 'p95',
    window: '窗口',
    notMeasured: (what: string, why: string) => `${what}未测量：${why}。`,
    noisy: '即使延长窗口，阈值附近的负载仍不稳定：关键步骤按均值判定；在更安静的服务器上重测可得到更可靠的结果。',
    extendedNote: (n: number) => `有 ${n} 个窗口因读数不稳定而延长。`,
    other: (n: number) => `测试期间另有 ${n} 个实例在运行，其负载计入空闲基线。`,
    exitNote: (e: { n: number; reason: string }, lines: string) => `实例 #${e.n} 结束：${e.reason}。${lines ? `最后输出：${lines}` : ''}`,
    chartTitle: '负载与实例数（各步均值；虚线为阈值）',
    chartX: '实例数',
    capacityMark: (n: number) => `容量 ${n}`,
    perInstance: '每实例',
    generated: (v: string, d: string) => `StreamCap ${v} · ${d}`,
    seconds: (s: number) => (s < 90 ? `${Math.round(s)} 秒` : `${Math.floor(s / 60)} 分 ${Math.round(s % 60)} 秒`),
    pts: '个百分点',
    sessions: '个会话',
    exitCode: (c: number | null, sig: string | null) => (sig ? `被 ${sig} 终止` : c === null ? '退出码未知' : `退出码 ${c}`),
  },
};

const T = (lang: ReportLang) => TEXT[lang] ?? TEXT.en;

export function resourceName(r: Resource | LimitReason, lang: ReportLang = 'en'): string {
  const t = T(lang);
  return (t.resource as Record<string, string>)[r] ?? t.limit[r] ?? r;
}

/** "This server runs 9 concurrent streams of X; CPU limits at 10." */
export function resultSentence(run: ProbeRun, lang: ReportLang = 'en'): string {
  const t = T(lang);
  const app = run.app.name;
  const r = run.result;
  if (!r) {
    if (run.state === 'cancelled') return t.cancelled(app, run.steps.length);
    if (run.state === 'failed') return t.failed(app, run.error ?? '');
    if (run.state === 'interrupted') return t.interrupted(app);
    return t.running(app);
  }
  if (r.limitedBy === 'maxInstances') return t.atLeast(r.capacity, app);
  const how = r.exit ? t.exitCode(r.exit.exitCode, r.exit.signal) : '';
  if (r.capacity === 0) {
    if (r.limitAt === 0) return t.already(app, resourceName(r.limitedBy, lang));
    if (r.limitedBy === 'instanceExit') return t.noneExit(app, how);
    return t.none(app, resourceName(r.limitedBy, lang));
  }
  let tail: string;
  const q = r.quality;
  if (r.limitedBy === 'streamQuality' && q) {
    const at = r.limitAt ?? r.capacity + 1;
    tail = q.figure === 'fps' ? t.qualityFps(at, q.n ?? 0, q.value ?? 0) : q.figure === 'freezes' ? t.qualityFreezes(at, q.n ?? 0, q.value ?? 0) : t.qualityLost(at, q.n ?? 0);
  } else if (r.limitedBy === 'instanceExit' && r.exit) tail = t.exitAt(r.exit.n, how, r.limitAt ?? r.capacity + 1);
  else if (r.limitedBy === 'encoderSessions') tail = t.sessionsAt(r.limitAt ?? r.capacity + 1);
  else tail = t.limitsAt(resourceName(r.limitedBy, lang), r.limitAt ?? r.capacity + 1);
  return r.fpsAtCapacity != null ? t.runsAt(r.capacity, app, r.fpsAtCapacity, tail) : t.runs(r.capacity, app, tail);
}

// ---- CSV -----------------------------------------------------------------------------

const CSV_RESOURCES: [Resource, string][] = [
  ['cpu', 'cpu'],
  ['memory', 'memory'],
  ['gpu', 'gpu'],
  ['gpuMemory', 'gpu_memory'],
  ['encoder', 'encoder'],
  ['encoderSessions', 'encoder_sessions'],
];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v);
  // A cell a spreadsheet would run as a formula is quoted as text.
  if (/^[=+\-@\t\r]/.test(s) && typeof v !== 'number') s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per step (the idle baseline first, as 0 instances): mean, p95 and sd per resource. */
export function probeToCsv(run: ProbeRun): string {
  const head = ['step', 'instances', 'move', 'verdict', 'breached', 'window_s', 'extended', 'noisy', 'samples'];
  for (const [, name] of CSV_RESOURCES) head.push(`${name}_mean`, `${name}_p95`, `${name}_sd`, `${name}_limit`);
  head.push(
    'machine_cpu_mean',
    'app_cpu_mean',
    'exit_instance',
    'exit_code',
    'exit_reason',
    'stream_slowest_fps',
    'stream_slowest_instance',
    'stream_mean_mbps',
    'stream_freezes_per_min',
    'viewer_cpu_mean',
    'stream_quality',
  );
  const row = (k: number, count: number, move: string, w: ProbeWindow, exit: ProbeStep['exit']) => {
    const cells: unknown[] = [k, count, move, exit ? 'exited' : w.verdict, w.breached.join(' '), w.windowSec, w.extended, w.noisy, w.samples];
    for (const [r] of CSV_RESOURCES) cells.push(w.stats[r]?.mean, w.stats[r]?.p95, w.stats[r]?.stddev, w.limits[r]);
    cells.push(w.machineCpu?.mean, w.appCpu?.mean, exit?.n, exit?.exitCode, exit?.reason);
    const st = w.stream;
    cells.push(st?.slowestFps, st?.slowestN, st?.meanMbps, st?.freezesPerMin, st?.viewerCpu, w.quality ? (w.quality.ok ? 'ok' : w.quality.figure) : null);
    return cells.map(csvCell).join(',');
  };
  const lines = [head.join(',')];
  if (run.baseline) lines.push(row(0, 0, 'baseline', run.baseline, null));
  for (const s of run.steps) lines.push(row(s.index, s.count, s.move, s, s.exit));
  return lines.join('\r\n') + '\r\n';
}

// ---- HTML ------------------------------------------------------------------------------

export const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const num = (v: number | null | undefined, d = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

/** Colours readable on white paper and on the console's dark panels alike. */
export const RESOURCE_COLORS: Record<Resource, string> = {
  cpu: '#0891b2',
  memory: '#7c3aed',
  gpu: '#16a34a',
  gpuMemory: '#ca8a04',
  encoder: '#db2777',
  encoderSessions: '#64748b',
};

const PERCENT_RESOURCES = RESOURCES.filter((r) => r !== 'encoderSessions');

/** Load (% of the resource) against instance count: step means, p95 whiskers, dashed thresholds, the capacity mark. */
export function probeChartSvg(run: ProbeRun, lang: ReportLang = 'en', opts: { width?: number; height?: number } = {}): string {
  const t = T(lang);
  const W = opts.width ?? 720;
  const H = opts.height ?? 300;
  const m = { l: 44, r: 110, t: 14, b: 36 };
  const windows: { count: number; w: ProbeWindow; step: ProbeStep | null }[] = [];
  if (run.baseline) windows.push({ count: 0, w: run.baseline, step: null });
  for (const s of run.steps) if (!s.exit || s.samples > 0) windows.push({ count: s.count, w: s, step: s });
  const maxCount = Math.max(2, ...windows.map((x) => x.count), (run.result?.capacity ?? 0) + 1);
  const lo = -0.3;
  const hi = maxCount + 0.4;
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const x = (n: number) => r1(m.l + ((n - lo) / (hi - lo)) * (W - m.l - m.r));
  const y = (v: number) => r1(m.t + (1 - Math.min(Math.max(v, 0), 100) / 100) * (H - m.t - m.b));
  const parts: string[] = [];
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#cbd5e1"/>`);
  for (let v = 0; v <= 100; v += 20) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#e2e8f0" stroke-width="${v === 0 ? 1 : 0.6}"/>`);
    parts.push(`<text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end" class="ax">${v}%</text>`);
  }
  const tick = maxCount <= 16 ? 1 : maxCount <= 32 ? 2 : 4;
  for (let n = 0; n <= maxCount; n += tick) parts.push(`<text x="${x(n)}" y="${H - m.b + 16}" text-anchor="middle" class="ax">${n}</text>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 4}" text-anchor="middle" class="ax">${esc(t.chartX)}</text>`);
  const cap = run.result?.capacity;
  if (cap !== undefined && cap !== null) {
    parts.push(`<line x1="${x(cap)}" x2="${x(cap)}" y1="${m.t}" y2="${H - m.b}" stroke="#0f172a" stroke-dasharray="2 3" stroke-width="1.2"/>`);
    parts.push(`<text x="${x(cap) + 4}" y="${m.t + 12}" class="cap">${esc(t.capacityMark(cap))}</text>`);
  }
  let labelY = m.t + 10;
  for (const r of PERCENT_RESOURCES) {
    const pts = windows.filter((p) => p.w.stats[r]).sort((a, b) => a.count - b.count);
    if (pts.length === 0) continue;
    const color = RESOURCE_COLORS[r];
    const limit = [...windows].reverse().find((p) => p.w.limits[r] !== null)?.w.limits[r] ?? null;
    if (limit !== null) {
      parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(limit)}" y2="${y(limit)}" stroke="${color}" stroke-dasharray="6 4" stroke-width="1.2" opacity="0.9"/>`);
    }
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${x(p.count).toFixed(1)},${y(p.w.stats[r]!.mean).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) {
      const s = p.w.stats[r]!;
      const over = p.w.breached.includes(r);
      parts.push(`<line x1="${x(p.count)}" x2="${x(p.count)}" y1="${y(s.p95)}" y2="${y(s.mean)}" stroke="${color}" stroke-width="1" opacity="0.6"/>`);
      parts.push(
        `<circle cx="${x(p.count).toFixed(1)}" cy="${y(s.mean).toFixed(1)}" r="${over ? 4.5 : 3.2}" fill="${over ? '#fff' : color}" stroke="${over ? '#dc2626' : color}" stroke-width="${over ? 2 : 1}"><title>${esc(resourceName(r, lang))} · ${p.count}: ${num(s.mean)} % (p95 ${num(s.p95)} %)</title></circle>`,
      );
    }
    parts.push(`<rect x="${W - m.r + 10}" y="${labelY - 8}" width="10" height="3" fill="${color}"/>`);
    parts.push(`<text x="${W - m.r + 24}" y="${labelY - 4}" class="lg">${esc(resourceName(r, lang))}${limit !== null ? ` · ${num(limit, 0)}%` : ''}</text>`);
    labelY += 16;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(t.chartTitle)}" class="chart"><style>.ax{font:10px sans-serif;fill:#64748b}.lg{font:11px sans-serif;fill:#334155}.cap{font:bold 11px sans-serif;fill:#0f172a}</style>${parts.join('')}</svg>`;
}

function hostRows(run: ProbeRun, lang: ReportLang): [string, string][] {
  const t = T(lang);
  const h = run.host;
  const gpus = h.gpus.length ? h.gpus.map((g, k) => `${g.name}${h.gpuMemoryMB?.[k] ? ` (${Math.round(h.gpuMemoryMB[k]! / 1024)} GB)` : ''}`).join(', ') : t.noGpu;
  return [
    [t.host, h.hostname],
    [t.cpuModel, h.cpuModel],
    [t.cores, String(h.cores)],
    [t.ram, `${(h.memoryMB / 1024).toFixed(1)} GB`],
    [t.gpus, gpus],
    [t.os, h.os],
  ];
}

function appRows(run: ProbeRun, lang: ReportLang): [string, string][] {
  const t = T(lang);
  return [
    [t.app, run.app.name],
    [t.exe, run.app.exe],
    [t.args, run.app.args.length ? run.app.args.map(shellQuote).join(' ') : t.none_],
    [t.cwd, run.app.cwd || t.none_],
  ];
}

const shellQuote = (a: string) => (/^[\w@%+=:,./{}-]+$/.test(a) ? a : `"${a.replace(/(["\\$`])/g, '\\$1')}"`);

function settingsRows(run: ProbeRun, lang: ReportLang): [string, string][] {
  const t = T(lang);
  const s = run.settings;
  const th = s.thresholds;
  return [
    [t.resource.cpu, `${th.cpu} %`],
    [t.resource.gpu, `${th.gpu} %`],
    [t.resource.gpuMemory, `${th.gpuMemory} %`],
    [t.resource.memory, `${th.memory} %`],
    [t.resource.encoder, `${th.encoder} %`],
    [t.resource.encoderSessions, th.encoderSessions === null ? t.cardLimit : String(th.encoderSessions)],
    [t.warmup, `${s.warmupSec} s`],
    [t.settle, `${s.settleSec} s (≤ ${s.maxSettleSec} s)`],
    [t.maxInstances, String(s.maxInstances)],
    [t.ramp, s.strategy === 'smart' ? t.smart : t.linear],
    [t.basis, s.cpuBasis === 'app' ? t.basisApp : t.basisMachine],
  ];
}

const table = (rows: [string, string][]) => `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;

function kpis(run: ProbeRun, lang: ReportLang): string {
  const t = T(lang);
  const r = run.result;
  const items: [string, string, string?][] = [];
  if (r) {
    items.push([t.capacity, String(r.capacity)]);
    items.push([t.limitedBy, resourceName(r.limitedBy, lang), r.limitAt !== null && r.limitedBy !== 'maxInstances' ? `${t.limitAt} ${r.limitAt}` : undefined]);
    const head = RESOURCES.filter((x) => r.headroom[x] !== null).map((x) => `${resourceName(x, lang)} ${num(r.headroom[x])} ${x === 'encoderSessions' ? t.sessions : t.pts}`);
    items.push([t.headroom, head.join(' · ') || '—']);
  }
  if (run.durationSec !== null) items.push([t.duration, t.seconds(run.durationSec)]);
  return `<div class="kpis">${items.map(([k, v, sub], i) => `<div class="kpi${i === 2 && r ? ' small' : ''}"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div>${sub ? `<div class="s">${esc(sub)}</div>` : ''}</div>`).join('')}</div>`;
}

function stepsTable(run: ProbeRun, lang: ReportLang): string {
  const t = T(lang);
  const shown = PERCENT_RESOURCES.filter((r) => [run.baseline, ...run.steps].some((w) => w?.stats[r]));
  const sessions = [run.baseline, ...run.steps].some((w) => w?.stats.encoderSessions);
  const head = `<tr><th>#</th><th>${esc(t.instances)}</th>${shown.map((r) => `<th>${esc(resourceName(r, lang))}<br><span>${t.mean} / ${t.p95}</span></th>`).join('')}${sessions ? `<th>${esc(t.resource.encoderSessions)}</th>` : ''}<th>${esc(t.window)}</th><th>${esc(t.verdict)}</th></tr>`;
  const row = (k: string, count: number, w: ProbeWindow, exit: ProbeStep['exit']) => {
    const verdict = exit
      ? `${t.exited} (#${exit.n}, ${t.exitCode(exit.exitCode, exit.signal)})`
      : k === '0'
        ? t.baseline
        : w.verdict === 'fail'
          ? `${t.fail}: ${w.breached.map((r) => resourceName(r, lang)).join(', ')}`
          : w.verdict === 'saturated'
            ? t.saturated
            : t.pass;
    const cls = exit || w.verdict === 'fail' ? 'bad' : '';
    return `<tr class="${cls}"><td>${k}</td><td>${count}</td>${shown.map((r) => `<td class="${w.breached.includes(r) ? 'over' : ''}">${num(w.stats[r]?.mean)} / ${num(w.stats[r]?.p95)}</td>`).join('')}${sessions ? `<td>${num(w.stats.encoderSessions?.mean, 1)}</td>` : ''}<td>${num(w.windowSec, 0)} s${w.extended ? ` (+${w.extended})` : ''}${w.noisy ? ' ~' : ''}</td><td>${esc(verdict)}</td></tr>`;
  };
  const rows = [run.baseline ? row('0', 0, run.baseline, null) : '', ...run.steps.map((s) => row(String(s.index), s.count, s, s.exit))];
  return `<table class="steps"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function notes(run: ProbeRun, lang: ReportLang): string[] {
  const t = T(lang);
  const out: string[] = [];
  const r = run.result;
  if (r?.noisy) out.push(t.noisy);
  const ext = [run.baseline, ...run.steps].filter((w) => w && w.extended > 0).length;
  if (ext) out.push(t.extendedNote(ext));
  if (run.otherInstances > 0) out.push(t.other(run.otherInstances));
  // Four GPU figures missing for one reason read as one line.
  const byReason = new Map<string, string[]>();
  for (const n of r?.notMeasured ?? []) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), resourceName(n.resource, lang)]);
  for (const [reason, what] of byReason) out.push(t.notMeasured(what.join(', '), reason));
  for (const s of run.steps) if (s.exit) out.push(t.exitNote(s.exit, s.exit.lastLines.slice(-3).join(' ⏎ ')));
  // Streams: each step's figures, and what StreamCap's own viewers cost (left out of the CPU figure).
  for (const s of run.steps) {
    const st = s.stream;
    if (!st) continue;
    out.push(t.streamNote(s.count, st.slowestFps, st.slowestN, st.meanMbps, st.freezesPerMin, st.viewerCpu, s.quality && !s.quality.ok ? s.quality.figure : null));
  }
  return out;
}

const CSS = `
*{box-sizing:border-box}body{margin:0;background:#f1f5f9;color:#0f172a;font:14px/1.45 system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif}
main{max-width:980px;margin:24px auto;background:#fff;padding:32px 40px;border-radius:14px;box-shadow:0 2px 12px #0f172a14}
header.r{display:flex;justify-content:space-between;align-items:baseline;border-bottom:3px solid #0891b2;padding-bottom:8px;margin-bottom:18px}
header.r .brand{font-weight:700;letter-spacing:.3px;color:#0891b2}header.r .meta{color:#64748b;font-size:12px}
h1{font-size:25px;line-height:1.3;margin:6px 0 18px}h2{font-size:15px;margin:24px 0 8px;color:#334155;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
.kpis{display:flex;gap:12px;flex-wrap:wrap}.kpi{flex:1 1 150px;border:1px solid #e2e8f0;border-radius:10px;padding:10px 12px;background:#f8fafc}
.kpi .k{font-size:11px;text-transform:uppercase;letter-spacing:.5px;color:#64748b}.kpi .v{font-size:22px;font-weight:700;margin-top:2px}.kpi .s{font-size:12px;color:#64748b}
.kpi:first-child .v{font-size:34px;color:#0891b2}.kpi.small .v{font-size:15px;line-height:1.4}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:24px}
table{border-collapse:collapse;width:100%}table.kv th{text-align:left;font-weight:600;color:#475569;width:38%;padding:3px 8px 3px 0;vertical-align:top}table.kv td{padding:3px 0;word-break:break-word}
table.steps{font-size:12.5px;font-variant-numeric:tabular-nums}table.steps th{background:#f1f5f9;text-align:left;padding:5px 6px;font-size:11.5px}table.steps th span{font-weight:400;color:#64748b}
table.steps td{border-top:1px solid #e2e8f0;padding:4px 6px}table.steps tr.bad td{background:#fef2f2}table.steps td.over{color:#b91c1c;font-weight:700}
.chart{display:block;margin:4px 0}ul.notes{padding-left:18px;color:#334155}code{font-family:ui-monospace,Consolas,monospace;font-size:12px}
footer{margin-top:24px;color:#94a3b8;font-size:11.5px;border-top:1px solid #e2e8f0;padding-top:8px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:24px}.pair h1{font-size:19px}.pair .kpi .v{font-size:18px}.pair .kpi:first-child .v{font-size:28px}
table.cmp th,table.cmp td{text-align:left;padding:4px 8px;border-top:1px solid #e2e8f0;vertical-align:top}table.cmp thead th{background:#f1f5f9}table.cmp td.diff{background:#fffbeb}
@media print{@page{size:A4;margin:14mm}body{background:#fff;font-size:11.5px}main{box-shadow:none;margin:0;max-width:none;padding:0;border-radius:0}h1{font-size:21px}h2{break-after:avoid}table,svg,.kpis{break-inside:avoid}.kpi{background:#fff}}
`;

function page(title: string, body: string, lang: ReportLang, footer: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><main>${body}<footer>${esc(footer)}</footer></main></body></html>
`;
}

const dateOf = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** The report for one run: sentence, key figures, chart, server, app, thresholds, steps, notes. */
export function probeReportHtml(run: ProbeRun, lang: ReportLang = 'en'): string {
  const t = T(lang);
  const n = notes(run, lang);
  const body = `
<header class="r"><span class="brand">StreamCap · ${esc(t.title)}</span><span class="meta">${esc(dateOf(run.startedAt))} · ${esc(run.host.hostname)}</span></header>
<h1 data-result>${esc(resultSentence(run, lang))}</h1>
${kpis(run, lang)}
<h2>${esc(t.chartTitle)}</h2>
${probeChartSvg(run, lang)}
<div class="cols"><section><h2>${esc(t.server)}</h2>${table(hostRows(run, lang))}</section><section><h2>${esc(t.app)}</h2>${table(appRows(run, lang))}</section></div>
<h2>${esc(t.settings)}</h2>
<div class="cols">${table(settingsRows(run, lang).slice(0, 6))}${table(settingsRows(run, lang).slice(6))}</div>
<h2>${esc(t.steps)}</h2>
${stepsTable(run, lang)}
${n.length ? `<h2>${esc(t.notes)}</h2><ul class="notes">${n.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}`;
  return page(`${t.title} — ${run.app.name} — ${run.host.hostname}`, body, lang, `${t.generated(run.host.version, dateOf(run.endedAt ?? run.startedAt))} · ${run.id}`);
}

/** Two runs side by side (another server, another build): differences highlighted. */
export function probeCompareHtml(a: ProbeRun, b: ProbeRun, lang: ReportLang = 'en'): string {
  const t = T(lang);
  const facts = (run: ProbeRun): [string, string][] => [
    [t.capacity, run.result ? String(run.result.capacity) : '—'],
    [
      t.limitedBy,
      run.result ? `${resourceName(run.result.limitedBy, lang)}${run.result.limitAt !== null && run.result.limitedBy !== 'maxInstances' ? ` ${t.limitAt} ${run.result.limitAt}` : ''}` : '—',
    ],
    ...hostRows(run, lang),
    ...appRows(run, lang),
    ...settingsRows(run, lang),
    [t.duration, run.durationSec === null ? '—' : t.seconds(run.durationSec)],
  ];
  const fa = facts(a);
  const fb = facts(b);
  const rows = fa.map(([k, va], i) => {
    const vb = fb[i]![1];
    const d = va !== vb ? ' class="diff"' : '';
    return `<tr><th>${esc(k)}</th><td${d}>${esc(va)}</td><td${d}>${esc(vb)}</td></tr>`;
  });
  const side = (run: ProbeRun, label: string) =>
    `<section><div class="meta">${label} · ${esc(dateOf(run.startedAt))} · ${esc(run.host.hostname)}</div><h1>${esc(resultSentence(run, lang))}</h1>${kpis(run, lang)}${probeChartSvg(run, lang, { width: 460, height: 240 })}</section>`;
  const body = `
<header class="r"><span class="brand">StreamCap · ${esc(t.compareTitle)}</span><span class="meta">${esc(a.app.name)} · ${esc(b.app.name)}</span></header>
<div class="pair">${side(a, 'A')}${side(b, 'B')}</div>
<h2>${esc(t.compareTitle)}</h2>
<table class="cmp"><thead><tr><th></th><th>A</th><th>B</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return page(`${t.compareTitle} — ${a.app.name} / ${b.app.name}`, body, lang, `${t.generated(a.host.version, dateOf(Date.now()))} · ${a.id} · ${b.id}`);
}

export function probeExport(run: ProbeRun, format: 'json' | 'csv' | 'html', lang: ReportLang = 'en', compare?: ProbeRun): ProbeExport {
  if (format === 'json') return { filename: `streamcap-probe-${run.id}.json`, mime: 'application/json', content: JSON.stringify(run, null, 2) + '\n' };
  if (format === 'csv') return { filename: `streamcap-probe-${run.id}.csv`, mime: 'text/csv', content: probeToCsv(run) };
  if (compare) return { filename: `streamcap-compare-${run.id}-vs-${compare.id}.html`, mime: 'text/html', content: probeCompareHtml(run, compare, lang) };
  return { filename: `streamcap-probe-${run.id}.html`, mime: 'text/html', content: probeReportHtml(run, lang) };
}
