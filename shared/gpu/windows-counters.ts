// Pure parser of Windows GPU performance counters in PDH-CSV, the format typeperf
// prints and the StreamCap counter reader emits (one header row, then value rows):
//
//   "(PDH-CSV 4.0)","\\HOST\GPU Adapter Memory(luid_0x00000000_0x00017E08_phys_0)\Dedicated Usage",…
//   "07/05/2026 12:34:28.096","0.000000",…
//
// Counters read: `\GPU Engine(pid_<pid>_luid_<hi>_<lo>_phys_<n>_eng_<n>_engtype_<type>)\Utilization Percentage`
// (what Task Manager shows per process and engine), `\GPU Adapter Memory(luid_…_phys_<n>)\Dedicated Usage`
// and `\GPU Process Memory(pid_<pid>_luid_…_phys_<n>)\Dedicated Usage` (bytes). Get-Counter writes paths in lower case, so names are matched case-insensitively.
// GPU counter names are not localised (a German Windows prints them in English), but
// typeperf's closing lines are; every line that is not a quoted CSV row is skipped.

export interface PdhValue {
  object: string;
  instance: string;
  counter: string;
  /** null: the counter had no value in this sample (typeperf prints " "). */
  value: number | null;
}

export interface PdhSample {
  time: string;
  values: PdhValue[];
}

/** Splits one CSV line of quoted cells (`""` is a quote inside a cell). */
export function splitQuotedCsv(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return cells; // torn line
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      cells.push(v);
    } else {
      const c = line.indexOf(',', i);
      cells.push(line.slice(i, c < 0 ? line.length : c).trim());
      i = c < 0 ? line.length : c;
    }
    if (line[i] === ',') i++;
  }
  return cells;
}

const PATH = /^(?:\\\\[^\\]*)?\\(.+?)\((.*)\)\\(.+)$/;

/** `\\HOST\Object(instance)\Counter` → its parts; null for anything else. */
export function parseCounterPath(path: string): { object: string; instance: string; counter: string } | null {
  const m = PATH.exec(path);
  return m ? { object: m[1]!, instance: m[2]!, counter: m[3]! } : null;
}

/** Reads PDH-CSV line by line; a header row may come again (the reader repeats it with every sample). */
export class PdhCsvReader {
  private columns: ReturnType<typeof parseCounterPath>[] = [];

  /** Feeds one line; returns the sample when it is a value row. */
  push(raw: string): PdhSample | null {
    const line = raw.trim();
    if (!line.startsWith('"')) return null;
    const cells = splitQuotedCsv(line);
    if (cells[0]?.startsWith('(PDH-CSV')) {
      this.columns = cells.slice(1).map(parseCounterPath);
      return null;
    }
    if (this.columns.length === 0 || cells.length !== this.columns.length + 1) return null;
    const values: PdhValue[] = [];
    for (let k = 0; k < this.columns.length; k++) {
      const col = this.columns[k];
      if (!col) continue;
      const c = cells[k + 1]!.trim();
      const v = c === '' ? null : Number(c);
      values.push({ ...col, value: v === null || !Number.isFinite(v) ? null : v });
    }
    return { time: cells[0]!, values };
  }
}

/** Every sample in a PDH-CSV text. */
export function parsePdhCsv(text: string): PdhSample[] {
  const reader = new PdhCsvReader();
  const out: PdhSample[] = [];
  for (const line of text.split(/\r?\n/)) {
    const s = reader.push(line);
    if (s) out.push(s);
  }
  return out;
}

export interface EngineInstance {
  pid: number;
  /** `0x00000000_0x0000D1B4`: the adapter's locally unique id. */
  luid: string;
  phys: number;
  eng: number;
  /** 3D, VideoEncode, VideoDecode, Copy, Compute_0, … as printed (any case). */
  engtype: string;
}

const ENGINE = /^pid_(\d+)_luid_(0x[0-9a-f]+_0x[0-9a-f]+)_phys_(\d+)_eng_(\d+)_engtype_(.+)$/i;
const ADAPTER = /^luid_(0x[0-9a-f]+_0x[0-9a-f]+)_phys_(\d+)$/i;
const PROCESS_MEMORY = /^pid_(\d+)_luid_(0x[0-9a-f]+_0x[0-9a-f]+)_phys_(\d+)$/i;

export function parseEngineInstance(instance: string): EngineInstance | null {
  const m = ENGINE.exec(instance);
  return m ? { pid: Number(m[1]), luid: m[2]!.toLowerCase(), phys: Number(m[3]), eng: Number(m[4]), engtype: m[5]! } : null;
}

export function parseAdapterInstance(instance: string): { luid: string; phys: number } | null {
  const m = ADAPTER.exec(instance);
  return m ? { luid: m[1]!.toLowerCase(), phys: Number(m[2]) } : null;
}

export interface WindowsAdapter {
  /** `luid_…_phys_n`, the key the counters use. */
  key: string;
  /** Busiest engine, % (the sum over processes of that engine), as Task Manager shows the adapter. */
  utilization: number | null;
  /** Busiest VideoEncode / VideoDecode engine, %. null when the adapter has none in the counters. */
  encoder: number | null;
  decoder: number | null;
  dedicatedUsedMB: number | null;
  sharedUsedMB: number | null;
}

export interface WindowsProcessGpu {
  pid: number;
  /** Per adapter, the process's busiest engine; summed over adapters. */
  gpu: number;
  encoder: number | null;
  decoder: number | null;
  /** Dedicated GPU memory, MB, over all adapters; null when the counter was not read. */
  memoryMB: number | null;
}

const isEncode = (t: string) => /^videoencode/i.test(t);
const isDecode = (t: string) => /^videodecode/i.test(t);
const clamp = (v: number) => Math.min(100, Math.max(0, v));

/** Adapters and processes from one sample of the GPU Engine and GPU Adapter Memory counters. */
export function summarizeWindowsGpu(sample: PdhSample): { adapters: WindowsAdapter[]; processes: Map<number, WindowsProcessGpu> } {
  const adapters = new Map<string, WindowsAdapter>();
  const adapter = (key: string) => {
    let a = adapters.get(key);
    if (!a) adapters.set(key, (a = { key, utilization: null, encoder: null, decoder: null, dedicatedUsedMB: null, sharedUsedMB: null }));
    return a;
  };
  // engine key (adapter + engine number) → total over processes; pid → adapter → engine → value
  const engineTotal = new Map<string, { adapter: string; engtype: string; total: number }>();
  const perProc = new Map<number, Map<string, { max: number; enc: number | null; dec: number | null }>>();
  const procMemory = new Map<number, number>();

  for (const v of sample.values) {
    const object = v.object.toLowerCase();
    const counter = v.counter.toLowerCase();
    if (object === 'gpu engine' && counter === 'utilization percentage') {
      const e = parseEngineInstance(v.instance);
      if (!e || v.value === null) continue;
      const key = `luid_${e.luid}_phys_${e.phys}`;
      adapter(key);
      const ek = `${key}/${e.eng}`;
      const t = engineTotal.get(ek) ?? { adapter: key, engtype: e.engtype, total: 0 };
      t.total += v.value;
      engineTotal.set(ek, t);
      let byAdapter = perProc.get(e.pid);
      if (!byAdapter) perProc.set(e.pid, (byAdapter = new Map()));
      const p = byAdapter.get(key) ?? { max: 0, enc: null, dec: null };
      p.max = Math.max(p.max, v.value);
      if (isEncode(e.engtype)) p.enc = Math.max(p.enc ?? 0, v.value);
      if (isDecode(e.engtype)) p.dec = Math.max(p.dec ?? 0, v.value);
      byAdapter.set(key, p);
    } else if (object === 'gpu process memory' && counter === 'dedicated usage') {
      const m = PROCESS_MEMORY.exec(v.instance);
      if (m && v.value !== null) procMemory.set(Number(m[1]), (procMemory.get(Number(m[1])) ?? 0) + v.value / 2 ** 20);
    } else if (object === 'gpu adapter memory') {
      const a = parseAdapterInstance(v.instance);
      if (!a || v.value === null) continue;
      const ad = adapter(`luid_${a.luid}_phys_${a.phys}`);
      if (counter === 'dedicated usage') ad.dedicatedUsedMB = v.value / 2 ** 20;
      else if (counter === 'shared usage') ad.sharedUsedMB = v.value / 2 ** 20;
    }
  }
  for (const t of engineTotal.values()) {
    const a = adapter(t.adapter);
    const total = clamp(t.total);
    a.utilization = Math.max(a.utilization ?? 0, total);
    if (isEncode(t.engtype)) a.encoder = Math.max(a.encoder ?? 0, total);
    if (isDecode(t.engtype)) a.decoder = Math.max(a.decoder ?? 0, total);
  }
  const processes = new Map<number, WindowsProcessGpu>();
  const sumOrNull = (xs: (number | null)[]) => (xs.every((x) => x === null) ? null : xs.reduce<number>((s, x) => s + (x ?? 0), 0));
  for (const [pid, byAdapter] of perProc) {
    const rows = [...byAdapter.values()];
    processes.set(pid, {
      pid,
      gpu: rows.reduce((s, r) => s + clamp(r.max), 0),
      encoder: sumOrNull(rows.map((r) => r.enc)),
      decoder: sumOrNull(rows.map((r) => r.dec)),
      memoryMB: procMemory.get(pid) ?? null,
    });
  }
  return { adapters: [...adapters.values()].sort((a, b) => a.key.localeCompare(b.key)), processes };
}
