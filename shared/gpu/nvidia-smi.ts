// Pure parser of `nvidia-smi --query-gpu=… --format=csv[,noheader][,nounits]` output.
import type { GpuDevice } from '../contract';
import { cardClassOf } from './card-class';

/** The fields the sampler asks for, in this order. */
export const QUERY_GPU_FIELDS = [
  'index',
  'name',
  'utilization.gpu',
  'utilization.encoder',
  'utilization.decoder',
  'memory.used',
  'memory.total',
  'encoder.stats.sessionCount',
  'encoder.stats.averageFps',
  'temperature.gpu',
  'power.draw',
] as const;

/** Fields every driver since long before NVENC session stats knows: the fallback when one of the above is refused. */
export const QUERY_GPU_FIELDS_BASIC = ['index', 'name', 'utilization.gpu', 'memory.used', 'memory.total', 'temperature.gpu', 'power.draw'] as const;

/** What nvidia-smi says when a --query-gpu field is unknown to this driver (it then prints nothing else). */
export const INVALID_FIELD = /is not a valid field to query/i;

/** Cells nvidia-smi prints when it has no value: never to be read as 0. */
const NO_VALUE = /^\[?(N\/A|Not Supported|Function Not Found|Requested functionality has been deprecated|Unknown Error|Insufficient Permissions)\]?$/i;

function splitCsvLine(line: string): string[] {
  // nvidia-smi never quotes cells; names hold no commas.
  return line.split(',').map((c) => c.trim());
}

/** A number from a cell such as "7 %", "1296 MiB", "97.43 W" or "45"; null for N/A and friends. */
export function parseNumberCell(cell: string | undefined): number | null {
  if (cell === undefined) return null;
  const c = cell.trim();
  if (c === '' || NO_VALUE.test(c)) return null;
  const m = /^(-?\d+(?:\.\d+)?)(?:\s*(?:%|MiB|W|C|MHz|us))?$/.exec(c);
  return m ? Number(m[1]) : null;
}

/**
 * Parses query-gpu CSV. With a header row the columns are found by name (units in
 * brackets dropped); without one, `fields` gives the order. Lines that do not parse
 * are skipped, so a torn last line never yields a device.
 */
export function parseQueryGpuCsv(text: string, fields: readonly string[] = QUERY_GPU_FIELDS): GpuDevice[] {
  let columns = [...fields];
  const devices: GpuDevice[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const cells = splitCsvLine(line);
    const names = cells.map((c) => c.replace(/\s*\[.*\]$/, ''));
    if (names.includes('index') && parseNumberCell(cells[0]) === null) {
      columns = names;
      continue;
    }
    if (cells.length < columns.length) continue;
    const get = (f: string) => {
      const k = columns.indexOf(f);
      return k < 0 ? undefined : cells[k];
    };
    const index = parseNumberCell(get('index'));
    const name = get('name');
    if (index === null || !name) continue;
    const has = (f: string) => columns.includes(f);
    devices.push({
      index,
      name,
      utilization: parseNumberCell(get('utilization.gpu')),
      memoryUsedMB: parseNumberCell(get('memory.used')),
      memoryTotalMB: parseNumberCell(get('memory.total')),
      encoderUtilization: parseNumberCell(get('utilization.encoder')),
      encoderSessions: parseNumberCell(get('encoder.stats.sessionCount')),
      temperatureC: parseNumberCell(get('temperature.gpu')),
      powerW: parseNumberCell(get('power.draw')),
      ...cardClassOf(name),
      ...(has('utilization.decoder') ? { decoderUtilization: parseNumberCell(get('utilization.decoder')) } : {}),
      ...(has('encoder.stats.averageFps') ? { encoderAverageFps: parseNumberCell(get('encoder.stats.averageFps')) } : {}),
    });
  }
  return devices;
}
