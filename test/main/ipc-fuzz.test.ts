// Property-based fuzzing of the Electron IPC door, through the same registration
// Electron main uses (registerIpc) on a stand-in of ipcMain with Electron's shape:
// handle(channel, listener), one handler per channel, the listener called with an
// IpcMainInvokeEvent (type, processId, frameId, sender, senderFrame) and the renderer's
// arguments. A real core behind it (real files, real processes for launches).
// Asserted for every case: nothing thrown out of the handler (Electron would hand the
// renderer a bare rejection), the answer survives the structured clone IPC applies,
// every refusal is an ApiError result (known code, a message), no "internal" error, the
// state unchanged on a refusal; from any sender but our page's main frame, a refusal
// ("forbidden") without the core being asked at all.
// Time-bounded: FUZZ_API_MS for each of the two properties (6 s by default; `npm run soak` runs more).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ERROR_CODES, commandInputs, type ApiErrorCode } from '../../shared/contract';
import { IPC_INVOKE, type IpcResult } from '../../shared/wire/ipc';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { APP_ORIGIN, asViewerReport, isViewerSender, registerIpc, type IpcMainLike, type InvokeEventLike, type SenderFrame } from '../../electron/main/ipc';
import { fromZod, harmless, mutate, oddValue } from '../fuzz/arbitraries';
import { NODE, tmpDir } from '../helpers';

const BUDGET_MS = Number(process.env.FUZZ_API_MS ?? 6000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const NAMES = Object.keys(commandInputs) as (keyof typeof commandInputs)[];
const CODES = new Set<ApiErrorCode>(API_ERROR_CODES);

/** ipcMain as Electron has it, for what registerIpc uses: handle() keeps one listener per channel and refuses a second. */
class IpcMainStandIn implements IpcMainLike {
  private handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  channels(): string[] {
    return [...this.handlers.keys()];
  }
  /** What ipcRenderer.invoke(channel, ...args) makes Electron do in the main process. */
  async invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h(event, ...args);
  }
}

/** A WebFrameMain as Electron reports it (url, origin, parent, top…). */
function frameOf(url: string, parent: unknown = null): SenderFrame & Record<string, unknown> {
  let origin = 'null';
  try {
    origin = new URL(url).origin;
  } catch {
    /* an unparseable URL has an opaque origin */
  }
  const f: SenderFrame & Record<string, unknown> = { url, origin, parent, name: '', osProcessId: 4242, processId: 4, routingId: 1, frameTreeNodeId: parent ? 2 : 1, visibilityState: 'visible' };
  f.top = parent ?? f;
  return f;
}
/** An IpcMainInvokeEvent with that sender frame; `frame` may be a getter that throws (a destroyed frame). */
function eventFrom(frame: SenderFrame | null | (() => never)): InvokeEventLike {
  const e: Record<string, unknown> = { type: 'frame', processId: 4, frameId: 1, sender: { id: 1, getURL: () => `${APP_ORIGIN}/index.html` }, defaultPrevented: false, preventDefault() {} };
  if (typeof frame === 'function') Object.defineProperty(e, 'senderFrame', { get: frame, enumerable: true });
  else e.senderFrame = frame;
  return e as unknown as InvokeEventLike;
}
const OURS = frameOf(`${APP_ORIGIN}/index.html`);

/** A frame for a message, which may itself throw (a disposed one). */
function frameName(f: SenderFrame | null | (() => never)): string {
  if (typeof f === 'function') return 'an event whose senderFrame throws';
  try {
    return f ? `${JSON.stringify(f.url)}${f.parent ? ' (a sub-frame)' : ''}` : 'no frame';
  } catch {
    return 'a disposed frame';
  }
}

const untrustedFrame: fc.Arbitrary<SenderFrame | null | (() => never)> = fc.oneof(
  fc.constant(null),
  fc.constant(() => {
    throw new Error('Render frame was disposed before WebFrameMain could be accessed');
  }),
  // A WebFrameMain disposed after the event was made: Electron throws on every property read.
  fc.constantFrom('url', 'parent').map((k) => {
    const f = frameOf(`${APP_ORIGIN}/index.html`);
    Object.defineProperty(f, k, {
      get() {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    });
    return f;
  }),
  // Our page inside a frame of another page, or a frame inside ours.
  fc.constantFrom(`${APP_ORIGIN}/index.html`, `${APP_ORIGIN}/`).map((u) => frameOf(u, frameOf('https://evil.example/'))),
  fc
    .constantFrom(
      'https://evil.example/',
      'http://127.0.0.1:7420/',
      'file:///etc/passwd',
      'about:blank',
      'data:text/html,<script>1</script>',
      'devtools://devtools/bundled/inspector.html',
      'streamcap://viewer/viewer.html',
      'streamcap://app.evil/index.html',
      'streamcap://evil@app/index.html',
      'streamcap://appx/',
      'streamcap:/app/index.html',
      'streamcap:app',
      'STREAMCAP://APP/index.html', // Electron lowercases a standard scheme; our check does not guess
      'streamcap://app:80/index.html',
      'chrome-extension://app/',
      'javascript:alert(1)',
      '',
      'not a url',
    )
    .map((u) => frameOf(u)),
  fc.webUrl().map((u) => frameOf(u)),
  fc.string({ maxLength: 40 }).map((u) => frameOf(u)),
);

const commandName: fc.Arbitrary<unknown> = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.string({ maxLength: 70 }) }, { weight: 1, arbitrary: oddValue });
const payloadFor = (name: unknown): fc.Arbitrary<unknown> =>
  typeof name === 'string' && Object.hasOwn(commandInputs, name) ? mutate(fromZod(commandInputs[name as keyof typeof commandInputs])).map((p) => harmless(name, p)) : oddValue;
/** The renderer's arguments: (name, payload) as the preload sends them, or anything a compromised renderer could send. */
const args: fc.Arbitrary<unknown[]> = fc.oneof(
  { weight: 8, arbitrary: commandName.chain((n) => payloadFor(n).map((p) => [n, p])) },
  { weight: 1, arbitrary: fc.array(oddValue, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NAMES), oddValue, oddValue).map((a) => [...a]) },
);

let core: Core;
let ipc: IpcMainStandIn;
/** Every call the door made to the core. */
const calls: string[] = [];
const tally: Record<string, { cases: number; accepted: number; refused: number; byCode: Record<string, number> }> = {};
const known = { profile: 'fz-exits' };

async function q(name: string, payload: unknown = {}): Promise<unknown> {
  return core.invoke(name, payload);
}
/** Everything a refused call must leave as it was. */
async function fingerprint(): Promise<string> {
  const [profiles, admission, instances, probe, history, orphans] = await Promise.all(
    ['profiles.list', 'admission.get', 'instances.list', 'probe.status', 'probe.history', 'orphans.list'].map((n) => q(n)),
  );
  const a = admission as { config: unknown; seats: unknown; queue: unknown; simulation: { running: boolean } };
  return JSON.stringify({
    profiles,
    config: a.config,
    seats: a.seats,
    queue: a.queue,
    simulating: a.simulation.running,
    instances: (instances as { id: string; state: string }[]).map((i) => [i.id, i.state]),
    probe: (probe as { run?: { state: string } } | null)?.run?.state ?? null,
    history: (history as { id: string }[]).map((h) => h.id),
    orphans,
  });
}
/** After an accepted command: nothing left running that would change the state between cases. */
async function settle(): Promise<void> {
  await q('probe.cancel');
  await q('instances.stopAll');
  await q('instances.clearExited');
  await q('admission.simulate', { running: false });
  await q('admission.set', { heartbeatTimeoutSec: 3600 });
}
/** The state once it stops moving (a cancelled probe's run reaches the history a moment after the answer). */
async function steady(): Promise<string> {
  let last = await fingerprint();
  for (const end = Date.now() + 5000; Date.now() < end;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await fingerprint();
    if (now === last) return now;
    last = now;
  }
  throw new Error(`the state kept changing after an accepted command: ${last.slice(0, 500)}`);
}

const show = (v: unknown) => {
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 300 ? s.slice(0, 300) + '…' : s;
  } catch {
    return String(v);
  }
};

/** One call through the stand-in; what is wrong with its answer, if anything. */
async function call(event: InvokeEventLike, a: unknown[]): Promise<{ r: IpcResult | null; fault: string | null }> {
  let r: unknown;
  try {
    r = await ipc.invoke(IPC_INVOKE, event, ...a);
  } catch (e) {
    return { r: null, fault: `threw out of the handler: ${(e as Error)?.stack ?? e}` };
  }
  try {
    structuredClone(r);
  } catch (e) {
    return { r: null, fault: `answer cannot cross IPC (structured clone): ${(e as Error).message}` };
  }
  const res = r as IpcResult;
  if (!res || typeof res !== 'object' || typeof res.ok !== 'boolean') return { r: null, fault: `not an IpcResult: ${show(r)}` };
  if (!res.ok) {
    const err = res.error as { code?: unknown; message?: unknown } | undefined;
    if (!err || !CODES.has(err.code as ApiErrorCode) || typeof err.message !== 'string' || err.message.length < 5) return { r: res, fault: `refusal is not an ApiError: ${show(res)}` };
    if (err.code === 'internal') return { r: res, fault: `internal error: ${err.message}` };
  }
  return { r: res, fault: null };
}

beforeAll(async () => {
  core = await Core.create({ dataDir: tmpDir('sc-ipcfuzz-'), gpu: new NoGpuSource('test'), autoStart: false });
  ipc = new IpcMainStandIn();
  registerIpc(ipc, (n, p) => {
    calls.push(n);
    return core.invoke(n, p);
  });
  // Real ids for the fuzz to reach past "not found": a profile (a program that ends at once), people in line.
  await q('profiles.save', { id: known.profile, name: 'Ends at once', exe: NODE, args: ['-e', 'process.exit(3)'], staggerSec: 2 });
  await q('admission.set', { seatsFrom: 'manual', seats: 1, heartbeatTimeoutSec: 3600 });
  for (let k = 0; k < 4; k++) await q('sessions.join', { person: { name: `Line ${k}`, want: 'any' } });
});
afterAll(async () => {
  console.log(
    `IPC fuzz cases: ${Object.entries(tally)
      .map(
        ([k, t]) =>
          `${k} ${t.cases} (${t.accepted} accepted, ${t.refused} refused: ${Object.entries(t.byCode)
            .map(([c, n]) => `${c} ${n}`)
            .join(', ')})`,
      )
      .join('; ')}`,
  );
  await core?.shutdown();
});

describe('Electron IPC handler, fuzzed through registerIpc on an ipcMain stand-in', () => {
  it('registers one handler, on the invoke channel; a second registration is refused as Electron refuses it', () => {
    expect(ipc.channels()).toEqual([IPC_INVOKE]);
    expect(() => registerIpc(ipc, async () => null)).toThrow(/second handler/);
  });

  it('answers a valid call from our page, and the answer crosses IPC', async () => {
    const { r, fault } = await call(eventFrom(OURS), ['profiles.list', {}]);
    expect(fault).toBeNull();
    expect(r).toMatchObject({ ok: true });
    expect((r as { data: { id: string }[] }).data.map((p) => p.id)).toContain(known.profile);
  });

  it(
    `our page, every command: ${BUDGET_MS / 1000} s of schema-drawn and mutated arguments: nothing thrown, ApiError refusals, nothing changed by a refusal`,
    async () => {
      const t = (tally['trusted sender'] = { cases: 0, accepted: 0, refused: 0, byCode: {} as Record<string, number> });
      const faults: string[] = [];
      const changed: string[] = [];
      let baseline = await fingerprint();
      const end = Date.now() + BUDGET_MS;
      for (let round = 0; Date.now() < end; round++) {
        for (let a of fc.sample(args, { numRuns: 25, seed: SEED + round })) {
          // A third of the payloads name the real profile, so launches and probes get past "not found".
          if (round % 3 === 0 && a[1] && typeof a[1] === 'object' && !Array.isArray(a[1]) && 'profileId' in (a[1] as object))
            a = [a[0], { ...(a[1] as object), profileId: known.profile }, ...a.slice(2)];
          const { r, fault } = await call(eventFrom(OURS), a);
          t.cases++;
          if (fault) faults.push(`${fault} for ${show(a)}`);
          if (r?.ok) {
            t.accepted++;
            await settle();
            baseline = await steady();
          } else {
            t.refused++;
            if (r && !r.ok) t.byCode[r.error.code] = (t.byCode[r.error.code] ?? 0) + 1;
            const now = await fingerprint();
            if (now !== baseline) {
              changed.push(`${show(a)} changed the state: ${baseline.slice(0, 300)} → ${now.slice(0, 300)}`);
              baseline = now;
            }
          }
        }
      }
      expect(faults.slice(0, 10)).toEqual([]);
      expect(changed.slice(0, 10)).toEqual([]);
      expect(t.cases).toBeGreaterThan(50);
      // The fuzz reached past the schema: some calls were accepted, some refused for more than their payload.
      expect(t.accepted).toBeGreaterThan(0);
      expect(Object.keys(t.byCode).length).toBeGreaterThan(2);
    },
    BUDGET_MS + 120_000,
  );

  it(
    `any other sender: ${BUDGET_MS / 1000} s of frames and calls: refused as forbidden, the core never asked, nothing changed`,
    async () => {
      const t = (tally['untrusted sender'] = { cases: 0, accepted: 0, refused: 0, byCode: {} as Record<string, number> });
      const faults: string[] = [];
      const baseline = await fingerprint();
      const before = calls.length;
      const end = Date.now() + BUDGET_MS;
      for (let round = 0; Date.now() < end; round++) {
        for (const [frame, a] of fc.sample(fc.tuple(untrustedFrame, args), { numRuns: 50, seed: SEED + 7919 * (round + 1) })) {
          const { r, fault } = await call(eventFrom(frame), a);
          t.cases++;
          if (fault) faults.push(`${fault} from ${frameName(frame)}`);
          else if (r?.ok !== false || r.error.code !== 'forbidden') faults.push(`not refused as forbidden: ${show(r)} from ${frameName(frame)}`);
          if (r?.ok) t.accepted++;
          else {
            t.refused++;
            if (r) t.byCode[r.error.code] = (t.byCode[r.error.code] ?? 0) + 1;
          }
        }
      }
      expect(faults.slice(0, 10)).toEqual([]);
      expect(calls.length).toBe(before);
      expect(await fingerprint()).toBe(baseline);
      expect(t.cases).toBeGreaterThan(100);
    },
    BUDGET_MS + 60_000,
  );

  it('the viewer-report channel: every report the viewer page sends is kept; anything else is dropped, never thrown on', () => {
    const n = fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true });
    const orNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
    // What renderer/viewer/viewer.ts sends (ViewerStats).
    const stats = fc.record({
      fps: n,
      mbps: n,
      width: orNull(fc.nat()),
      height: orNull(fc.nat()),
      freezes: fc.nat(),
      freezeSec: n,
      packetsLost: fc.nat(),
      jitterMs: orNull(n),
      rttMs: orNull(n),
      decodeMs: orNull(n),
      qp: orNull(n),
      codec: orNull(fc.constantFrom('H264', 'VP8', 'VP9', 'AV1')),
      framesReceived: fc.nat(),
      bytesReceived: fc.nat(),
      at: fc.nat(),
    });
    const sent = fc.oneof(
      stats.map((s) => ({ type: 'stats', stats: s })),
      fc
        .record({ type: fc.constant('state'), state: fc.constantFrom('connecting', 'streaming', 'failed'), reason: fc.option(fc.string(), { nil: undefined }) })
        .map((r) => JSON.parse(JSON.stringify(r))),
    );
    fc.assert(
      fc.property(sent, (r) => asViewerReport(r) !== null),
      { seed: SEED, numRuns: 2000 },
    );
    // Mutated: every accepted one still has the figures the core computes with.
    fc.assert(
      fc.property(
        fc.oneof(
          mutate(sent),
          sent.chain((r) => ('stats' in r ? mutate(fc.constant(r.stats)).map((st) => ({ ...r, stats: st })) : fc.constant(r))),
          oddValue,
        ),
        (r) => {
          const v = asViewerReport(r);
          if (v === null) return true;
          if (v.type === 'state') return ['connecting', 'streaming', 'failed'].includes(v.state) && (v.reason === undefined || typeof v.reason === 'string');
          return [v.stats.fps, v.stats.mbps, v.stats.framesReceived, v.stats.bytesReceived, v.stats.at].every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0);
        },
      ),
      { seed: SEED, numRuns: 5000 },
    );
    expect(asViewerReport({ type: 'stats' })).toBeNull(); // the core would read stats.mbps of undefined
    expect(asViewerReport({ type: 'stats', stats: { fps: NaN, mbps: 1, framesReceived: 0, bytesReceived: 0, at: 0 } })).toBeNull();
  });

  it("the viewer-report channel's sender check: only a viewer window's main frame", () => {
    expect(isViewerSender(frameOf('streamcap://viewer/viewer.html?ss=x'))).toBe(true);
    fc.assert(
      fc.property(untrustedFrame, (f) => {
        if (typeof f === 'function') return true;
        const ok = isViewerSender(f);
        let url: string;
        let parent: unknown;
        try {
          url = f?.url ?? '';
          parent = f?.parent;
        } catch {
          return ok === false; // a disposed frame
        }
        return ok === (f !== null && !parent && /^streamcap:\/\/viewer(\/|$)/.test(url) && new URL(url).host === 'viewer');
      }),
      { seed: SEED, numRuns: 2000 },
    );
    expect(isViewerSender(frameOf('streamcap://viewer/viewer.html', frameOf(`${APP_ORIGIN}/index.html`)))).toBe(false);
    expect(isViewerSender(frameOf(`${APP_ORIGIN}/index.html`))).toBe(false);
  });
});
