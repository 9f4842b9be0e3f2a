// A fleet member's console in place, in the desktop app, end to end without Electron:
// the renderer's ElectronMemberTransport → the preload's API (makePreloadApi, on a
// stand-in ipcRenderer) → the main-process relay (registerMemberRelay, on a stand-in
// ipcMain) → a real core with the member in its servers list → a real member agent, a
// process of its own on a loopback port. What is asserted: commands reach the member and
// change its state; its events arrive; its refusals come back as its own; a foreign
// sender is refused without the member being asked; a member killed shows as closed and
// its console comes back by itself when the member does; a closed window closes its sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../shared/contract';
import type { IpcResult } from '../../shared/wire/ipc';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { APP_ORIGIN, type InvokeEventLike, type IpcMainLike, type SenderFrame, type WebContentsLike } from '../../electron/main/ipc';
import { registerMemberRelay, type MemberRelay } from '../../electron/main/member-relay';
import { makePreloadApi, type IpcRendererLike } from '../../electron/main/preload-api';
import { ElectronMemberTransport } from '../../renderer/src/transport/electron';
import type { ConnectionState } from '../../renderer/src/transport/types';
import { adminCall, startMember, stop, type Member } from '../fleet/fleet-fixture';
import { tmpDir, waitFor } from '../helpers';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** One window: its page (WebContents) and the preload's ipcRenderer, wired to the handlers main registered. */
class Window implements WebContentsLike, IpcRendererLike {
  private static ids = 1;
  readonly id = Window.ids++;
  private destroyed = false;
  private readonly onDestroyed: (() => void)[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();
  constructor(
    private readonly main: Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>,
    private readonly frame: SenderFrame = { url: `${APP_ORIGIN}/index.html?server=render-01`, parent: null },
  ) {}
  // WebContents, as main sees it
  send(channel: string, message: unknown): void {
    // Electron delivers webContents.send asynchronously, structured-cloned.
    const copy = structuredClone(message);
    setImmediate(() => this.listeners.get(channel)?.forEach((l) => l({}, copy)));
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  once(_event: 'destroyed', listener: () => void): void {
    this.onDestroyed.push(listener);
  }
  destroy(): void {
    this.destroyed = true;
    this.onDestroyed.splice(0).forEach((l) => l());
  }
  // ipcRenderer, as the preload sees it
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.main.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return structuredClone(await h({ senderFrame: this.frame, sender: this }, ...structuredClone(args)));
  }
  on(channel: string, listener: Listener): void {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
  }
  removeListener(channel: string, listener: Listener): void {
    this.listeners.get(channel)?.delete(listener);
  }
}

const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
const ipcMain: IpcMainLike = {
  handle(channel, listener) {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, listener);
  },
};

let member: Member;
let core: Core;
let relay: MemberRelay;

beforeAll(async () => {
  member = await startMember('render-01', { seats: 4 });
  core = await Core.create({ dataDir: tmpDir(), gpu: new NoGpuSource('test'), autoStart: false });
  await core.run('fleet.add', { link: `${member.url}/#token=${member.child.token}`, name: 'render-01' });
  relay = registerMemberRelay(ipcMain, (name) => core.fleetMember(name));
}, 60_000);

afterAll(async () => {
  relay?.close();
  await core?.shutdown();
  if (member) await stop(member.child);
});

function consoleOf(win: Window, name = 'render-01') {
  const transport = new ElectronMemberTransport(makePreloadApi(win, 'en'), name);
  const states: ConnectionState[] = [];
  const events: AppEvent[] = [];
  const unsubscribe = transport.subscribe(
    (e) => events.push(e),
    (s) => states.push(s),
  );
  return { transport, states, events, unsubscribe };
}

describe('a fleet member’s console in place, in the desktop app', () => {
  it('commands go to the member and change its state; its events arrive', async () => {
    const win = new Window(handlers);
    const c = consoleOf(win);
    await waitFor(() => c.states.includes('open') && c.events.length > 0, 'the member’s socket open and its first events in', 10_000);
    expect(relay.open).toBe(1);
    const info = await c.transport.invoke('host.info', {});
    const direct = await adminCall<{ hostname: string; version: string }>(member.child.admin, member.child.token, 'host.info');
    expect(info).toMatchObject({ hostname: direct.data.hostname, version: direct.data.version });
    // A change made through the relay is the member's: its own admin API says so.
    const before = await adminCall<{ config: { seats: number } }>(member.child.admin, member.child.token, 'admission.get');
    expect(before.data.config.seats).toBe(4);
    await c.transport.submit('admission.set', { seats: 6 });
    const after = await adminCall<{ config: { seats: number } }>(member.child.admin, member.child.token, 'admission.get');
    expect(after.data.config.seats).toBe(6);
    // …and the member's admission event reaches this console.
    await waitFor(() => c.events.some((e) => e.type === 'admission' && e.data.config.seats === 6), 'the member’s admission event with 6 seats', 5000);
    await c.transport.submit('admission.set', { seats: 4 });
    c.unsubscribe();
    await waitFor(() => relay.open === 0, 'the watch closed when the console unsubscribed', 3000);
  });

  it('the member’s refusals come back as its own; an unknown server is not_found', async () => {
    const win = new Window(handlers);
    const t = new ElectronMemberTransport(makePreloadApi(win, 'en'), 'render-01');
    await expect(t.submit('instances.launch', { profileId: 'demo', count: -1 })).rejects.toMatchObject({ code: 'invalid_payload', message: expect.stringContaining('render-01') });
    const ghost = new ElectronMemberTransport(makePreloadApi(win, 'en'), 'render-99');
    await expect(ghost.invoke('host.info', {})).rejects.toMatchObject({ code: 'not_found' });
    const c = consoleOf(win, 'render-99');
    await waitFor(() => c.states.includes('closed'), 'a watch of an unknown server reported closed', 3000);
    c.unsubscribe();
  });

  it('a foreign sender is refused without the member being asked', async () => {
    for (const frame of [
      { url: 'https://evil.example/', parent: null },
      { url: `${APP_ORIGIN}/index.html`, parent: {} },
    ]) {
      const win = new Window(handlers, frame);
      const r = (await win.invoke('streamcap:member-invoke', 'render-01', 'admission.set', { seats: 1 })) as IpcResult;
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const w = (await win.invoke('streamcap:member-watch', 'render-01', 1)) as IpcResult;
      expect(w).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(relay.open).toBe(0);
    const seats = await adminCall<{ config: { seats: number } }>(member.child.admin, member.child.token, 'admission.get');
    expect(seats.data.config.seats).toBe(4);
  });

  it('a member killed shows as closed; restarted on its address, its console comes back by itself', async () => {
    const win = new Window(handlers);
    const c = consoleOf(win);
    await waitFor(() => c.states.includes('open'), 'open', 10_000);
    const port = member.child.admin;
    const t0 = Date.now();
    member.child.proc.kill('SIGKILL');
    await waitFor(() => c.states.at(-1) === 'closed' || (c.states.includes('closed') && c.states.at(-1) === 'connecting'), 'the console shows the member closed', 5000);
    console.log(`member killed → console closed: ${Date.now() - t0} ms`);
    member = await startMember('render-01', { seats: 4 }, member.dir, port);
    const n = c.events.length;
    await waitFor(() => c.states.at(-1) === 'open' && c.events.length > n, 'the console open again with the member’s events', 20_000);
    expect(await c.transport.invoke('host.info', {})).toMatchObject({ version: expect.any(String) });
    // Closing the window ends its watches.
    win.destroy();
    await waitFor(() => relay.open === 0, 'the destroyed window’s watch closed', 3000);
    c.unsubscribe();
  }, 60_000);
});
