// The CLI's flags under fast-check: known flags with odd values (text, huge and
// negative numbers, unicode, empty, repeated), unknown flags, stray tokens, `--`
// anywhere. Every case must end in a result or a usage message (exit 2), never an
// unexpected error (exit 1). The executable is always one that does not exist, so no
// case launches anything. FUZZ_CLI_RUNS cases per command (`npm run soak` runs more).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oddValue } from '../fuzz/arbitraries';
import { NODE, ROOT, runCli, tmpDir } from '../helpers';

const RUNS = Number(process.env.FUZZ_CLI_RUNS ?? 1000);
const FLAGS: Record<string, string[]> = {
  bandwidth: ['bitrate', 'preset', 'operators', 'spectators', 'overhead', 'uplink', 'headroom', 'sfu', 'json', 'help'],
  launch: ['exe', 'count', 'stagger', 'duration', 'cwd', 'interval', 'grace', 'restart', 'json'],
  probe: [
    'exe',
    'cwd',
    'threshold',
    'cpu-threshold',
    'gpu-threshold',
    'gpu-memory-threshold',
    'memory-threshold',
    'encoder-threshold',
    'sessions',
    'warmup',
    'settle',
    'max',
    'linear',
    'cpu-basis',
    'stagger',
    'interval',
    'json',
    'report',
    'lang',
  ],
};
const MISSING_EXE = '/nonexistent/streamcap-fuzz/Game.exe';

const value = fc.oneof(
  fc.constantFrom(
    '1',
    '0',
    '-1',
    '8',
    '1.5',
    '1e9',
    '1e400',
    '-0',
    '0x10',
    '  3 ',
    '',
    ' ',
    'NaN',
    'Infinity',
    '-Infinity',
    '9007199254740993',
    '720p30',
    '4k30',
    'machine',
    'app',
    'en',
    'zh-CN',
    '/tmp',
    '/tmp/x.html',
    '--',
    '-h',
    '{n}',
  ),
  oddValue.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
  fc.string({ maxLength: 20, unit: 'grapheme' }),
  fc.double().map(String),
  fc.integer().map(String),
);

function argvFor(command: string): fc.Arbitrary<string[]> {
  const flag = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...FLAGS[command]!), value, fc.constantFrom('space', 'equals', 'bare'))
        .map(([f, v, form]) => (form === 'space' ? [`--${f}`, v] : form === 'equals' ? [`--${f}=${v}`] : [`--${f}`])),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => [`--${s}`]) },
    { weight: 1, arbitrary: value.map((v) => [v]) },
    { weight: 1, arbitrary: fc.constant(['--']) },
  );
  // Often a valid command line first, so the fuzzed flags reach past "required".
  const base = command === 'bandwidth' ? ['--bitrate', '8', '--operators', '10', '--spectators', '20'] : ['--exe', MISSING_EXE];
  return fc.tuple(fc.boolean(), fc.array(flag, { maxLength: 8 })).map(([valid, parts]) => {
    const argv = [command, ...(valid ? base : []), ...parts.flat()];
    // Any --exe names a program that does not exist: a valid case ends at "not found".
    for (let k = 1; k < argv.length; k++) {
      if (argv[k] === '--exe' && k + 1 < argv.length) argv[k + 1] = MISSING_EXE;
      if (argv[k]!.startsWith('--exe=')) argv[k] = `--exe=${MISSING_EXE}`;
    }
    return argv;
  });
}

describe('CLI flags', () => {
  it.each(Object.keys(FLAGS))(
    `streamcap %s: ${RUNS} fuzzed argument lists, each a result or a usage message, never an unexpected error`,
    (command) => {
      const cases = fc.sample(argvFor(command), { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261201) });
      const dir = tmpDir();
      const input = path.join(dir, 'cases.json');
      const output = path.join(dir, 'out.json');
      fs.writeFileSync(input, JSON.stringify(cases));
      const r = spawnSync(NODE, ['--import', 'tsx', path.join(ROOT, 'test/cli/fixtures/cli-fuzz-child.ts'), input, output], {
        cwd: ROOT,
        env: { ...process.env, STREAMCAP_HOME: dir, STREAMCAP_NO_GPU: '1' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const outcomes = JSON.parse(fs.readFileSync(output, 'utf8')) as { code: number; message: string }[];
      expect(outcomes).toHaveLength(cases.length);
      const crashes = outcomes.map((o, k) => ({ ...o, argv: cases[k] })).filter((o) => o.code !== 0 && o.code !== 2);
      expect(crashes.slice(0, 5)).toEqual([]);
      const refused = outcomes.filter((o) => o.code === 2);
      // A refusal says what is wrong: a message naming a flag, a value or the executable.
      expect(refused.filter((o) => o.message.trim() === '' && o.message !== 'unknown command')).toEqual([]);
      console.log(`CLI fuzz ${command}: ${cases.length} cases, ${outcomes.length - refused.length} ran, ${refused.length} refused with a message, ${crashes.length} unexpected errors`);
    },
    150_000,
  );

  it('the real binary exits 2 with the message on a sample of the refused cases', async () => {
    const r = await runCli(['bandwidth', '--bitrate', '1e400', '--operators', '1', '--spectators', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bitrate/);
  });
});
