// Pure parsers of the column tables `nvidia-smi pmon` and `nvidia-smi dmon` print:
//
//   # gpu         pid   type     sm    mem    enc    dec    jpg    ofa    command
//   # Idx           #    C/G      %      %      %      %      %      %    name
//       0      25704     C      3      1     49      -      -      -    ffmpeg.exe
//
// The columns come from the first header row (they change with -s and -o, and
// between drivers), the unit row is skipped, and the header may repeat mid-output
// (it does on Windows). `-` means "no sample this interval": null, never 0.
import { parseNumberCell } from './nvidia-smi';

export interface SmiTableRow {
  cells: Record<string, string>;
}

/** Reads a pmon/dmon table line by line, remembering the columns of the last header row. */
export class SmiTableReader {
  columns: string[] = [];

  /** Feeds one line; returns the row when it is a data row under a known header. */
  push(raw: string): SmiTableRow | null {
    const line = raw.trim();
    if (!line) return null;
    if (line.startsWith('#')) {
      const names = line
        .replace(/^#\s*/, '')
        .split(/\s+/)
        .map((c) => c.toLowerCase());
      // The unit row ("# Idx  #  C/G  %  …") follows the names row; keep the names.
      if (names.includes('gpu') || names.includes('pid')) this.columns = names;
      return null;
    }
    const columns = this.columns;
    if (columns.length === 0) return null;
    const tokens = line.split(/\s+/);
    const last = columns[columns.length - 1];
    const fixed = last === 'command' ? columns.length - 1 : columns.length;
    if (tokens.length < fixed) return null; // a torn line
    const cells: Record<string, string> = {};
    for (let k = 0; k < fixed; k++) cells[columns[k]!] = tokens[k]!;
    if (last === 'command') cells.command = tokens.slice(fixed).join(' ');
    return { cells };
  }
}

/** Splits a pmon/dmon table into rows keyed by column name. The last column `command` may hold spaces. */
export function parseSmiTable(text: string): { columns: string[]; rows: SmiTableRow[] } {
  const reader = new SmiTableReader();
  const rows: SmiTableRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    const r = reader.push(line);
    if (r) rows.push(r);
  }
  return { columns: reader.columns, rows };
}

/** A pmon cell: a number, or null for `-` and anything else that is not one. */
function cell(row: SmiTableRow, name: string): number | null {
  const c = row.cells[name];
  return c === undefined || c === '-' ? null : parseNumberCell(c);
}

export interface PmonRow {
  gpu: number;
  pid: number;
  /** C (compute), G (graphics), C+G, M (MIG)… as printed. */
  type: string;
  /** % of the device's SM, memory controller, encoder, decoder used by this process over the interval. */
  sm: number | null;
  mem: number | null;
  enc: number | null;
  dec: number | null;
  /** Frame-buffer memory, MB (only with `-s m`). */
  fbMB: number | null;
  /** Process name, truncated by nvidia-smi to 16 characters. */
  command: string;
}

/** One pmon data row; null for a GPU with no process (`pid` = `-`). */
export function pmonRow(r: SmiTableRow): PmonRow | null {
  const gpu = cell(r, 'gpu');
  const pid = cell(r, 'pid');
  if (gpu === null || pid === null) return null;
  return {
    gpu,
    pid,
    type: r.cells.type ?? '',
    sm: cell(r, 'sm'),
    mem: cell(r, 'mem'),
    enc: cell(r, 'enc'),
    dec: cell(r, 'dec'),
    fbMB: cell(r, 'fb'),
    command: r.cells.command ?? '',
  };
}

/**
 * `nvidia-smi pmon` output. Rows for a GPU with no process are dropped; they
 * still show that a sample happened, so `samples` counts every data row.
 */
export function parsePmon(text: string): { rows: PmonRow[]; samples: number } {
  const { rows } = parseSmiTable(text);
  return { rows: rows.map(pmonRow).filter((r): r is PmonRow => r !== null), samples: rows.length };
}

export interface DmonRow {
  gpu: number;
  powerW: number | null;
  gpuTempC: number | null;
  memTempC: number | null;
  sm: number | null;
  mem: number | null;
  enc: number | null;
  dec: number | null;
  mclkMHz: number | null;
  pclkMHz: number | null;
  /** Every column as printed, for the ones not named above. */
  cells: Record<string, string>;
}

/** `nvidia-smi dmon` output: one row per GPU per interval. */
export function parseDmon(text: string): DmonRow[] {
  const out: DmonRow[] = [];
  for (const r of parseSmiTable(text).rows) {
    const gpu = cell(r, 'gpu');
    if (gpu === null) continue;
    out.push({
      gpu,
      powerW: cell(r, 'pwr'),
      gpuTempC: cell(r, 'gtemp'),
      memTempC: cell(r, 'mtemp'),
      sm: cell(r, 'sm'),
      mem: cell(r, 'mem'),
      enc: cell(r, 'enc'),
      dec: cell(r, 'dec'),
      mclkMHz: cell(r, 'mclk'),
      pclkMHz: cell(r, 'pclk'),
      cells: r.cells,
    });
  }
  return out;
}
