// `streamcap bandwidth`: what uplink an audience needs, from the same functions as the Bandwidth view.
import { parseArgs } from 'node:util';
import { BITRATE_PRESETS, calculateBandwidth, checkBandwidthInput, explainBandwidth, presetById, problemMessage } from '../../shared/bandwidth';
import { UsageError } from './args';

export const BANDWIDTH_USAGE = `Usage: streamcap bandwidth --bitrate MBPS --operators N --spectators N [options]

Every viewer, operator or spectator, receives a stream of their own:
  total = bitrate × (operators + spectators) × (1 + overhead %)
  fits  ⇔ total ≤ uplink × (1 − headroom %)

Options:
  --bitrate MBPS     per-stream bitrate in Mbps (0.01 to 1000)
  --preset NAME      a planning figure instead of --bitrate: ${BITRATE_PRESETS.map((p) => `${p.id} (${p.mbps})`).join(', ')}
  --operators N      people driving an instance
  --spectators N     people watching one
  --overhead PCT     protocol overhead on top of the bitrate (default 0)
  --uplink MBPS      uplink capacity: adds utilisation, fits, max spectators, max bitrate
  --headroom PCT     share of the uplink kept free (default 0)
  --sfu              spectators go through an SFU: one encode session per operator
  --json             one JSON object on stdout

Example: streamcap bandwidth --bitrate 8 --operators 10 --spectators 20 --uplink 300 --headroom 10`;

// Field names of the shared schema → the flags a user typed.
const FLAGS: Record<string, string> = {
  bitrateMbps: '--bitrate',
  operators: '--operators',
  spectators: '--spectators',
  overheadPercent: '--overhead',
  uplinkMbps: '--uplink',
  headroomPercent: '--headroom',
  sfu: '--sfu',
};

export async function bandwidthCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      bitrate: { type: 'string' },
      preset: { type: 'string' },
      operators: { type: 'string' },
      spectators: { type: 'string' },
      overhead: { type: 'string' },
      uplink: { type: 'string' },
      headroom: { type: 'string' },
      sfu: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(BANDWIDTH_USAGE);
    return 0;
  }
  let bitrate: string | number | undefined = values.bitrate;
  if (values.preset !== undefined) {
    const preset = presetById(values.preset);
    if (!preset) throw new UsageError(`--preset must be one of ${BITRATE_PRESETS.map((p) => p.id).join(', ')}, got "${values.preset}".`);
    if (bitrate !== undefined) throw new UsageError('give --bitrate or --preset, not both.');
    bitrate = preset.mbps;
  }
  const raw: Record<string, unknown> = {
    bitrateMbps: bitrate,
    operators: values.operators,
    spectators: values.spectators,
    overheadPercent: values.overhead,
    uplinkMbps: values.uplink,
    headroomPercent: values.headroom,
    sfu: values.sfu,
  };
  const checked = checkBandwidthInput(raw);
  if (!checked.ok) {
    const lines = checked.problems.map((p) => {
      const given = raw[p.field];
      const got = given === undefined || p.kind === 'required' ? '' : ` (got "${String(given)}")`;
      return problemMessage(p, FLAGS[p.field] ?? p.field).replace(/\.$/, `${got}.`);
    });
    throw new UsageError(lines.join('\n  '));
  }
  const input = checked.value;
  const r = calculateBandwidth(input);

  if (values.json) {
    console.log(
      JSON.stringify({
        streams: r.streams,
        totalMbps: r.totalMbps,
        uplinkMbps: r.uplinkMbps,
        utilization: r.utilization,
        fits: r.fits,
        maxSpectators: r.maxSpectators,
        encoderSessions: r.encoderSessions,
        // Beyond the documented keys: the inputs as understood, and the other answers.
        bitrateMbps: input.bitrateMbps,
        operators: input.operators,
        spectators: input.spectators,
        overheadPercent: input.overheadPercent,
        headroomPercent: input.headroomPercent,
        sfu: input.sfu,
        perStreamMbps: r.perStreamMbps,
        usableMbps: r.usableMbps,
        maxBitrateMbps: r.maxBitrateMbps,
        encoderLimit: r.encoderLimit,
        encoderFits: r.encoderFits,
      }),
    );
    return 0;
  }

  const words = explainBandwidth(input, r);
  const out = ['Bandwidth', `  ${words.formula}`];
  if (words.uplink) out.push(`  ${words.uplink}`);
  else out.push('  No --uplink given: add one to see whether it fits.');
  if (words.maxSpectators) out.push(`  ${words.maxSpectators}`);
  if (words.maxBitrate) out.push(`  ${words.maxBitrate}`);
  out.push('Encoder sessions', `  ${words.encoder}`);
  console.log(out.join('\n'));
  return 0;
}
