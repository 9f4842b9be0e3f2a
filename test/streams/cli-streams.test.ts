// The CLI door for streams: `streamcap launch --signalling … --streamer-id … --viewers 1
// --json` against a real Wilbur and JSStreamers, as a script would run it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tmpDir } from '../helpers';
import { CHROMIUM, jsStreamerArgs, requireStack, serveJsStreamer, startWilbur, type Wilbur } from '../pixel-streaming';

const HAVE = requireStack();
const d = HAVE ? describe : describe.skip;
let wilbur: Wilbur;
let pages: Awaited<ReturnType<typeof serveJsStreamer>>;

beforeAll(async () => {
  if (!HAVE) return;
  wilbur = await startWilbur();
  pages = await serveJsStreamer();
});
afterAll(async () => {
  await pages?.close();
  await wilbur?.stop();
});

d('streamcap launch with stream settings', () => {
  it('adds the documented "stream" object to each instance line, or "stream": null with the reason', async () => {
    const r = await runCli(
      [
        'launch',
        '--exe',
        CHROMIUM,
        '--count',
        '2',
        '--stagger',
        '0.5',
        '--duration',
        '24',
        '--json',
        '--signalling',
        wilbur.playerWs,
        '--streamer-id',
        'stream{n}',
        '--viewers',
        '1',
        '--',
        ...jsStreamerArgs(pages.url, wilbur, tmpDir('sc-cli-js-')),
      ],
      90_000,
    );
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { instances: { n: number; stream?: Record<string, unknown> | null; streamNotMeasured?: string }[]; viewers?: { count: number } });
    // Before the first frames: null, with a reason in words.
    const early = lines.flatMap((l) => l.instances).find((i) => i.stream === null);
    expect(early?.streamNotMeasured).toMatch(/\w+/);
    // Then measured, in the documented shape, for both instances.
    for (const n of [1, 2]) {
      const got = lines.flatMap((l) => l.instances).filter((i) => i.n === n && i.stream);
      expect(got.length).toBeGreaterThan(3);
      const s = got.at(-1)!.stream!;
      expect(Object.keys(s).sort()).toEqual(['fps', 'freezeSec', 'freezes', 'height', 'mbps', 'packetsLost', 'rttMs', 'width']);
      expect(s.fps).toBeGreaterThan(5);
      expect(s.mbps).toBeGreaterThan(0);
      expect([s.width, s.height]).toEqual([640, 360]);
      expect(Number.isInteger(s.freezes)).toBe(true);
    }
    expect(lines.at(-1)!.viewers?.count).toBe(2);
  }, 120_000);

  it('refuses stream flags that make no sense, saying what to fix', async () => {
    const a = await runCli(['launch', '--exe', CHROMIUM, '--viewers', '1']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--viewers and --streamer-id need --signalling URL/);
    const b = await runCli(['launch', '--exe', CHROMIUM, '--signalling', 'http://127.0.0.1:80']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--signalling: the signalling URL starts with ws:\/\/ or wss:\/\//);
  });
});
