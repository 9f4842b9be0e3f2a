// Pure reader of `nvidia-smi -q -x`. Its XML is machine-written, one element per
// line, no attributes but `<gpu id="…">`, no CDATA: a few regexes read it safely,
// without an XML library. Used for what query-gpu lacks: the product brand (card
// class) and the driver model.
import type { GpuCardClass } from '../contract';
import { cardClassOf } from './card-class';
import { parseNumberCell } from './nvidia-smi';

export interface XmlGpuProcess {
  pid: number;
  /** C, G, C+G as printed. */
  type: string;
  name: string;
  /** MiB; null where not reported (WDDM: "N/A"). */
  usedMemoryMB: number | null;
}

export interface XmlGpu {
  /** Position in the document: nvidia-smi lists GPUs in index order (PCI bus order). */
  index: number;
  busId: string;
  productName: string;
  productBrand: string | null;
  architecture: string | null;
  /** "WDDM", "TCC", … on Windows; null on Linux (N/A). */
  driverModel: string | null;
  /** "Enabled", "Disabled"; null where the card has no MIG. */
  migMode: string | null;
  cardClass: GpuCardClass;
  encoderSessionLimit: number | null;
  utilization: number | null;
  encoderUtilization: number | null;
  decoderUtilization: number | null;
  encoderSessions: number | null;
  encoderAverageFps: number | null;
  memoryUsedMB: number | null;
  memoryTotalMB: number | null;
  temperatureC: number | null;
  powerW: number | null;
  processes: XmlGpuProcess[];
}

export interface NvidiaSmiXml {
  driverVersion: string | null;
  cudaVersion: string | null;
  gpus: XmlGpu[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]!);

/** Inner text of the first `<tag>` in `xml` (trimmed, entities decoded), or null. */
function inner(xml: string, tag: string): string | null {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? decode(m[1]!.trim()) : null;
}

/** Text of a leaf, with N/A and friends as null. */
function leaf(xml: string | null, tag: string): string | null {
  if (xml === null) return null;
  const v = inner(xml, tag);
  return v === null || v === '' || /^(N\/A|Not Supported|Requested functionality has been deprecated|Unknown Error|None)$/i.test(v) ? null : v;
}

const num = (xml: string | null, tag: string) => parseNumberCell(leaf(xml, tag) ?? undefined);

function blocks(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(m[0]);
  return out;
}

export function parseNvidiaSmiXml(xml: string): NvidiaSmiXml {
  const gpus = blocks(xml, 'gpu').map((g, index): XmlGpu => {
    const name = leaf(g, 'product_name') ?? 'NVIDIA GPU';
    const brand = leaf(g, 'product_brand');
    const power = inner(g, 'gpu_power_readings') ?? inner(g, 'power_readings');
    const util = inner(g, 'utilization');
    const enc = inner(g, 'encoder_stats');
    const fb = inner(g, 'fb_memory_usage');
    const processes = blocks(inner(g, 'processes') ?? '', 'process_info').flatMap((p): XmlGpuProcess[] => {
      const pid = num(p, 'pid');
      return pid === null ? [] : [{ pid, type: leaf(p, 'type') ?? '', name: leaf(p, 'process_name') ?? '', usedMemoryMB: num(p, 'used_memory') }];
    });
    return {
      index,
      busId: /<gpu\s+id="([^"]*)"/.exec(g)?.[1] ?? '',
      productName: name,
      productBrand: brand,
      architecture: leaf(g, 'product_architecture'),
      driverModel: leaf(inner(g, 'driver_model'), 'current_dm'),
      migMode: leaf(inner(g, 'mig_mode'), 'current_mig'),
      ...cardClassOf(name, brand),
      utilization: num(util, 'gpu_util'),
      encoderUtilization: num(util, 'encoder_util'),
      decoderUtilization: num(util, 'decoder_util'),
      encoderSessions: num(enc, 'session_count'),
      encoderAverageFps: num(enc, 'average_fps'),
      memoryUsedMB: num(fb, 'used'),
      memoryTotalMB: num(fb, 'total'),
      temperatureC: num(inner(g, 'temperature'), 'gpu_temp'),
      powerW: num(power, 'power_draw') ?? num(power, 'instant_power_draw'),
      processes,
    };
  });
  return { driverVersion: leaf(xml, 'driver_version'), cudaVersion: leaf(xml, 'cuda_version'), gpus };
}
