#!/usr/bin/env node
// A stand-in nvidia-smi for the reader tests (this machine has no GPU): it replays
// the real recordings in test/fixtures/gpu, in the format the readers ask for.
//   --query-gpu=F1,F2 --format=csv[,noheader][,nounits] [-lms N]  once, or one row per N ms
//   pmon [-s …] -d S [-c N]                                       one recorded sample per S s
//   -q -x                                                         the recorded XML
// Environment:
//   FAKE_SMI_QUERY    query-gpu recording (default: GeForce RTX 4080 SUPER, Linux)
//   FAKE_SMI_PMON     pmon recording (default: the same card)
//   FAKE_SMI_XML      -q -x recording (default: GeForce RTX 3080, WDDM)
//   FAKE_SMI_PIDS     JSON file {"5021": 4321}: recorded PIDs replaced by live ones
//   FAKE_SMI_OLD=1    refuse encoder.stats.averageFps, as a driver that does not know it
//   FAKE_SMI_HANG_AFTER=N   stop printing after N readings, but stay alive
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'gpu');
const read = (env, dflt) => fs.readFileSync(path.join(dir, process.env[env] || dflt), 'utf8');
const args = process.argv.slice(2);
const arg = (name) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : undefined;
};
const hangAfter = Number(process.env.FAKE_SMI_HANG_AFTER || Infinity);
let printed = 0;
const every = (ms, fn) => {
  const tick = () => {
    if (printed++ < hangAfter) fn();
  };
  tick();
  setInterval(tick, ms);
};

const query = args.find((a) => a.startsWith('--query-gpu='));
if (query) {
  const fields = query.slice('--query-gpu='.length).split(',');
  if (process.env.FAKE_SMI_OLD === '1' && fields.includes('encoder.stats.averageFps')) {
    console.log('Field "encoder.stats.averageFps" is not a valid field to query.');
    process.exit(2);
  }
  const format = (args.find((a) => a.startsWith('--format=')) || '--format=csv').slice(9).split(',');
  const [header, ...rows] = read('FAKE_SMI_QUERY', 'query-gpu-csv_rtx4080super-linux_drv595.71_load-nvenc2.csv').trim().split('\n');
  const names = header.split(',').map((c) => c.trim().replace(/\s*\[.*\]$/, ''));
  const lines = rows.map((r) => {
    const cells = r.split(',').map((c) => c.trim());
    return fields
      .map((f) => {
        const c = cells[names.indexOf(f)] ?? '[N/A]';
        return format.includes('nounits') ? c.replace(/ (%|MiB|W)$/, '') : c;
      })
      .join(', ');
  });
  if (!format.includes('noheader')) console.log(fields.join(', '));
  if (arg('-lms')) every(Number(arg('-lms')), () => process.stdout.write(lines.join('\n') + '\n'));
  else process.stdout.write(lines.join('\n') + '\n');
} else if (args[0] === 'pmon') {
  const text = read('FAKE_SMI_PMON', 'pmon-c5_rtx4080super-linux_drv595.71_load-nvenc2.txt').trimEnd().split('\n');
  const head = text.filter((l) => l.startsWith('#')).slice(0, 2);
  const data = text.filter((l) => !l.startsWith('#'));
  const per = data.length / 5; // the recordings are `pmon -c 5`
  const samples = [0, 1, 2, 3, 4].map((k) => data.slice(k * per, (k + 1) * per));
  process.stdout.write(head.join('\n') + '\n');
  let k = 0;
  const count = Number(arg('-c') || Infinity);
  every(Number(arg('-d') || 1) * 1000, () => {
    if (k >= count) process.exit(0);
    let map = {};
    try {
      map = JSON.parse(fs.readFileSync(process.env.FAKE_SMI_PIDS, 'utf8'));
    } catch {
      /* no live PIDs yet */
    }
    const rows = samples[k++ % 5].map((l) => l.replace(/^(\s+\d+\s+)(\d+)/, (m, a, pid) => (map[pid] ? a + String(map[pid]).padStart(pid.length) : m)));
    process.stdout.write(rows.join('\n') + '\n');
  });
} else if (args.includes('-q') && args.includes('-x')) {
  process.stdout.write(read('FAKE_SMI_XML', 'nvidia-smi-q-x_rtx3080-wddm_drv536.40.xml'));
} else {
  console.error(`fake nvidia-smi: arguments not replayed: ${args.join(' ')}`);
  process.exit(9);
}
