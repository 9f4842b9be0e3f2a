// npm run bench:cli [-- --runs 10]
// How long `streamcap --help` takes to start, against bare Node (`node -e 0`) on the
// same machine in the same run: both are run alternately, so a busy moment hits both,
// and their medians compared. Also shown: `streamcap bandwidth …` (zod, no core) and the
// development fallback that compiles the sources through tsx on every start.
// The last line is `cli/node start ratio: X.XX` (target ≤ 3).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Math.max(1, Math.min(100, Number(values.runs) || 10));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin/streamcap.js');
const node = process.execPath;
const env = { ...process.env, STREAMCAP_CLI_FROM_SOURCES: '' };

/** Wall time of one run, ms; a failed run stops the bench (its figure would mean nothing). */
function time(args: string[], extraEnv: Record<string, string> = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(node, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return ms;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const help = [cli, '--help'];
const bandwidth = [cli, 'bandwidth', '--bitrate', '8', '--operators', '10', '--spectators', '20'];
// Warm-up: builds the bundle if a source is newer, fills the OS file cache.
time(help);
time(bandwidth);
time(['-e', '0']);

const bare: number[] = [];
const cliMs: number[] = [];
const bw: number[] = [];
const tsx: number[] = [];
for (let i = 0; i < runs; i++) {
  bare.push(time(['-e', '0']));
  cliMs.push(time(help));
  bw.push(time(bandwidth));
  tsx.push(time(help, { STREAMCAP_CLI_FROM_SOURCES: '1' }));
}
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
console.log(`${runs} runs each, alternating, on ${process.version}`);
console.log(`node -e 0                          ${fmt(bare)}`);
console.log(`streamcap --help (bundle)          ${fmt(cliMs)}`);
console.log(`streamcap bandwidth … (bundle)     ${fmt(bw)}`);
console.log(`streamcap --help (sources, tsx)    ${fmt(tsx)}`);
console.log(`bandwidth/node start ratio: ${(median(bw) / median(bare)).toFixed(2)}`);
console.log(`tsx/node start ratio: ${(median(tsx) / median(bare)).toFixed(2)}`);
console.log(`cli/node start ratio: ${(median(cliMs) / median(bare)).toFixed(2)}`);
