// GET /metrics: the Prometheus text of a real agent, checked by promtool, then scraped
// by a real Prometheus (Debian's package; .ci/run installs it) with the README's scrape
// job from two real agent processes, and every query of the Grafana dashboard run on it.
// Loopback only; every wait is a bounded poll, everything started is stopped.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../electron/server/api';
import { loadOrCreateToken, METRICS_TOKEN_FILE } from '../../electron/server/security';
import { Core } from '../../electron/core/core';
import type { GpuSource } from '../../electron/core/gpu/source';
import { createMetrics, type MetricsSource } from '../../electron/core/metrics';
import type { AdmissionCounts, AdmissionEvent } from '../../electron/core/admission/service';
import { ProbeRunner, type ProbeRunnerDeps } from '../../electron/core/probe-runner';
import type { AppEvent, GpuDevice, InstanceSample, Snapshot } from '../../shared/contract';
import { PROBE_FORMAT } from '../../shared/probe';
import { have, nextLine, NODE, profile, ROOT, tmpDir, waitFor } from '../helpers';

const TOKEN = 'admin-token-0123456789abcdefghijklmnopqrstuvwxyz';
const METRICS_TOKEN = 'metrics-token-0123456789abcdefghijklmnopqrstuv';

function need(cmd: string): void {
  if (!have(cmd)) throw new Error(`${cmd} is not installed: run "apt-get install -y prometheus" (Debian's package has prometheus and promtool; .ci/run installs it).`);
}

/** One series' value from Prometheus text, or null when the series is absent. */
function valueOf(text: string, series: string): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return null;
}

const RTX_4080: GpuDevice = {
  index: 0,
  name: 'NVIDIA GeForce RTX 4080 SUPER',
  utilization: 37,
  memoryUsedMB: 2048,
  memoryTotalMB: 16376,
  encoderUtilization: 12,
  encoderSessions: 2,
  temperatureC: 50,
  powerW: 120,
  cardClass: 'geforce',
  encoderSessionLimit: 8,
};
/** A GPU reading like the NVIDIA reader's (its parsing is tested against recordings elsewhere). */
const geforce: GpuSource = { latest: () => ({ ok: true, value: [RTX_4080], ageMs: 0, stale: false, source: 'test' }), close() {} };

describe('GET /metrics of a real agent', () => {
  let core: Core;
  let agent: Agent;
  let dir: string;
  const scrape = async (token: string | null = METRICS_TOKEN) => {
    const r = await fetch(`${agent.url}metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: r.status, type: r.headers.get('content-type'), auth: r.headers.get('www-authenticate'), text: await r.text() };
  };
  const admin = async (method: string, p: string, body?: object) => {
    const r = await fetch(`${agent.url}${p.slice(1)}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return (await r.json()) as { data: any };
  };

  beforeAll(async () => {
    dir = tmpDir();
    core = await Core.create({ dataDir: dir, gpu: geforce, sampleIntervalMs: 200 });
    agent = await startAgent({ core, port: 0, token: TOKEN, metricsToken: METRICS_TOKEN, staticDir: null });
  });
  afterAll(async () => {
    await agent.close();
    await core.shutdown();
  });

  it('answers the metrics token and the admin token, nothing else; the metrics token opens nothing else', async () => {
    expect((await scrape(null)).status).toBe(401);
    const wrong = await scrape('nope-0123456789abcdefghijklmnopqrstuvwxyz');
    expect(wrong.status).toBe(401);
    expect(wrong.auth).toMatch(/^Bearer/);
    expect(wrong.text).toMatch(/metrics token/);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect((await scrape(TOKEN)).status).toBe(200);
    const api = await fetch(`${agent.url}api/v1/commands/host.info`, { method: 'POST', headers: { authorization: `Bearer ${METRICS_TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
    const post = await fetch(`${agent.url}metrics`, { method: 'POST', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(post.status).toBe(405);
  });

  it('exports the server, an instance tree, the GPU, seats, the line and admissions; promtool finds nothing to warn about', async () => {
    need('promtool');
    await core.invoke('profiles.save', profile({ id: 'load', args: [path.join(ROOT, 'electron/core/workloads/cpu-load.mjs'), '--load', '20'] }));
    await core.invoke('admission.set', { seatsFrom: 'manual', seats: 1, heartbeatTimeoutSec: 600 });
    await core.invoke('instances.launch', { profileId: 'load', count: 1 });
    const text = await waitFor(
      async () => {
        const t = (await scrape()).text;
        return (valueOf(t, 'streamcap_instance_cpu_seconds_total{profile="load",n="1"}') ?? 0) > 0.05 ? t : null;
      },
      'the instance to have used CPU',
      20_000,
      200,
    );

    expect(valueOf(text, `streamcap_build_info{version="${core.hostInfo().version}",host="${core.hostInfo().hostname}"}`)).toBe(1);
    const cpu = valueOf(text, 'streamcap_cpu_utilization_ratio')!;
    expect(cpu).toBeGreaterThan(0);
    expect(cpu).toBeLessThanOrEqual(1);
    const used = valueOf(text, 'streamcap_memory_used_bytes')!;
    const total = valueOf(text, 'streamcap_memory_total_bytes')!;
    expect(used).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(used);
    expect(valueOf(text, 'streamcap_network_received_bytes_total')).not.toBeNull();
    expect(valueOf(text, 'streamcap_network_transmitted_bytes_total')).not.toBeNull();
    expect(valueOf(text, 'streamcap_instances{state="running"}')).toBe(1);
    expect(valueOf(text, 'streamcap_instances{state="crashed"}')).toBe(0);
    expect(valueOf(text, 'streamcap_instance_memory_bytes{profile="load",n="1"}')).toBeGreaterThan(1e6);
    expect(valueOf(text, 'streamcap_gpu_utilization_ratio{gpu="0"}')).toBeCloseTo(0.37);
    expect(valueOf(text, 'streamcap_gpu_memory_used_bytes{gpu="0"}')).toBe(2048 * 2 ** 20);
    expect(valueOf(text, 'streamcap_gpu_encoder_utilization_ratio{gpu="0"}')).toBeCloseTo(0.12);
    expect(valueOf(text, 'streamcap_gpu_encoder_sessions{gpu="0"}')).toBe(2);
    expect(valueOf(text, 'streamcap_encoder_session_limit')).toBe(8);
    expect(valueOf(text, 'streamcap_load_ratio{resource="gpu"}')).toBeCloseTo(0.37);
    expect(valueOf(text, 'streamcap_load_threshold_ratio{resource="cpu"}')).toBe(0.85);
    expect(valueOf(text, 'streamcap_seats')).toBe(1);

    // Two people ask to operate one seat: one in, one in line; the admin kicks the first.
    const join = (name: string) =>
      fetch(`${agent.url}api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, want: 'operate' }) }).then(
        (r) => r.json() as Promise<{ id: string }>,
      );
    const first = await join('Alice');
    await join('Bob');
    let t = (await scrape()).text;
    expect(valueOf(t, 'streamcap_admissions_total{outcome="admitted"}')).toBe(1);
    expect(valueOf(t, 'streamcap_admissions_total{outcome="queued"}')).toBe(1);
    expect(valueOf(t, 'streamcap_sessions{role="operator"}')).toBe(1);
    expect(valueOf(t, 'streamcap_sessions{role="queued"}')).toBe(1);
    expect(valueOf(t, 'streamcap_queue_length')).toBe((await admin('GET', '/api/v1/admission')).data.queueTotal);
    await admin('DELETE', `/api/v1/admission/sessions/${first.id}`);
    t = (await scrape()).text;
    expect(valueOf(t, 'streamcap_session_ends_total{reason="kicked"}')).toBe(1);
    expect(valueOf(t, 'streamcap_queue_length')).toBe(0);
    expect(valueOf(t, 'streamcap_sessions{role="operator"}')).toBe(1); // Bob took the seat
    // Nothing names a person or a session.
    expect(t).not.toMatch(/Alice|Bob/);
    expect(t).not.toContain(first.id);
    expect(t).not.toMatch(/[{,](instance|job)=/);

    const r = spawnSync('promtool', ['check', 'metrics'], { input: t, encoding: 'utf8', timeout: 15_000 });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
    await core.invoke('instances.stopAll', {});
  });

  it('keeps the metrics token in the data folder with mode 0600, and keeps one written by hand', () => {
    const d = tmpDir();
    const made = loadOrCreateToken(d, METRICS_TOKEN_FILE);
    expect(made).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(fs.statSync(path.join(d, METRICS_TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(made).not.toBe(loadOrCreateToken(d)); // not the admin token
    expect(loadOrCreateToken(d, METRICS_TOKEN_FILE)).toBe(made);
    fs.writeFileSync(path.join(d, METRICS_TOKEN_FILE), METRICS_TOKEN + '\n');
    expect(loadOrCreateToken(d, METRICS_TOKEN_FILE)).toBe(METRICS_TOKEN);
  });
});

describe('createMetrics against a fed source', () => {
  const snapshot = (instances: InstanceSample[], gpus: Snapshot['gpus'] = { ok: false, reason: 'no GPU' }): Snapshot => ({
    t: 1_700_000_000_000,
    seq: 1,
    intervalMs: 1000,
    system: {
      cpu: 50,
      cores: [50, 50],
      memory: { usedMB: 1024, totalMB: 4096, percent: 25 },
      net: { ok: false, reason: 'first' },
      disk: { ok: false, reason: 'first' },
      netBytes: { rx: 1000, tx: 2000 },
    },
    gpus,
    instances,
    loopDelayP99Ms: 2,
  });
  function fed(latest: Snapshot | null) {
    const listeners = new Set<(e: AppEvent) => void>();
    const adm = new Set<(e: AdmissionEvent) => void>();
    const counts: AdmissionCounts = { seats: 2, operators: 1, spectators: 0, queued: 3, queueLength: 3, capStreams: 10 };
    const src: MetricsSource = {
      version: '9.9.9',
      latest: () => latest,
      instances: () => [{ id: 'a', n: 1, profileId: 'demo', state: 'running' }],
      admission: { metricCounts: () => counts, onEvent: (fn) => (adm.add(fn), () => adm.delete(fn)) },
      probeCapacities: () => new Map([['demo', 7]]),
      subscribe: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
    };
    return { m: createMetrics(src), emit: (e: AppEvent) => listeners.forEach((fn) => fn(e)), admit: (e: AdmissionEvent) => adm.forEach((fn) => fn(e)), set: (s: Snapshot) => (latest = s) };
  }
  const inst = (over: Partial<InstanceSample> = {}): InstanceSample => ({
    id: 'a',
    n: 1,
    pid: 1,
    state: 'running',
    cpu: 50,
    cpuSeconds: 0.5,
    memoryMB: 10,
    processes: 2,
    gpu: { ok: false, reason: 'none' },
    ...over,
  });

  it('before the first sample: no figure at all, never a 0', async () => {
    const { m } = fed(null);
    const t = await m.text();
    for (const name of ['streamcap_cpu_utilization_ratio', 'streamcap_memory_used_bytes', 'streamcap_encoder_session_limit', 'streamcap_load_ratio']) {
      expect(t.split('\n').some((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'))).toBe(false);
    }
    expect(valueOf(t, 'streamcap_probe_capacity{profile="demo"}')).toBe(7);
    expect(valueOf(t, 'streamcap_queue_length')).toBe(3);
    m.close();
  });

  it('counts CPU seconds and network bytes from sample events; stream gauges only where a stream field is present', async () => {
    const { m, emit, set, admit } = fed(null);
    const s1 = snapshot([inst()]);
    set(s1);
    emit({ type: 'sample', data: s1 });
    const s2 = {
      ...snapshot([
        inst({
          cpuSeconds: 0.25,
          stream: {
            ok: true,
            value: {
              viewers: 1,
              fps: 59.5,
              mbps: 8,
              width: 1920,
              height: 1080,
              freezes: 0,
              freezeSec: 0,
              packetsLost: 0,
              jitterMs: null,
              rttMs: null,
              decodeMs: null,
              qp: null,
              codec: null,
              framesReceived: 0,
              bytesReceived: 0,
              at: 0,
            },
          },
        } as Partial<InstanceSample> & { cpuSeconds: number }),
      ]),
      seq: 2,
    };
    s2.system = { ...s2.system, netBytes: { rx: 1500, tx: 1000 } }; // tx went down (an interface went away): no decrease
    set(s2);
    emit({ type: 'sample', data: s2 });
    admit({ type: 'join', outcome: 'refused' });
    const t = await m.text();
    expect(valueOf(t, 'streamcap_instance_cpu_seconds_total{profile="demo",n="1"}')).toBeCloseTo(0.75);
    expect(valueOf(t, 'streamcap_network_received_bytes_total')).toBe(500);
    expect(valueOf(t, 'streamcap_network_transmitted_bytes_total')).toBe(0);
    expect(valueOf(t, 'streamcap_stream_frames_per_second{profile="demo",n="1"}')).toBe(59.5);
    expect(valueOf(t, 'streamcap_stream_bitrate_bits_per_second{profile="demo",n="1"}')).toBe(8e6);
    expect(valueOf(t, 'streamcap_admissions_total{outcome="refused"}')).toBe(1);
    expect(valueOf(t, 'streamcap_encoder_session_limit')).toBeNull(); // no GPU
    set(snapshot([inst()]));
    expect((await m.text()).includes('streamcap_stream_frames_per_second{')).toBe(false);
    // As the stream watcher reports it: Measured<StreamStats>; not measured → no series.
    set(snapshot([inst({ stream: { ok: true, value: { fps: 30, mbps: 4.5, viewers: 1 } } } as Partial<InstanceSample>)]));
    const measured = await m.text();
    expect(valueOf(measured, 'streamcap_stream_frames_per_second{profile="demo",n="1"}')).toBe(30);
    expect(valueOf(measured, 'streamcap_stream_bitrate_bits_per_second{profile="demo",n="1"}')).toBe(4.5e6);
    set(snapshot([inst({ stream: { ok: false, reason: 'no viewer connected' } } as Partial<InstanceSample>)]));
    expect((await m.text()).includes('streamcap_stream_frames_per_second{')).toBe(false);
    m.close();
  });

  it('a stale or absent GPU reading has no GPU series; a data-centre card no session limit', async () => {
    const { m, set } = fed(null);
    set(snapshot([], { ok: true, value: [RTX_4080], stale: true }));
    expect((await m.text()).includes('streamcap_gpu_utilization_ratio{')).toBe(false);
    set(snapshot([], { ok: true, value: [{ ...RTX_4080, name: 'NVIDIA L40S', cardClass: 'datacentre', encoderSessionLimit: null }] }));
    const t = await m.text();
    expect(valueOf(t, 'streamcap_gpu_utilization_ratio{gpu="0"}')).toBeCloseTo(0.37);
    expect(valueOf(t, 'streamcap_encoder_session_limit')).toBeNull();
    m.close();
  });
});

describe('the newest probe capacity per profile (streamcap_probe_capacity)', () => {
  it('reads saved runs newest first, once each; follows deletions and new runs', async () => {
    const dataDir = tmpDir();
    const dir = path.join(dataDir, 'probes');
    fs.mkdirSync(dir);
    const save = (id: string, profileId: string, capacity: number | null, state = 'done') =>
      fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify({ format: PROBE_FORMAT, id, state, app: { profileId }, steps: [], result: capacity === null ? null : { capacity } }));
    save('20261201-100000-aaaa', 'showroom', 3);
    save('20261201-110000-bbbb', 'showroom', 5);
    save('20261201-120000-cccc', 'showroom', null, 'cancelled'); // newest, but no answer
    save('20261201-090000-dddd', 'museum', 0); // "not even one fits" is an answer
    const runner = new ProbeRunner({ dataDir } as ProbeRunnerDeps);
    expect(Object.fromEntries(await runner.capacityByProfile())).toEqual({ showroom: 5, museum: 0 });
    fs.rmSync(path.join(dir, '20261201-110000-bbbb.json'));
    expect(Object.fromEntries(await runner.capacityByProfile())).toEqual({ showroom: 3, museum: 0 });
    save('20261201-130000-eeee', 'museum', 7);
    expect(Object.fromEntries(await runner.capacityByProfile())).toEqual({ showroom: 3, museum: 7 });
  });
});

// ---- A real Prometheus scraping two real agents with the README's job ------------------

/** The README's scrape job, pointed at these agents and this token file, scraped every second. */
function readmeScrapeConfig(targets: string[], tokenFile: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /```yaml\n(# prometheus\.yml\n[\s\S]*?job_name: streamcap[\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```yaml block with the streamcap scrape job');
  const out = block
    .replace(/credentials_file: .*/, `credentials_file: ${tokenFile}`)
    .replace(/targets: \[.*\]/, `targets: [${targets.map((t) => `'${t}'`).join(', ')}]`)
    .replace(/scrape_interval: .*/, 'scrape_interval: 1s');
  // Each substitution must have happened: the test runs the README's job, not one of its own.
  for (const needed of [tokenFile, targets[0]!, 'scrape_interval: 1s']) expect(out).toContain(needed);
  return out;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Stops a child: SIGTERM, then SIGKILL if it has not exited within `ms`. */
async function stop(p: ChildProcess, ms = 10_000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), ms); // a deadline, not a wait
  await exited;
  clearTimeout(t);
}

function startAgentProcess(dataDir: string): Promise<{ proc: ChildProcess; port: number; token: string; metricsToken: string }> {
  const proc = spawn(NODE, ['--import', 'tsx', path.join(ROOT, 'test/agent/fixtures/metrics-agent-child.ts'), dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  return nextLine(proc, () => true, 'the agent to print its ports', 30_000).then(
    (line) => ({ proc, ...(JSON.parse(line) as { port: number; token: string; metricsToken: string }) }),
    (e: Error) => Promise.reject(new Error(`${e.message}\n${err}`)),
  );
}

const children: ChildProcess[] = [];

describe('a real Prometheus scrapes two real agents with the README scrape job', () => {
  let prom: ChildProcess;
  let promUrl: string;
  let promLog = '';
  let agents: { port: number; token: string }[] = [];

  const query = async (q: string) => {
    const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await r.json()) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    return body;
  };

  beforeAll(async () => {
    need('prometheus');
    need('promtool');
    const work = tmpDir('sc-prom-');
    // One metrics token for the fleet, written by hand into each server's data folder (as the README says).
    const dirs = [path.join(work, 'a'), path.join(work, 'b')];
    for (const d of dirs) {
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, METRICS_TOKEN_FILE), METRICS_TOKEN + '\n', { mode: 0o600 });
    }
    const started = await Promise.all(dirs.map(startAgentProcess));
    for (const a of started) expect(a.metricsToken).toBe(METRICS_TOKEN);
    agents = started;
    const tokenFile = path.join(work, 'streamcap-metrics-token');
    fs.writeFileSync(tokenFile, METRICS_TOKEN + '\n', { mode: 0o600 });
    const config = path.join(work, 'prometheus.yml');
    fs.writeFileSync(
      config,
      readmeScrapeConfig(
        agents.map((a) => `127.0.0.1:${a.port}`),
        tokenFile,
      ),
    );
    const check = spawnSync('promtool', ['check', 'config', config], { encoding: 'utf8', timeout: 15_000 });
    expect(check.status, check.stdout + check.stderr).toBe(0);

    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(work, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(prom);
    prom.stderr!.on('data', (d) => (promLog = (promLog + d).slice(-4000)));
    prom.stdout!.on('data', () => {});
    await waitFor(async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok, `Prometheus to be ready (log: ${promLog})`, 30_000, 200);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(children.splice(0).map((p) => stop(p)));
  });

  it('scrapes both agents and answers with their series', async () => {
    // Agent a: one seat (none running, so manual), three people asking for it: one in, two in line.
    const api = (a: { port: number; token: string }, method: string, p: string, body?: object) =>
      fetch(`http://127.0.0.1:${a.port}${p}`, { method, headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined }).then(
        (r) => r.json() as Promise<any>,
      );
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]];
    await api(a, 'PUT', '/api/v1/admission', { seatsFrom: 'manual', seats: 1, heartbeatTimeoutSec: 600 });
    for (const name of ['P1', 'P2', 'P3']) {
      const r = await fetch(`http://127.0.0.1:${a.port}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, want: 'operate' }) });
      expect(r.status).toBe(201);
    }
    const expected = new Map([
      [`127.0.0.1:${a.port}`, (await api(a, 'GET', '/api/v1/admission')).data.queueTotal as number],
      [`127.0.0.1:${b.port}`, (await api(b, 'GET', '/api/v1/admission')).data.queueTotal as number],
    ]);
    expect([...expected.values()]).toEqual([2, 0]);
    // Agent b runs one instance, so the per-instance panels have something to show.
    await api(b, 'POST', '/api/v1/commands/profiles.save', profile({ id: 'load', args: [path.join(ROOT, 'electron/core/workloads/cpu-load.mjs'), '--load', '5'] }));
    expect((await api(b, 'POST', '/api/v1/commands/instances.launch', { profileId: 'load', count: 1 })).data.ids).toHaveLength(1);

    const targets = await waitFor(
      async () => {
        const r = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string; lastError: string; labels: { instance: string } }[] } };
        const t = r.data.activeTargets;
        return t.length === 2 && t.every((x) => x.health === 'up') ? t : null;
      },
      'both targets up',
      30_000,
      250,
    );
    expect(targets.map((t) => t.labels.instance).sort()).toEqual([...expected.keys()].sort());

    const info = await query('streamcap_build_info');
    expect(info.status).toBe('success');
    expect(info.data!.result).toHaveLength(2);
    for (const r of info.data!.result) {
      expect(r.metric.job).toBe('streamcap');
      expect(r.metric.version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    }
    // Scraped after the joins: poll until Prometheus' latest value is the admin API's.
    const queue = await waitFor(
      async () => {
        const r = await query('streamcap_queue_length');
        const got = new Map(r.data?.result.map((x) => [x.metric.instance!, Number(x.value[1])]));
        return [...expected].every(([k, v]) => got.get(k) === v) ? got : null;
      },
      'streamcap_queue_length to match the admin API on both agents',
      20_000,
      250,
    );
    expect(queue.size).toBe(2);
    const admitted = await query('sum(streamcap_admissions_total{outcome="queued"})');
    expect(Number(admitted.data!.result[0]!.value[1])).toBe(2);
  });

  it('evaluates every PromQL expression of the Grafana dashboard without error', async () => {
    const dash = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/grafana/streamcap.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { name: string; query: { query: string } }[] };
    };
    const exprs = dash.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThanOrEqual(14);
    // Grafana's variables, as Grafana would fill them: every server, a rate window of a minute.
    const fill = (e: string) => e.replaceAll('$server', '.*').replaceAll('$__rate_interval', '1m');
    // rate() needs two scrapes of a series in its window: wait for three of each agent.
    await waitFor(
      async () => {
        const r = await query('count_over_time(streamcap_instance_cpu_seconds_total[1m]) >= 3 or count_over_time(streamcap_build_info[1m]) >= 3');
        return (r.data?.result.length ?? 0) >= 3;
      },
      'three scrapes of each agent',
      20_000,
      250,
    );
    const empty: string[] = [];
    for (const { panel, expr } of exprs) {
      const r = await query(fill(expr));
      expect(r.status, `${panel}: ${expr}: ${r.error}`).toBe('success');
      if (r.data!.result.length === 0) empty.push(expr);
    }
    // What these agents cannot have (no GPU, no stream figures, no probe run) may be empty; everything else must answer.
    const mayBeEmpty = /streamcap_(gpu_|encoder_session_limit|stream_frames|stream_bitrate|probe_capacity)/;
    expect(empty.filter((e) => !mayBeEmpty.test(e))).toEqual([]);
    const stress = await query(fill(exprs.find((e) => e.panel.startsWith('Fleet stress'))!.expr));
    expect(stress.data!.result).toHaveLength(2);
    for (const r of stress.data!.result) expect(Number(r.value[1])).toBeGreaterThan(0);
    // The server menu's query (label_values is Grafana's; the series behind it is ours).
    expect(dash.templating.list[0]!.query.query).toBe('label_values(streamcap_build_info, instance)');
  });
});

// A child left behind by a failed beforeAll still goes.
process.on('exit', () => {
  for (const p of children) if (p.exitCode === null) p.kill('SIGKILL');
});
