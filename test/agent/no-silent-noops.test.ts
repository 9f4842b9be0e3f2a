// No command answers 200 and does nothing: a setting that would be stored and have
// no effect is refused with what to send instead, and nothing changes. Over the
// agent's real HTTP API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../electron/server/api';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import type { AdmissionSnapshot } from '../../shared/admission-rules';
import { profile, tmpDir } from '../helpers';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
let core: Core;
let agent: Agent;

beforeAll(async () => {
  core = await Core.create({ dataDir: tmpDir(), gpu: new NoGpuSource('test'), autoStart: false, admission: { wilbur: false } });
  agent = await startAgent({ core, port: 0, token: TOKEN, staticDir: null });
});
afterAll(async () => {
  await agent.close();
  await core.shutdown();
});

async function api(method: string, route: string, body?: unknown) {
  const r = await fetch(`http://127.0.0.1:${agent.port}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { data?: any; error?: { code: string; message: string; issues?: string[] } } };
}
const config = async () => ((await api('GET', '/admission')).body.data as AdmissionSnapshot).config;

describe('admission settings', () => {
  it.each(['instances', 'probe'] as const)('refuses a seat count while seats come from %s, and changes nothing', async (from) => {
    expect((await api('PUT', '/admission', { seatsFrom: from })).status).toBe(200);
    const before = await config();
    const r = await api('PUT', '/admission', { seats: 3 });
    expect(r.status).toBe(409);
    expect(r.body.error!.message).toMatch(/"seatsFrom": "manual"/);
    expect(r.body.error!.issues![0]).toMatch(/^seats: /); // shown at the field in the console
    expect(await config()).toEqual(before);
    // Together with another change: still refused whole, nothing applied.
    expect((await api('PUT', '/admission', { seats: 3, uplinkMbps: 123 })).status).toBe(409);
    expect(await config()).toEqual(before);
    // Switching away from manual while giving a count: refused too.
    expect((await api('PUT', '/admission', { seatsFrom: 'manual', seats: 2 })).status).toBe(200);
    expect((await api('PUT', '/admission', { seatsFrom: from, seats: 5 })).status).toBe(409);
    expect((await config()).seatsFrom).toBe('manual');
  });

  it('accepts seats together with "seatsFrom": "manual", and they take effect', async () => {
    await api('PUT', '/admission', { seatsFrom: 'instances' });
    const r = await api('PUT', '/admission', { seatsFrom: 'manual', seats: 3 });
    expect(r.status).toBe(200);
    expect((r.body.data as AdmissionSnapshot).seats.map((s) => s.instance)).toEqual([1, 2, 3]);
    expect((await api('PUT', '/admission', { seats: 1 })).status).toBe(200); // already manual
    expect((await config()).seats).toBe(1);
  });
});

describe('probe commands', () => {
  it('refuses a window cap below the settle window instead of raising it silently; no probe starts', async () => {
    const r = await api('POST', '/commands/probe.start', { profileId: 'demo', settleSec: 10, maxSettleSec: 5 });
    expect(r.status).toBe(400);
    expect(r.body.error!.issues).toEqual([expect.stringMatching(/^maxSettleSec: at least settleSec \(10 s\)/)]);
    expect((await api('POST', '/commands/probe.status', {})).body.data).toBeNull();
    expect(await core.run('instances.list', {})).toEqual([]);
  });

  it('refuses a comparison run with a JSON or CSV export (only the HTML report compares)', async () => {
    for (const format of ['json', 'csv']) {
      const r = await api('POST', '/commands/probe.export', { id: 'x', compareId: 'y', format });
      expect(r.status).toBe(400);
      expect(r.body.error!.message).toMatch(/compareId: a comparison is an HTML report/);
    }
  });
});

describe('profile commands', () => {
  it('refuses builtin: true (it would be dropped on save) and saves nothing', async () => {
    const r = await api('POST', '/commands/profiles.save', { ...profile({ id: 'mine' }), builtin: true });
    expect(r.status).toBe(400);
    expect(r.body.error!.message).toMatch(/builtin: .*leave it out/);
    expect(((await api('POST', '/commands/profiles.list', {})).body.data as { id: string }[]).map((p) => p.id)).toEqual(['demo']);
    expect((await api('POST', '/commands/profiles.save', profile({ id: 'mine' }))).status).toBe(200);
  });
});
