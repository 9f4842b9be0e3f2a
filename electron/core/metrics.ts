// Prometheus metrics of the core (`GET /metrics` on the agent): a prom-client
// Registry built from what the core already knows. Gauges are read from the latest
// sample in collect(), so a scrape costs a few map lookups and never samples anything
// itself; counters are fed from the core's events (samples, admissions), so they count
// what happened between scrapes too.
//
// Conventions (Prometheus' own): one prefix, base units (seconds, bytes), ratios 0–1,
// `_total` on counters, and only bounded labels — the instance number `n` with its
// profile id, the GPU index, a state, a role, an outcome. Never a session id or a
// person's name, and never the label names `instance` or `job` (Prometheus sets those).
import os from 'node:os';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { INSTANCE_STATES, type AppEvent, type InstanceSample, type InstanceState, type Snapshot } from '../../shared/contract';
import { encoderBudget } from '../../shared/gpu/card-class';
import { DEFAULT_THRESHOLDS } from '../../shared/probe';
import type { AdmissionEvent, AdmissionService } from './admission/service';

export const METRICS_PREFIX = 'streamcap_';
const MIB = 2 ** 20;
/** The timer interval of the default metrics' event-loop histogram (its lag figures include it). */
export const EVENT_LOOP_PRECISION_MS = 100;

/** Every state, so that a state with no instance reads 0 rather than vanishing. */
const STATES: readonly InstanceState[] = INSTANCE_STATES;
const ROLES = ['operator', 'spectator', 'queued'] as const;
const OUTCOMES = ['admitted', 'queued', 'refused'] as const;
const END_REASONS = ['left', 'timeout', 'kicked'] as const;

/** The load figures stress is computed from, and the probe's default thresholds for them (0–1). */
const LOAD_THRESHOLDS = {
  cpu: DEFAULT_THRESHOLDS.cpu / 100,
  memory: DEFAULT_THRESHOLDS.memory / 100,
  gpu: DEFAULT_THRESHOLDS.gpu / 100,
  gpu_memory: DEFAULT_THRESHOLDS.gpuMemory / 100,
  encoder: DEFAULT_THRESHOLDS.encoder / 100,
} as const;

/** What the metrics read from the core: kept narrow so tests can feed it directly. */
export interface MetricsSource {
  version: string;
  /** The latest sample (null before the first). */
  latest(): Snapshot | null;
  /** The instances the supervisor knows, with their profile (for the `profile` label) and state. */
  instances(): Iterable<{ id: string; n: number; profileId: string; state: InstanceState }>;
  admission: Pick<AdmissionService, 'metricCounts' | 'onEvent'>;
  /** The newest probe capacity per profile id. */
  probeCapacities(): Map<string, number> | Promise<Map<string, number>>;
  /** The core's events (samples feed the counters). */
  subscribe(fn: (e: AppEvent) => void): () => void;
}

export interface CoreMetrics {
  registry: Registry;
  /** The text a scrape gets (Prometheus text format 0.0.4). */
  text(): Promise<string>;
  contentType: string;
  /** Stops listening to the core. */
  close(): void;
}

/**
 * Empties a gauge without labels. prom-client's reset() leaves such a gauge at 0, but a
 * figure that is not measured (no sample yet, no capped card) must be absent, never 0.
 * Relies on prom-client 15's `hashMap`; test/agent/metrics.test.ts checks the absence.
 */
function clearUnlabelled(g: Gauge): void {
  (g as unknown as { hashMap: Record<string, unknown> }).hashMap = {};
}

type InstanceLabels = { profile: string; n: string };

/** Labels of an instance sample: its profile and number; null for an instance the supervisor no longer knows. */
export type InstanceLabeler = (s: InstanceSample) => InstanceLabels | null;

/**
 * Per-instance stream quality gauges, from the `stream` field of instance samples,
 * filled where StreamCap's viewers measure the stream. Harmless when absent or not
 * measured: no series is exported for that instance, never a 0.
 */
export function registerStreamMetrics(registry: Registry, latest: () => Snapshot | null, labelsOf: InstanceLabeler): void {
  const streamOf = (s: InstanceSample) => (s.stream?.ok ? s.stream.value : null);
  new Gauge({
    name: `${METRICS_PREFIX}stream_frames_per_second`,
    help: 'Frames per second a viewer receives from the instance, where the stream is measured.',
    labelNames: ['profile', 'n'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of latest()?.instances ?? []) {
        const fps = streamOf(s)?.fps;
        const l = labelsOf(s);
        if (l && typeof fps === 'number' && Number.isFinite(fps)) this.set(l, fps);
      }
    },
  });
  new Gauge({
    name: `${METRICS_PREFIX}stream_bitrate_bits_per_second`,
    help: 'Video bitrate a viewer receives from the instance, bits per second, where the stream is measured.',
    labelNames: ['profile', 'n'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of latest()?.instances ?? []) {
        const mbps = streamOf(s)?.mbps;
        const l = labelsOf(s);
        if (l && typeof mbps === 'number' && Number.isFinite(mbps)) this.set(l, mbps * 1e6);
      }
    },
  });
}

export function createMetrics(src: MetricsSource): CoreMetrics {
  const registry = new Registry();
  const reg = [registry];
  const latest = () => src.latest();
  // An instance's profile is looked up by id while it is known; the label stays fixed for its number.
  const profileOf = new Map<string, string>();
  const labelsOf: InstanceLabeler = (s) => {
    let profile = profileOf.get(s.id);
    if (profile === undefined) {
      for (const i of src.instances()) profileOf.set(i.id, i.profileId);
      profile = profileOf.get(s.id);
    }
    return profile === undefined ? null : { profile, n: String(s.n) };
  };

  // The agent process itself, under prom-client's standard names (process_resident_memory_bytes,
  // nodejs_heap_size_used_bytes, process_open_fds, nodejs_gc_duration_seconds…): what
  // `npm run soak` reads to show the agent stays flat. Their event-loop histogram samples
  // every 100 ms like the sampler's (at prom-client's 10 ms its timer alone costs ~5 ms of
  // CPU a second), so nodejs_eventloop_lag_p*_seconds include those 100 ms and cover the
  // time since the previous scrape; streamcap_event_loop_delay_p99_seconds is net of them.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_PRECISION_MS });
  // Gauges named like counters (promtool's lint says so); nodejs_active_handles and _resources carry the same figures.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);

  new Gauge({
    name: `${METRICS_PREFIX}build_info`,
    help: 'StreamCap build and host: always 1.',
    labelNames: ['version', 'host'],
    registers: reg,
  }).set({ version: src.version, host: os.hostname() }, 1);

  const gauge = (name: string, help: string, read: (s: Snapshot) => number | null | undefined) =>
    new Gauge({
      name: METRICS_PREFIX + name,
      help,
      registers: reg,
      collect() {
        clearUnlabelled(this);
        const s = latest();
        const v = s ? read(s) : null;
        if (v != null && Number.isFinite(v)) this.set(v);
      },
    });

  // ---- The server ------------------------------------------------------------------
  gauge('cpu_utilization_ratio', 'CPU busy, share of the whole machine (0–1).', (s) => s.system.cpu / 100);
  gauge('cpu_cores', 'Logical CPU cores of the machine.', (s) => s.system.cores.length || null);
  gauge('memory_used_bytes', 'Memory in use (total minus available).', (s) => s.system.memory.usedMB * MIB);
  gauge('memory_total_bytes', 'Memory of the machine.', (s) => s.system.memory.totalMB * MIB);
  gauge('last_sample_timestamp_seconds', 'When the sample these figures come from was taken (Unix time).', (s) => s.t / 1000);
  gauge('event_loop_delay_p99_seconds', "StreamCap's own event-loop delay, p99 over the last sample interval.", (s) => (s.loopDelayP99Ms == null ? null : s.loopDelayP99Ms / 1000));

  const rx = new Counter({ name: `${METRICS_PREFIX}network_received_bytes_total`, help: 'Bytes received on all interfaces but loopback since the agent started.', registers: reg });
  const tx = new Counter({ name: `${METRICS_PREFIX}network_transmitted_bytes_total`, help: 'Bytes sent on all interfaces but loopback since the agent started.', registers: reg });

  // ---- Instances -------------------------------------------------------------------
  new Gauge({
    name: `${METRICS_PREFIX}instances`,
    help: 'Instances by state.',
    labelNames: ['state'],
    registers: reg,
    collect() {
      const counts = new Map<string, number>(STATES.map((st) => [st, 0]));
      for (const i of src.instances()) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
      for (const [state, v] of counts) this.set({ state }, v);
    },
  });
  const instanceCpu = new Counter({
    name: `${METRICS_PREFIX}instance_cpu_seconds_total`,
    help: "CPU seconds used by the instance's whole process tree while StreamCap watched it.",
    labelNames: ['profile', 'n'],
    registers: reg,
  });
  new Gauge({
    name: `${METRICS_PREFIX}instance_memory_bytes`,
    help: "Resident memory of the instance's whole process tree.",
    labelNames: ['profile', 'n'],
    registers: reg,
    collect() {
      this.reset();
      for (const s of latest()?.instances ?? []) {
        const l = labelsOf(s);
        if (l && s.memoryMB != null) this.set(l, s.memoryMB * MIB);
      }
    },
  });
  new Gauge({
    name: `${METRICS_PREFIX}instance_processes`,
    help: "Processes in the instance's tree.",
    labelNames: ['profile', 'n'],
    registers: reg,
    collect() {
      this.reset();
      for (const s of latest()?.instances ?? []) {
        const l = labelsOf(s);
        if (l && s.processes > 0) this.set(l, s.processes);
      }
    },
  });
  registerStreamMetrics(registry, latest, labelsOf);

  // ---- GPUs: only where measured and fresh; a GPU not measured has no series, never 0 ----
  const gpus = () => {
    const g = latest()?.gpus;
    return g?.ok && !g.stale ? g.value : [];
  };
  const perGpu = (name: string, help: string, read: (g: ReturnType<typeof gpus>[number]) => number | null | undefined) =>
    new Gauge({
      name: METRICS_PREFIX + name,
      help,
      labelNames: ['gpu'],
      registers: reg,
      collect() {
        this.reset();
        for (const g of gpus()) {
          const v = read(g);
          if (v != null && Number.isFinite(v)) this.set({ gpu: String(g.index) }, v);
        }
      },
    });
  perGpu('gpu_utilization_ratio', 'GPU busy (NVIDIA: SM; Windows counters: busiest engine), share of the device (0–1).', (g) => (g.utilization == null ? null : g.utilization / 100));
  perGpu('gpu_memory_used_bytes', 'GPU memory in use.', (g) => (g.memoryUsedMB == null ? null : g.memoryUsedMB * MIB));
  perGpu('gpu_memory_total_bytes', 'GPU memory of the device.', (g) => (g.memoryTotalMB == null ? null : g.memoryTotalMB * MIB));
  perGpu('gpu_encoder_utilization_ratio', 'Hardware video encoder (NVENC) busy, share of the device (0–1).', (g) => (g.encoderUtilization == null ? null : g.encoderUtilization / 100));
  perGpu('gpu_encoder_sessions', 'Concurrent hardware encode sessions on the device.', (g) => g.encoderSessions);
  new Gauge({
    name: `${METRICS_PREFIX}encoder_session_limit`,
    help: 'Concurrent hardware encode sessions the system allows where a cap applies (GeForce: one limit shared by all GeForce cards); absent where no card is capped.',
    registers: reg,
    collect() {
      clearUnlabelled(this);
      const limit = encoderBudget(gpus()).geforceLimit;
      if (limit != null) this.set(limit);
    },
  });

  // ---- Load against the probe's thresholds: stress = load ÷ threshold (1 = at the limit) ----
  new Gauge({
    name: `${METRICS_PREFIX}load_ratio`,
    help: 'Load per resource (0–1): cpu and memory of the machine; gpu, gpu_memory and encoder of the busiest GPU. Only measured resources.',
    labelNames: ['resource'],
    registers: reg,
    collect() {
      this.reset();
      const s = latest();
      if (!s) return;
      const busiest = (xs: (number | null)[]) => {
        const ok = xs.filter((x): x is number => x != null && Number.isFinite(x));
        return ok.length ? Math.max(...ok) : null;
      };
      const g = gpus();
      const loads: Record<keyof typeof LOAD_THRESHOLDS, number | null> = {
        cpu: s.system.cpu / 100,
        memory: s.system.memory.percent / 100,
        gpu: busiest(g.map((d) => (d.utilization == null ? null : d.utilization / 100))),
        gpu_memory: busiest(g.map((d) => (d.memoryUsedMB != null && d.memoryTotalMB ? d.memoryUsedMB / d.memoryTotalMB : null))),
        encoder: busiest(g.map((d) => (d.encoderUtilization == null ? null : d.encoderUtilization / 100))),
      };
      for (const [resource, v] of Object.entries(loads)) if (v != null) this.set({ resource }, v);
    },
  });
  const thresholds = new Gauge({
    name: `${METRICS_PREFIX}load_threshold_ratio`,
    help: "The capacity probe's default threshold per resource (0–1).",
    labelNames: ['resource'],
    registers: reg,
  });
  for (const [resource, v] of Object.entries(LOAD_THRESHOLDS)) thresholds.set({ resource }, v);

  // ---- Capacity, seats and the line ------------------------------------------------
  new Gauge({
    name: `${METRICS_PREFIX}probe_capacity`,
    help: 'Concurrent instances the newest capacity probe of the profile found.',
    labelNames: ['profile'],
    registers: reg,
    async collect() {
      const capacities = await src.probeCapacities();
      this.reset();
      for (const [profile, capacity] of capacities) this.set({ profile }, capacity);
    },
  });
  const counts = () => src.admission.metricCounts();
  new Gauge({
    name: `${METRICS_PREFIX}seats`,
    help: 'Operator seats in force.',
    registers: reg,
    collect() {
      this.set(counts().seats);
    },
  });
  new Gauge({
    name: `${METRICS_PREFIX}stream_cap`,
    help: 'Streams the configured uplink carries (uplink ÷ bitrate; enforced under the capped policy).',
    registers: reg,
    collect() {
      this.set(counts().capStreams);
    },
  });
  new Gauge({
    name: `${METRICS_PREFIX}sessions`,
    help: 'People by role: operator, spectator, queued (simulated visitors included).',
    labelNames: ['role'],
    registers: reg,
    collect() {
      const c = counts();
      const by = { operator: c.operators, spectator: c.spectators, queued: c.queued };
      for (const role of ROLES) this.set({ role }, by[role]);
    },
  });
  new Gauge({
    name: `${METRICS_PREFIX}queue_length`,
    help: 'People in line, spectators waiting for a seat included.',
    registers: reg,
    collect() {
      this.set(counts().queueLength);
    },
  });
  const admissions = new Counter({
    name: `${METRICS_PREFIX}admissions_total`,
    help: 'Requests for a place, by outcome: admitted at once, queued, refused (line full or per-address limit).',
    labelNames: ['outcome'],
    registers: reg,
  });
  const ends = new Counter({
    name: `${METRICS_PREFIX}session_ends_total`,
    help: 'Sessions ended, by reason: left, timeout (no heartbeat), kicked.',
    labelNames: ['reason'],
    registers: reg,
  });
  // Every label value from the start, so rate() sees the first event (a series born at 1 has no increase).
  for (const outcome of OUTCOMES) admissions.inc({ outcome }, 0);
  for (const reason of END_REASONS) ends.inc({ reason }, 0);

  // ---- Counters fed from events ------------------------------------------------------
  let lastNet: { rx: number; tx: number } | null = null;
  const offCore = src.subscribe((e) => {
    if (e.type !== 'sample') return;
    const s = e.data;
    const net = s.system.netBytes;
    if (net) {
      // Deltas, never the raw figure: an interface that goes away lowers the sum, a counter never goes down.
      if (lastNet) {
        rx.inc(Math.max(0, net.rx - lastNet.rx));
        tx.inc(Math.max(0, net.tx - lastNet.tx));
      }
      lastNet = net;
    }
    for (const i of s.instances) {
      if (i.cpuSeconds == null || !(i.cpuSeconds >= 0)) continue;
      const l = labelsOf(i);
      if (l) instanceCpu.inc(l, i.cpuSeconds);
    }
  });
  const offAdmission = src.admission.onEvent((e: AdmissionEvent) => {
    if (e.type === 'join') admissions.inc({ outcome: e.outcome });
    else ends.inc({ reason: e.reason });
  });
  // The id → profile map is refreshed on misses; forget ids the supervisor dropped.
  const offInstances = src.subscribe((e) => {
    if (e.type !== 'instances') return;
    const known = new Set(e.data.map((i) => i.id));
    for (const id of profileOf.keys()) if (!known.has(id)) profileOf.delete(id);
  });

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    close: () => {
      offCore();
      offAdmission();
      offInstances();
    },
  };
}
