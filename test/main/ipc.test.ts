// The Electron IPC handler, with a real core: sender checks first, then payload
// validation; malformed input comes back as a typed error and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { handleInvoke, isTrustedSender, type SenderFrame } from '../../electron/main/ipc';
import { tmpDir } from '../helpers';
import { internals } from '../core-internals';

let core: Core;
const invoke = (n: string, p: unknown) => core.invoke(n, p);
const ours: SenderFrame = { url: 'streamcap://app/index.html', parent: null };

beforeAll(async () => {
  core = await Core.create({ dataDir: tmpDir(), gpu: new NoGpuSource('test'), autoStart: false });
});
afterAll(() => core.shutdown());

describe('IPC handler', () => {
  it.each([
    [{ url: 'https://evil.example/', parent: null }],
    [{ url: 'file:///etc/passwd', parent: null }],
    [{ url: 'streamcap://app/index.html', parent: {} }], // a sub-frame
    [{ url: 'streamcap://other/index.html', parent: null }],
    [{ url: 'not a url', parent: null }],
    [{ url: 'streamcap://evil@app/index.html', parent: null }], // parses to host "app"
    [{ url: 'streamcap://app:8080/index.html', parent: null }],
    [null],
  ])('refuses sender %j', async (frame) => {
    expect(isTrustedSender(frame as SenderFrame | null)).toBe(false);
    const r = await handleInvoke(invoke, frame as SenderFrame | null, 'profiles.save', { id: 'x', name: 'x', exe: '/bin/true', args: [] });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it.each([
    [42, {}, 'unknown_command'],
    ['x'.repeat(100), {}, 'unknown_command'],
    ['instances.nuke', {}, 'unknown_command'],
    ['instances.launch', { profileId: 'demo', count: -1 }, 'invalid_payload'],
    ['instances.launch', 'launch please', 'invalid_payload'],
    ['profiles.save', { id: 'x', name: 'x', exe: '/bin/true', args: [1, 2] }, 'invalid_payload'],
    ['profiles.delete', { id: 'missing' }, 'not_found'],
    ['orphans.resolve', { action: 'explode' }, 'invalid_payload'],
  ])('rejects %s %j with %s, nothing changed', async (name, payload, code) => {
    const before = JSON.stringify([internals(core).profiles.list(), internals(core).supervisor.list()]);
    const r = await handleInvoke(invoke, ours, name, payload);
    expect(r).toMatchObject({ ok: false, error: { code } });
    if (!r.ok) expect(r.error.message.length).toBeGreaterThan(10);
    expect(JSON.stringify([internals(core).profiles.list(), internals(core).supervisor.list()])).toBe(before);
  });

  it('runs valid commands from our own page', async () => {
    const r = await handleInvoke(invoke, ours, 'profiles.list', {});
    expect(r.ok).toBe(true);
  });
});
