// Concurrent writes keep every change: parallel profile saves and deletes over the
// agent's real HTTP API, each answered 200, all of them on disk afterwards.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../electron/server/api';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import { ProfileStore } from '../../electron/core/profiles';
import { profile, tmpDir } from '../helpers';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
let core: Core;
let agent: Agent;
let dataDir: string;

beforeAll(async () => {
  dataDir = tmpDir();
  core = await Core.create({ dataDir, gpu: new NoGpuSource('test'), autoStart: false, admission: { wilbur: false } });
  agent = await startAgent({ core, port: 0, token: TOKEN, staticDir: null });
});
afterAll(async () => {
  await agent.close();
  await core.shutdown();
});

const command = (name: string, body: unknown) =>
  fetch(`http://127.0.0.1:${agent.port}/api/v1/commands/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: any } }));

const onDisk = () => (JSON.parse(fs.readFileSync(path.join(dataDir, 'profiles.json'), 'utf8')) as { id: string }[]).map((p) => p.id).sort();

describe('parallel profile saves over HTTP', () => {
  it('20 parallel saves give 20 profiles, in memory, on disk and after a restart', async () => {
    const ids = Array.from({ length: 20 }, (_, k) => `p-${String(k).padStart(2, '0')}`);
    const answers = await Promise.all(ids.map((id) => command('profiles.save', profile({ id, name: `Profile ${id}` }))));
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 200));
    const listed = ((await command('profiles.list', {})).body.data as { id: string }[]).map((p) => p.id).filter((id) => id !== 'demo');
    expect(listed.sort()).toEqual(ids);
    expect(onDisk()).toEqual(ids);
    expect(
      new ProfileStore(dataDir)
        .list()
        .filter((p) => !p.builtin)
        .map((p) => p.id)
        .sort(),
    ).toEqual(ids);
    // The backup is a whole, earlier version.
    expect(Array.isArray(JSON.parse(fs.readFileSync(path.join(dataDir, 'profiles.json.bak'), 'utf8')))).toBe(true);
  });

  it('parallel saves and deletes mixed: every one applied', async () => {
    const del = Array.from({ length: 10 }, (_, k) => `p-${String(k).padStart(2, '0')}`);
    const add = Array.from({ length: 10 }, (_, k) => `q-${k}`);
    const answers = await Promise.all([...del.map((id) => command('profiles.delete', { id })), ...add.map((id) => command('profiles.save', profile({ id })))]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const expected = [...Array.from({ length: 10 }, (_, k) => `p-${String(k + 10).padStart(2, '0')}`), ...add].sort();
    expect(onDisk()).toEqual(expected);
    // A second delete of the same profile, in parallel with the first: one wins, one is told it is gone.
    const twice = await Promise.all([command('profiles.delete', { id: 'q-0' }), command('profiles.delete', { id: 'q-0' })]);
    expect(twice.map((a) => a.status).sort()).toEqual([200, 404]);
  });
});
