// The agent's HTTP + WebSocket API over real sockets: token, Host/Origin checks,
// malformed payloads rejected with clear errors and no state change.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAgent, type Agent } from '../../electron/server/api';
import { Core } from '../../electron/core/core';
import { NoGpuSource } from '../../electron/core/gpu/nvidia-reader';
import type { AgentServerMessage as ServerMessage } from '../../shared/wire/agent';
import { tmpDir, waitFor } from '../helpers';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
let core: Core;
let agent: Agent;
let base: string;

beforeAll(async () => {
  core = await Core.create({ dataDir: tmpDir(), gpu: new NoGpuSource('test'), sampleIntervalMs: 200 });
  agent = await startAgent({ core, port: 0, token: TOKEN, staticDir: null });
  base = `http://127.0.0.1:${agent.port}`;
});
afterAll(async () => {
  await agent.close();
  await core.shutdown();
});

async function post(name: string, body: string | object, headers: Record<string, string> = {}) {
  const r = await fetch(`${base}/api/v1/commands/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { data?: any; error?: { code: string; message: string; issues?: string[] } } };
}

/** A raw request, to send Host headers fetch would not let us forge. */
function raw(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: agent.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const profilesOnDisk = async () => ((await post('profiles.list', {})).body.data as { id: string }[]).map((p) => p.id);

describe('agent HTTP API', () => {
  it('answers health without a token and commands with one', async () => {
    expect((await fetch(`${base}/api/v1/health`)).status).toBe(200);
    const r = await post('host.info', {});
    expect(r.status).toBe(200);
    expect(r.body.data.cores).toBeGreaterThan(0);
  });

  it.each([
    ['no token', {}],
    ['wrong token', { authorization: 'Bearer nope' }],
    ['token in the wrong scheme', { authorization: `Basic ${TOKEN}` }],
  ])('refuses %s with 401', async (_what, headers) => {
    const r = await fetch(`${base}/api/v1/commands/host.info`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer/);
  });

  it.each([
    ['a foreign Host (DNS rebinding)', { host: `evil.example:${0}` }, 403],
    ['a foreign Origin', { origin: 'http://evil.example' }, 403],
    ['Origin null', { origin: 'null' }, 403],
  ])('refuses %s', async (_what, headers, status) => {
    const h = { ...headers } as Record<string, string>;
    if (h.host) h.host = `evil.example:${agent.port}`;
    const r = await raw('/api/v1/health', h);
    expect(r.status).toBe(status);
  });

  it('accepts its own Origin', async () => {
    const r = await raw('/api/v1/health', { origin: base, host: `127.0.0.1:${agent.port}` });
    expect(r.status).toBe(200);
  });

  it.each([
    ['not JSON', '{"id": ', 400, 'invalid_payload', /not valid JSON/],
    ['wrong types', { id: 5, name: [], exe: null, args: 'x' }, 400, 'invalid_payload', /Invalid payload for profiles.save/],
    ['extra keys', { id: 'ok', name: 'ok', exe: '/bin/true', args: [], evil: true }, 400, 'invalid_payload', /Unrecognized key/],
    ['a bad placeholder', { id: 'ok', name: 'ok', exe: '/bin/true', args: ['{rm}'] }, 400, 'invalid_payload', /Unknown placeholder "rm"/],
  ])('rejects a malformed profile (%s) and changes nothing', async (_what, body, status, code, message) => {
    const before = await profilesOnDisk();
    const r = await post('profiles.save', body as object);
    expect(r.status).toBe(status);
    expect(r.body.error!.code).toBe(code);
    expect(r.body.error!.message).toMatch(message);
    expect(await profilesOnDisk()).toEqual(before);
  });

  it('rejects oversized bodies with 413 and keeps serving', async () => {
    const r = await post('profiles.save', JSON.stringify({ id: 'big', name: 'x'.repeat(2 * 1024 * 1024) }));
    expect(r.status).toBe(413);
    expect((await post('host.info', {})).status).toBe(200);
  });

  it('rejects unknown commands, unknown routes and wrong methods', async () => {
    expect((await post('rm.rf', {})).status).toBe(404);
    expect((await post('instances.launch', { profileId: 'nope', count: 1 })).body.error!.code).toBe('not_found');
    const g = await fetch(`${base}/api/v1/commands/host.info`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(g.status).toBe(405);
    expect((await post('instances.launch', { profileId: 'demo', count: 1000 })).body.error!.message).toMatch(/count/);
    expect((await post('instances.list', {})).body.data).toEqual([]);
  });

  it('says clearly when the port is taken', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as net.AddressInfo).port;
    await expect(startAgent({ core, port, token: TOKEN, staticDir: null })).rejects.toThrow(new RegExp(`Port ${port} on 127.0.0.1 is already in use.*--port`));
    blocker.close();
  });
});

describe('agent WebSocket', () => {
  const open = (protocols: string[], headers: Record<string, string> = {}) =>
    new Promise<{ ws: WebSocket; messages: ServerMessage[] }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${agent.port}/api/v1/events`, protocols, { headers });
      const messages: ServerMessage[] = [];
      ws.on('message', (d) => messages.push(JSON.parse(String(d))));
      ws.once('open', () => resolve({ ws, messages }));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });

  it('needs the token (subprotocol or header) and its own origin', async () => {
    await expect(open(['streamcap.v1'])).rejects.toThrow(/401/);
    await expect(open(['streamcap.v1', 'streamcap-token.wrong'])).rejects.toThrow(/401/);
    await expect(open(['streamcap.v1', `streamcap-token.${TOKEN}`], { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const { ws } = await open(['streamcap.v1'], { authorization: `Bearer ${TOKEN}` });
    ws.close();
  });

  it('pushes state and samples, answers commands, and rejects malformed messages without dropping the connection', async () => {
    const { ws, messages } = await open(['streamcap.v1', `streamcap-token.${TOKEN}`]);
    await waitFor(() => messages.some((m) => m.type === 'event' && m.event.type === 'sample'), 'a sample event');
    expect(messages.some((m) => m.type === 'event' && m.event.type === 'profiles')).toBe(true);
    const before = await profilesOnDisk();
    for (const bad of [
      'not json',
      '{"type":"invoke"}',
      '{"type":"invoke","id":-1,"name":"x","payload":{}}',
      '{"type":"shutdown"}',
      JSON.stringify({ type: 'invoke', id: 1, name: 'profiles.save', payload: { id: 'BAD ID' } }),
    ])
      ws.send(bad);
    ws.send(JSON.stringify({ type: 'invoke', id: 2, name: 'host.info', payload: {} }));
    const result = await waitFor(() => messages.find((m) => m.type === 'result' && m.id === 2), 'result 2');
    expect(result).toMatchObject({ ok: true });
    const errors = messages.filter((m) => m.type === 'error');
    expect(errors).toHaveLength(4);
    expect(errors.every((e) => e.type === 'error' && e.error.code === 'invalid_payload' && e.error.message.length > 10)).toBe(true);
    const r1 = await waitFor(() => messages.find((m) => m.type === 'result' && m.id === 1), 'result 1');
    expect(r1).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await profilesOnDisk()).toEqual(before);
    ws.close();
  });

  it('closes a connection that sends an oversized frame, and keeps serving others', async () => {
    const { ws } = await open(['streamcap.v1', `streamcap-token.${TOKEN}`]);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('x'.repeat(200 * 1024));
    expect(await closed).toBe(1009);
    expect((await post('host.info', {})).status).toBe(200);
  });
});
