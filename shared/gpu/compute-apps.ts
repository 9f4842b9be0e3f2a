// Pure parser of `nvidia-smi --query-compute-apps=… --format=csv[,noheader][,nounits]`.
import { parseNumberCell } from './nvidia-smi';

export interface ComputeApp {
  pid: number;
  processName: string;
  /** MiB; null where the driver does not say (always on Windows WDDM: `[N/A]`). */
  usedMemoryMB: number | null;
  gpuName: string | null;
  gpuUuid: string | null;
  gpuBusId: string | null;
}

export const COMPUTE_APPS_FIELDS = ['gpu_bus_id', 'pid', 'process_name', 'used_gpu_memory'] as const;

/**
 * With a header row the columns are found by name; without one, `fields` gives the
 * order. A Windows path may hold commas: surplus cells are given back to process_name.
 */
export function parseComputeAppsCsv(text: string, fields: readonly string[] = COMPUTE_APPS_FIELDS): ComputeApp[] {
  let columns = [...fields];
  const out: ComputeApp[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    // nvidia-smi separates cells with ", "; a comma inside a path rarely has a space after it.
    let cells = line.split(', ').map((c) => c.trim());
    const names = cells.map((c) => c.replace(/\s*\[.*\]$/, ''));
    if (names.includes('pid') && parseNumberCell(cells[names.indexOf('pid')]) === null) {
      columns = names;
      continue;
    }
    if (cells.length < columns.length) continue;
    const nameAt = columns.indexOf('process_name');
    if (cells.length > columns.length && nameAt >= 0) {
      const extra = cells.length - columns.length;
      cells = [...cells.slice(0, nameAt), cells.slice(nameAt, nameAt + extra + 1).join(', '), ...cells.slice(nameAt + extra + 1)];
    }
    const get = (f: string) => {
      const k = columns.indexOf(f);
      return k < 0 ? undefined : cells[k];
    };
    const pid = parseNumberCell(get('pid'));
    if (pid === null) continue;
    const text = (f: string) => {
      const v = get(f);
      return v === undefined || /^\[.*\]$/.test(v) ? null : v;
    };
    out.push({
      pid,
      processName: get('process_name') ?? '',
      usedMemoryMB: parseNumberCell(get('used_gpu_memory') ?? get('used_memory')),
      gpuName: text('gpu_name'),
      gpuUuid: text('gpu_uuid'),
      gpuBusId: text('gpu_bus_id'),
    });
  }
  return out;
}
